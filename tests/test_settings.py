import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_or_postgres():
    if connection.vendor == "sqlite":
        # The test database is in memory (which reports "memory"); a file database is WAL.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        assert mode in {"wal", "memory"}
    else:
        assert connection.vendor == "postgresql"


def test_wal_on_a_file_database(tmp_path):
    import sqlite3

    from attain import settings

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("running against PostgreSQL")
    db = sqlite3.connect(tmp_path / "x.sqlite3")
    db.executescript(init)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_secret_key_is_random_per_install_unless_set(tmp_path):
    import subprocess
    import sys

    def key_for(data_dir, **env):
        code = "import attain.settings as s; print(s.SECRET_KEY)"
        environ = {"PATH": "/usr/bin:/bin", "ATTAIN_DATA_DIR": str(data_dir), **env}
        result = subprocess.run(
            [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    first = key_for(tmp_path / "a")
    assert len(first) >= 50
    assert key_for(tmp_path / "a") == first  # kept, so sessions survive a restart
    assert key_for(tmp_path / "b") != first  # another install, another key
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0
    assert key_for(tmp_path / "c", SECRET_KEY="from-the-environment") == "from-the-environment"
