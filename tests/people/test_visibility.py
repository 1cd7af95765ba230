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


def _activity_only_account(org):
    """An account on which Will only logged a call (no deal of his), and one no one in
    the West team touched."""
    from attain.sales.models import Account, Activity

    called = Account.objects.create(external_id="A-CALL", name="Called Co", region="West")
    Activity.objects.create(
        external_id="ACT-1", rep=org.reps["will"], kind="call", date=BEFORE, account=called
    )
    untouched = Account.objects.create(external_id="A-NONE", name="Nobody Co", region="East")
    return called, untouched


@pytest.mark.parametrize("large_team_reps", [1000, 0], ids=["gathered", "per-account"])
def test_accounts_scoped_alike_for_small_and_large_teams(org, monkeypatch, large_team_reps):
    """Above LARGE_TEAM_REPS visible reps the accounts are found by correlated lookups
    instead of gathered lists; both forms give the same accounts for every user."""
    from decimal import Decimal

    from attain.sales import selectors
    from attain.sales.models import Credit

    monkeypatch.setattr(selectors, "LARGE_TEAM_REPS", large_team_reps)
    called, untouched = _activity_only_account(org)
    # Will holds a split credit on Eddie's deal: Eddie's account becomes Will's too.
    Credit.objects.create(
        deal=org.deals["eddie"][0], rep=org.reps["will"], role="split", share=Decimal("0.5")
    )
    expected = {
        "will": {org.accounts["will"], org.accounts["eddie"], called},
        "walt": {org.accounts[n] for n in ("walt", "wendy", "will", "eddie")} | {called},
        "eddie": {org.accounts["eddie"]},
    }
    for username, accounts in expected.items():
        visible = set(selectors.accounts_visible_to(org.users[username], BEFORE))
        assert visible == accounts, username
    everything = set(selectors.accounts_visible_to(org.users["admin"], BEFORE))
    assert untouched in everything and called in everything


def test_scoping_by_subquery_matches_the_visible_ids(org):
    from attain.people.selectors import visible_reps_subquery

    for username in ("admin", "vera", "walt", "erin", "will"):
        user = org.users[username]
        for day in (BEFORE, MOVE_DATE):
            ids = visible_rep_ids(user, day)
            subquery = visible_reps_subquery(user, day)
            if ids is None:
                assert subquery is None
            else:
                assert set(subquery.values_list("id", flat=True)) == ids, (username, day)


def test_a_reps_deals_are_those_owned_or_credited_once_each(org, client):
    from decimal import Decimal

    from django.urls import reverse

    from attain.sales.models import Credit
    from attain.sales.selectors import deals_of_rep

    shared = org.deals["eddie"][0]
    Credit.objects.create(deal=shared, rep=org.reps["will"], role="split", share=Decimal("0.5"))
    deals = list(deals_of_rep(org.reps["will"]))
    assert sorted(d.pk for d in deals) == sorted(d.pk for d in [*org.deals["will"], shared])
    # Walt sees Will's page and every deal on it; all are visible to Walt anyway.
    org.login(client, "walt")
    page = client.get(reverse("people:rep_detail", args=[org.reps["will"].pk]))
    assert {d.pk for d in page.context["deals"]} == {d.pk for d in deals}


def test_an_accounts_deals_are_scoped_as_every_deal_is(org):
    """Tested deal by deal, an account's deals visible to each user are the visible deals
    of that account."""
    from decimal import Decimal

    from attain.sales.models import Credit, Deal
    from attain.sales.selectors import account_deals_visible_to

    account = org.accounts["eddie"]
    Deal.objects.filter(pk=org.deals["will"][1].pk).update(account=account)
    Credit.objects.create(
        deal=org.deals["eddie"][0], rep=org.reps["wendy"], role="split", share=Decimal("0.5")
    )
    for username in ("admin", "vera", "walt", "erin", "wendy", "will", "eddie"):
        user = org.users[username]
        expected = set(deals_visible_to(user, BEFORE).filter(account=account))
        assert set(account_deals_visible_to(user, account, BEFORE)) == expected, username
    assert len(set(account_deals_visible_to(org.users["will"], account, BEFORE))) == 1
