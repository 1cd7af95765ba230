"""Late changes to a paid period become reversal and rebook lines in the open period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.payouts import services
from attain.payouts.models import CalcRun, LedgerLine, ManualAdjustment
from attain.plans.models import PlanAssignment
from attain.sales.models import Deal

pytestmark = pytest.mark.django_db


def _pay_february(pay_org) -> CalcRun:
    run = services.start_run(pay_org.users["admin"], "2026-02")
    run = services.approve_run(pay_org.users["finance"], run)
    return services.mark_paid(pay_org.users["finance"], run)


def test_unchanged_history_books_no_adjustment(pay_org):
    _pay_february(pay_org)
    march = services.start_run(pay_org.users["admin"], "2026-03")
    assert march.lines.count() == 0


def test_amount_edited_after_payment_reverses_and_rebooks(pay_org):
    february = _pay_february(pay_org)
    deal = pay_org.deals["will"][0]
    deal.amount = Decimal("14000.00")  # was 12,000: tier 2 now 4,000 × 15% = 600 (was 300)
    deal.save()
    march = services.start_run(pay_org.users["admin"], "2026-03")
    lines = list(march.lines.order_by("id"))
    assert [(x.kind, x.period, x.pay_period, x.tier, x.amount) for x in lines] == [
        ("reversal", "2026-02", "2026-03", 2, Decimal("-300.00")),
        ("rebook", "2026-02", "2026-03", 2, Decimal("600.00")),
    ]
    original = february.lines.get(rep=pay_org.reps["will"], tier=2)
    assert lines[0].corrects == original and lines[1].corrects == original
    assert f"#{original.pk}" in lines[0].explanation
    # the paid run is untouched
    original.refresh_from_db()
    assert original.amount == Decimal("300.00")
    # once March is closed, April books nothing more for the same change
    services.approve_run(pay_org.users["finance"], march)
    april = services.start_run(pay_org.users["admin"], "2026-04")
    assert april.lines.count() == 0


def test_deal_lost_after_payment_is_reversed_in_the_open_period(pay_org):
    _pay_february(pay_org)
    deal = pay_org.deals["eddie"][0]
    deal.status = Deal.Status.LOST
    deal.save()
    march = services.start_run(pay_org.users["admin"], "2026-03")
    lines = list(march.lines.order_by("tier"))
    assert [(x.kind, x.amount) for x in lines] == [
        ("reversal", Decimal("-1000.00")),
        ("reversal", Decimal("-300.00")),
    ]
    assert all(x.rep == pay_org.reps["eddie"] and x.corrects_id for x in lines)


def test_deal_cancelled_after_payment_is_clawed_back_pointing_at_the_paid_line(pay_org):
    february = _pay_february(pay_org)
    deal = pay_org.deals["wendy"][0]
    deal.cancellation_date = dt.date(2026, 3, 12)
    deal.save()
    march = services.start_run(pay_org.users["admin"], "2026-03")
    clawbacks = list(march.lines.filter(kind="clawback").order_by("tier"))
    assert [x.amount for x in clawbacks] == [Decimal("-1000.00"), Decimal("-300.00")]
    paid = february.lines.filter(rep=pay_org.reps["wendy"], kind="earning")
    assert {x.corrects_id for x in clawbacks} <= set(paid.values_list("id", flat=True))
    assert all(x.corrects_id for x in clawbacks)
    # February itself is never rewritten
    assert sum(x.amount for x in paid) == Decimal("1300.00")


def test_late_deal_in_a_paid_period_is_booked_late(pay_org):
    _pay_february(pay_org)
    from attain.sales.models import Credit

    late = Deal.objects.create(
        external_id="D-LATE",
        account=pay_org.accounts["will"],
        owner=pay_org.reps["will"],
        status=Deal.Status.WON,
        amount=Decimal("1000.00"),
        created_date=dt.date(2026, 2, 1),
        close_date=dt.date(2026, 2, 20),
    )
    Credit.objects.create(deal=late, rep=pay_org.reps["will"], share=Decimal("1"))
    march = services.start_run(pay_org.users["admin"], "2026-03")
    (line,) = march.lines.all()
    assert (line.kind, line.period, line.amount, line.corrects) == (
        "rebook",
        "2026-02",
        Decimal("150.00"),
        None,
    )
    assert line.explanation.startswith("Booked late for 2026-02")


def test_manual_adjustment_is_paid_once(pay_org):
    ManualAdjustment.objects.create(
        rep=pay_org.reps["wendy"],
        amount=Decimal("250.00"),
        reason="Missed split on D-X",
        created_by=pay_org.users["finance"],
    )
    february = services.start_run(pay_org.users["admin"], "2026-02")
    assert february.lines.filter(kind="manual", amount=Decimal("250.00")).count() == 1
    services.approve_run(pay_org.users["finance"], february)
    march = services.start_run(pay_org.users["admin"], "2026-03")
    assert not march.lines.filter(kind="manual").exists()


def test_recoverable_draw_is_advanced_then_recovered(pay_org):
    assignment = PlanAssignment.objects.get(rep=pay_org.reps["will"])
    assignment.draw_per_period = Decimal("1000.00")
    assignment.save()
    january = services.start_run(pay_org.users["admin"], "2026-01")
    (draw,) = january.lines.filter(rep=pay_org.reps["will"])
    assert (draw.kind, draw.amount) == (LedgerLine.Kind.DRAW, Decimal("1000.00"))
    services.approve_run(pay_org.users["finance"], january)
    february = services.start_run(pay_org.users["admin"], "2026-02")
    recovery = february.lines.get(rep=pay_org.reps["will"], kind="draw_recovery")
    # February pays 1,300; 300 above the draw goes back against the 1,000 advanced
    assert recovery.amount == Decimal("-300.00")
