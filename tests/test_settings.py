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
