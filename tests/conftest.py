from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in tests/people); tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    from tests.factories import build_org

    return build_org()


def pytest_collection_modifyitems(config, items):
    """Queue the tests of an xdist group (the Spark tests: one worker, one JVM, minutes in
    sequence) first. Collected in file order they were handed out late and ran alone at
    the end while the other workers waited; queued first, the others share the rest of
    the suite meanwhile. The order within each part stays the collection order."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
