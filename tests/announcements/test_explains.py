"""Announcements link to the plan versions and quota period they explain."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attain.announcements import selectors, services
from attain.announcements.models import Announcement
from attain.plans.models import PlanDocument
from tests.announcements.conftest import draft, publish_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    return [
        PlanDocument.objects.create(
            plan_id="ae-2026", version=2, name="AE 2026", valid_from=dt.date(2026, 1, 1)
        ),
        PlanDocument.objects.create(
            plan_id="ae-2026", version=1, name="AE 2026", valid_from=dt.date(2025, 1, 1)
        ),
    ]


@pytest.fixture
def explained(web_org, plans):
    return publish_new(
        web_org.users["admin"],
        audience="everyone",
        plans=(plans[0],),
        quota_period="2026-q1",
        quota_name="revenue",
    )


def explains_text(html: str) -> str:
    found = re.search(r'data-testid="explains">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def test_the_links_are_stored_and_the_period_normalised(explained, plans):
    assert list(explained.plans.all()) == [plans[0]]
    assert explained.quota_period == "2026-Q1" and explained.quota_name == "revenue"


@pytest.mark.parametrize("period", ["2026-Q5", "next quarter", "26-03"])
def test_a_bad_quota_period_is_refused(web_org, period):
    with pytest.raises(ValidationError, match="is not a period like"):
        services.create_draft(
            author=web_org.users["admin"], draft=draft(audience="everyone", quota_period=period)
        )


def test_a_quota_name_needs_a_period(web_org):
    with pytest.raises(ValidationError, match="period"):
        services.create_draft(
            author=web_org.users["admin"], draft=draft(audience="everyone", quota_name="revenue")
        )


@pytest.mark.parametrize(
    ("login", "plan_link"),
    [("admin", True), ("finance", True), ("vera", False), ("walt", False), ("will", False)],
)
def test_detail_shows_what_it_explains_links_only_where_allowed(
    client, web_org, explained, login, plan_link
):
    web_org.login(client, login)
    html = client.get(reverse("announcements:detail", args=[explained.pk])).content.decode()
    text = explains_text(html)
    assert "Plan ae-2026 v2" in text and "Quotas 2026-Q1 (revenue)" in text
    assert "v1" not in text
    plan_url = reverse("plans:detail", args=["ae-2026", 2])
    assert (f'href="{plan_url}"' in text) is plan_link
    quota_url = reverse("quotas:list") + "?period=2026-Q1&amp;quota=revenue"
    assert f'href="{quota_url}"' in text  # everyone may open the quotas list (their own)


def test_nothing_is_shown_when_it_explains_nothing(client, web_org):
    a = publish_new(web_org.users["admin"], audience="everyone")
    web_org.login(client, "will")
    html = client.get(reverse("announcements:detail", args=[a.pk])).content.decode()
    assert 'data-testid="explains"' not in html
    assert selectors.explains(a, web_org.users["will"]) == []


def test_a_missing_plans_page_shows_the_name_without_a_link(web_org, explained, monkeypatch):
    from django.urls import NoReverseMatch

    def no_plans(name, *args, **kwargs):
        if name.startswith("plans:"):
            raise NoReverseMatch(name)
        return real(name, *args, **kwargs)

    real = selectors.reverse
    monkeypatch.setattr(selectors, "reverse", no_plans)
    found = selectors.explains(explained, web_org.users["admin"])
    assert [(e.label, e.url) for e in found][0] == ("Plan ae-2026 v2", None)


def test_the_form_sets_and_keeps_plans_and_quota_period(client, web_org, plans):
    web_org.login(client, "walt")
    response = client.post(
        reverse("announcements:new"),
        {
            "title": "New quotas",
            "audience": "team",
            "team": web_org.teams["west"].pk,
            "why": "Because.",
            "plans": [plans[0].pk, plans[1].pk],
            "quota_period": "2026-03",
            "quota_name": "",
        },
    )
    assert response.status_code == 302
    a = Announcement.objects.get(title="New quotas")
    assert set(a.plans.all()) == set(plans) and a.quota_period == "2026-03"
    edit = client.get(reverse("announcements:edit", args=[a.pk]))
    form = edit.context["form"]
    assert set(form.initial["plans"]) == {p.pk for p in plans}
    assert form.initial["quota_period"] == "2026-03"
    bad = client.post(
        reverse("announcements:edit", args=[a.pk]),
        {
            "title": "New quotas",
            "audience": "team",
            "team": web_org.teams["west"].pk,
            "quota_period": "Q9",
            "quota_name": "revenue",
        },
    )
    assert "is not a period like" in str(bad.context["form"].errors["quota_period"])
