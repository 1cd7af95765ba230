import datetime as dt

import pytest

from attain.people.selectors import team_of, visible_rep_ids
from attain.sales.selectors import deals_visible_to
from tests.factories import MOVE_DATE

pytestmark = pytest.mark.django_db

BEFORE = MOVE_DATE - dt.timedelta(days=1)


def names(org, ids):
    by_id = {rep.id: name for name, rep in org.reps.items()}
    return {by_id[i] for i in ids}


def test_admin_and_finance_see_everyone(org):
    assert visible_rep_ids(org.users["admin"]) is None
    assert visible_rep_ids(org.users["finance"]) is None


def test_rep_sees_only_self(org):
    assert names(org, visible_rep_ids(org.users["will"], BEFORE)) == {"will"}


def test_vp_sees_whole_tree(org):
    everyone = {"vera", "walt", "erin", "wendy", "will", "eddie"}
    assert names(org, visible_rep_ids(org.users["vera"], BEFORE)) == everyone


def test_manager_subtree_follows_effective_dated_team_change(org):
    # Wendy is in West until 2026-06-30 and in East from 2026-07-01.
    assert names(org, visible_rep_ids(org.users["walt"], BEFORE)) == {"walt", "wendy", "will"}
    assert names(org, visible_rep_ids(org.users["walt"], MOVE_DATE)) == {"walt", "will"}
    assert names(org, visible_rep_ids(org.users["erin"], BEFORE)) == {"erin", "eddie"}
    assert names(org, visible_rep_ids(org.users["erin"], MOVE_DATE)) == {"erin", "eddie", "wendy"}
    assert team_of(org.reps["wendy"], BEFORE) == org.teams["west"]
    assert team_of(org.reps["wendy"], MOVE_DATE) == org.teams["east"]


def test_deals_scoped_by_owner_and_credit(org):
    from decimal import Decimal

    from attain.sales.models import Credit

    will = org.users["will"]
    assert set(deals_visible_to(will, BEFORE)) == set(org.deals["will"])
    # A split credit on Eddie's deal makes it visible to Will too.
    shared = org.deals["eddie"][0]
    Credit.objects.create(deal=shared, rep=org.reps["will"], role="split", share=Decimal("0.5"))
    assert shared in set(deals_visible_to(will, BEFORE))
    assert org.deals["eddie"][1] not in set(deals_visible_to(will, BEFORE))


def test_production_hasher_is_argon2():
    from attain import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
