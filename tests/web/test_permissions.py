"""Every page × every role. Adding a page is one line in PAGES.

Out-of-scope records answer 404, never 403, so ids do not leak what exists. Pages a role
may not use at all (territories for reps) answer 403; /admin/ sends non-admins to the
admin login.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.conftest import AFTER_MOVE, LOGIN_FOR_ROLE, set_today

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
ALL = {"rep": 200, "manager": 200, "finance": 200, "admin": 200}
NOT_REP = {"rep": 403, "manager": 200, "finance": 200, "admin": 200}
# Records of eddie (East, erin's team): the rep (will) and the manager (walt) must not see them.
OUTSIDE = {"rep": 404, "manager": 404, "finance": 200, "admin": 200}
# Records of wendy (West, walt's team until 2026-07-01): walt sees them, will does not.
TEAMMATE = {"rep": 404, "manager": 200, "finance": 200, "admin": 200}
ADMIN_ONLY = {"rep": 403, "manager": 403, "finance": 403, "admin": 200}
# Django admin sends everyone but admins to its own login page.
DJANGO_ADMIN = {"rep": 302, "manager": 302, "finance": 302, "admin": 200}


def rep_url(name):
    return lambda org: reverse("people:rep_detail", args=[org.reps[name].pk])


def account_url(name):
    return lambda org: reverse("sales:account_detail", args=[org.accounts[name].pk])


def deal_url(name, i=0):
    return lambda org: reverse("sales:deal_detail", args=[org.deals[name][i].pk])


def territory_url(key):
    return lambda org: reverse("territories:territory_detail", args=[org.territories[key].pk])


def forecast_url(name):
    return lambda org: reverse("forecasts:rep", args=[org.reps[name].pk])


def fixed(name):
    return lambda org: reverse(name)


# (page id, url builder, expected status per signed-in role)
# fmt: off
PAGES = [
    ("home", fixed("home"), ALL),
    ("weekly report", fixed("weekly_report"), ALL),
    ("rep list", fixed("people:rep_list"), ALL),
    ("rep suggestions", fixed("people:rep_suggest"), ALL),
    ("own rep", rep_url("will"), ALL),
    ("teammate rep", rep_url("wendy"), TEAMMATE),
    ("other team rep", rep_url("eddie"), OUTSIDE),
    ("account list", fixed("sales:account_list"), ALL),
    ("own account", account_url("will"), ALL),
    ("teammate account", account_url("wendy"), TEAMMATE),
    ("other team account", account_url("eddie"), OUTSIDE),
    ("deal list", fixed("sales:deal_list"), ALL),
    ("own won deal", deal_url("will", 0), ALL),
    ("own open deal", deal_url("will", 1), ALL),
    ("teammate deal", deal_url("wendy"), TEAMMATE),
    ("other team deal", deal_url("eddie"), OUTSIDE),
    ("other manager's deal", deal_url("erin"), OUTSIDE),
    ("forecast", fixed("forecasts:home"), ALL),
    ("own rep forecast", forecast_url("will"), ALL),
    ("teammate forecast", forecast_url("wendy"), TEAMMATE),
    ("other team forecast", forecast_url("eddie"), OUTSIDE),
    ("territory list", fixed("territories:territory_list"), NOT_REP),
    ("own subtree territory", territory_url("west"), NOT_REP),
    ("other team territory", territory_url("east"), {**OUTSIDE, "rep": 403}),
    ("imports upload", fixed("imports:upload"), ADMIN_ONLY),
    ("admin index", fixed("admin:index"), DJANGO_ADMIN),
    ("admin deals", fixed("admin:sales_deal_changelist"), DJANGO_ADMIN),
]
# fmt: on


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_matrix(client, web_org, page, url_for, expected, role):
    url = url_for(web_org)
    if role != "anonymous":
        web_org.login(client, LOGIN_FOR_ROLE[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        login = reverse("admin:login") if url.startswith("/admin/") else reverse("login")
        assert response["Location"].startswith(f"{login}?next=")
        return
    assert response.status_code == expected[role], f"{page} as {role}"
    if response.status_code == 302:  # only /admin/ redirects a signed-in user
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_login_page_refuses_non_admin_staff(client, web_org):
    """A finance login wrongly flagged as staff still cannot use Django admin."""
    finance = web_org.users["finance"]
    finance.is_staff = True
    finance.save()
    web_org.login(client, "finance")
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize(("manager", "expected"), [("walt", 404), ("erin", 200), ("vera", 200)])
def test_team_change_moves_visibility_of_wendys_deal(
    client, web_org, monkeypatch, manager, expected
):
    """After 2026-07-01 Wendy is in East: Walt loses her deals, Erin gains them."""
    set_today(monkeypatch, AFTER_MOVE)
    web_org.login(client, manager)
    response = client.get(reverse("sales:deal_detail", args=[web_org.deals["wendy"][0].pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("manager", "expected"), [("walt", 200), ("erin", 404)])
def test_before_team_change_wendy_is_walts(client, web_org, manager, expected):
    web_org.login(client, manager)
    assert client.get(rep_url("wendy")(web_org)).status_code == expected


def test_credit_makes_a_deal_visible_to_the_credited_rep(client, web_org):
    from decimal import Decimal

    from attain.sales.models import Credit

    deal = web_org.deals["eddie"][0]
    web_org.login(client, "will")
    url = reverse("sales:deal_detail", args=[deal.pk])
    assert client.get(url).status_code == 404
    Credit.objects.create(deal=deal, rep=web_org.reps["will"], role="split", share=Decimal("0.5"))
    assert client.get(url).status_code == 200


def test_logout_is_post_only_and_ends_the_session(client, web_org):
    web_org.login(client, "will")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_login_form_signs_in_and_lands_on_home(client, web_org):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "will", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    bad = client.post(reverse("login"), {"username": "will", "password": "nope"})
    assert bad.status_code == 200
    assert b"didn't match" in bad.content


def test_not_found_page_says_nothing_about_the_record(client, web_org, settings):
    settings.DEBUG = False
    web_org.login(client, "will")
    response = client.get(reverse("sales:deal_detail", args=[web_org.deals["eddie"][0].pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found." in html and "Eddie" not in html
    missing = client.get(reverse("sales:deal_detail", args=[999_999]))
    assert missing.status_code == 404 and "Page not found." in missing.content.decode()


def test_manager_login_without_a_rep_sees_no_ones_data(client, db):
    from attain.people.models import User
    from tests.factories import PASSWORD, build_org

    build_org()
    User.objects.create_user(username="lost", password=PASSWORD, role="manager")
    client.login(username="lost", password=PASSWORD)
    assert "isn't linked to a rep" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("sales:deal_list")).context["page"].paginator.count == 0
    assert client.get(reverse("territories:territory_list")).status_code == 200
