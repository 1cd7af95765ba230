"""Submitting calls: who may, what is checked, what is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attain.audit.models import AuditEntry
from attain.forecasts.models import ForecastCall
from attain.forecasts.services import submit_call

pytestmark = pytest.mark.django_db


def submit(org, who, rep=None, **overrides):
    args = {"scope": "own", "period": "2026-Q1", "commit": "20000", "best_case": "25000.50"}
    args.update(overrides)
    return submit_call(by=org.users[who], rep=org.reps[rep or who], **args)


def test_a_rep_calls_their_own_deals(org):
    call = submit(org, "will", note="  P1 signs in March. ")
    assert (call.rep, call.scope, call.period) == (org.reps["will"], "own", "2026-Q1")
    assert (call.commit, call.best_case) == (Decimal("20000"), Decimal("25000.50"))
    assert (call.currency, call.note, call.submitted_by) == (
        "USD",
        "P1 signs in March.",
        org.users["will"],
    )
    entry = AuditEntry.objects.get(action="forecast.call")
    assert entry.actor == org.users["will"] and entry.object_id == str(call.pk)
    assert entry.after["commit"] == "20000.00"


def test_a_new_call_supersedes_without_changing_the_old_one(org):
    first = submit(org, "will")
    submit(org, "will", commit="1000", best_case="1000")
    first.refresh_from_db()
    assert first.commit == Decimal("20000.00")
    assert ForecastCall.objects.count() == 2


def test_a_manager_calls_for_the_team_they_lead(org):
    call = submit(org, "walt", scope="team", period="2026-03")
    assert (call.scope, call.period) == ("team", "2026-03")


@pytest.mark.parametrize(
    ("who", "rep", "scope", "reason"),
    [
        ("will", "wendy", "own", "only they submit it"),  # someone else's call
        ("walt", "will", "own", "only they submit it"),  # even their manager's
        ("will", "will", "team", "Only a manager"),  # a rep leads no team
        ("admin", "will", "own", "only they submit it"),
        ("finance", "will", "own", "only they submit it"),
    ],
)
def test_nobody_calls_for_someone_else(org, who, rep, scope, reason):
    with pytest.raises(PermissionDenied, match=reason):
        submit(org, who, rep=rep, scope=scope)
    assert not ForecastCall.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"period": "2025-Q4"}, "period", "Q4 2025 has ended"),
        ({"period": "2026-01"}, "period", "January 2026 has ended"),
        ({"period": "2026"}, "period", "give a month (2026-11) or a quarter"),
        ({"period": "next quarter"}, "period", "give a month"),
        ({"commit": "-1"}, "commit", "must not be negative"),
        ({"commit": "12.345"}, "commit", "more than two decimal places"),
        ({"commit": "lots"}, "commit", "'lots' is not a number"),
        ({"commit": "NaN"}, "commit", "is not a number"),
        ({"best_case": "1e20"}, "best_case", "must be at most"),
        ({"best_case": "19999.99"}, "best_case", "must be at least the commit"),
        ({"note": "x" * 2001}, "note", "at most 2000 characters"),
        ({"scope": "region"}, "scope", "'region' is not one of"),
    ],
)
def test_bad_calls_are_refused_whole(org, overrides, field, reason):
    with pytest.raises(ValidationError) as error:
        submit(org, "will", **overrides)
    assert any(reason in message for message in error.value.message_dict[field])
    assert not ForecastCall.objects.exists() and not AuditEntry.objects.exists()


def test_the_system_may_record_a_past_call(org):
    moment = timezone.make_aware(dt.datetime(2025, 11, 1, 17))
    call = submit_call(
        by=None,
        rep=org.reps["will"],
        scope="own",
        period="2025-Q4",
        commit=Decimal("100"),
        best_case=Decimal("100"),
        at=moment,
    )
    assert call.submitted_at == moment and call.submitted_by is None
    with pytest.raises(ValidationError, match="has ended"):
        submit_call(
            by=None,
            rep=org.reps["will"],
            scope="own",
            period="2025-Q3",
            commit=Decimal("100"),
            best_case=Decimal("100"),
            at=moment,
        )
