"""The run lifecycle: calculate, approve, pay; who may do what; immutability; replay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEntry
from attain.payouts import services
from attain.payouts.models import CalcRun, ImmutableError, LedgerLine

pytestmark = pytest.mark.django_db


def _start(pay_org, period="2026-02", user="admin"):
    return services.start_run(pay_org.users[user], period)


def test_run_books_hand_checked_lines(pay_org):
    run = _start(pay_org)
    assert run.status == CalcRun.Status.DRAFT
    wendy = run.lines.filter(rep=pay_org.reps["wendy"]).order_by("tier")
    assert [(x.tier, x.base, x.amount) for x in wendy] == [
        (1, Decimal("10000"), Decimal("1000.00")),
        (2, Decimal("2000"), Decimal("300.00")),
    ]
    assert wendy[0].deal == pay_org.deals["wendy"][0]
    assert "10%" in wendy[0].explanation
    assert run.total_amount == Decimal("3900.00")
    assert run.line_count == 6
    assert len(run.inputs_fingerprint) == 64 and len(run.result_fingerprint) == 64
    assert run.plan_revisions.count() == 1
    assert AuditEntry.objects.filter(object_type="payouts.CalcRun", action="started").exists()


def test_nothing_earned_outside_the_period(pay_org):
    run = _start(pay_org, "2026-03")
    assert run.status == CalcRun.Status.DRAFT
    assert run.lines.count() == 0


@pytest.mark.parametrize("who", ["vera", "walt", "wendy"])
def test_only_admin_and_finance_start_runs(pay_org, who):
    with pytest.raises(PermissionDenied):
        _start(pay_org, user=who)


def test_starter_cannot_approve_and_only_finance_approves(pay_org):
    run = _start(pay_org, user="finance")
    with pytest.raises(PermissionDenied):
        services.approve_run(pay_org.users["finance"], run)
    for who in ("admin", "vera", "wendy"):
        with pytest.raises(PermissionDenied):
            services.approve_run(pay_org.users[who], run)
    approved = services.approve_run(pay_org.users["fiona"], run)
    assert approved.status == CalcRun.Status.APPROVED
    assert approved.approved_by == pay_org.users["fiona"]
    paid = services.mark_paid(pay_org.users["finance"], approved)
    assert paid.status == CalcRun.Status.PAID
    actions = list(
        AuditEntry.objects.filter(object_id=str(run.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["started", "approved", "paid"]


def test_approved_run_and_its_lines_are_immutable(pay_org):
    run = services.approve_run(pay_org.users["finance"], _start(pay_org))
    line = run.lines.first()
    line.amount = Decimal("1.00")
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        line.delete()
    with pytest.raises(ImmutableError):
        LedgerLine.objects.filter(run=run).update(amount=Decimal("0"))
    with pytest.raises(ImmutableError):
        run.note = "changed"
        run.save()
    with pytest.raises(ImmutableError):
        run.delete()
    with pytest.raises(ValidationError):
        services.start_run(pay_org.users["admin"], "2026-02")
    with pytest.raises(ValidationError):
        services.discard_run(pay_org.users["admin"], run)


def test_new_run_discards_the_earlier_draft(pay_org):
    first = _start(pay_org)
    second = _start(pay_org)
    first.refresh_from_db()
    assert first.status == CalcRun.Status.DISCARDED
    assert second.status == CalcRun.Status.DRAFT


def test_replay_reproduces_the_run_even_after_the_data_changed(pay_org):
    run = _start(pay_org)
    deal = pay_org.deals["wendy"][0]
    deal.amount = Decimal("99999.00")
    deal.save()
    replay = services.replay_run(pay_org.users["finance"], run)
    assert replay.matches and replay.actual == run.result_fingerprint
    assert services.calculate_period("2026-02").result_fingerprint != run.result_fingerprint


def test_bad_period_is_a_clear_error(pay_org):
    with pytest.raises(ValidationError, match="not a period"):
        services.start_run(pay_org.users["admin"], "2026-13")


def test_engine_error_records_a_failed_run(pay_org):
    from attain.plans.models import PlanAssignment

    PlanAssignment.objects.create(
        rep=pay_org.reps["will"],
        plan_id="no-such-plan",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 1, 2),
    )
    run = _start(pay_org)
    assert run.status == CalcRun.Status.FAILED
    assert "no-such-plan" in run.error
