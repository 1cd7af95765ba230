"""Pay on cash in the app: a plan paying on collection holds its earnings at booking, and the
deal's payments (imported, ``sales.Payment``) release them in the runs of the periods they
come in, reproducibly.

Wendy's $12,000 deal closed on 2026-02-10 earns $1,300 (conftest). It is collected in three
thirds: $4,000 on 2026-02-20, then $4,000 on 2026-03-05 and on 2026-03-25. The released
amounts are the differences of round(1,300 × collected ÷ 12,000): 433.33, then 866.67 − 433.33
= 433.34 and 1,300 − 866.67 = 433.33 (docs/plans.md, "Pay on cash").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.payouts import services
from attain.payouts.inputs import EngineInputs, build_inputs
from attain.payouts.selectors_runs import rep_totals
from attain.sales.models import Payment
from tests.payouts.conftest import MONTHLY_PLAN, add_plan

pytestmark = pytest.mark.django_db

ON_COLLECTION = MONTHLY_PLAN.replace("period: month\n", "period: month\npay_on: collection\n")


@pytest.fixture
def cash_org(pay_org):
    add_plan(ON_COLLECTION, pay_org.users["admin"])  # a new revision of ae-monthly
    deal = pay_org.deals["wendy"][0]
    for ref, day, amount in [
        ("INV-1", dt.date(2026, 2, 10), None),
        ("PAY-1", dt.date(2026, 2, 20), "4000.00"),
        ("PAY-2", dt.date(2026, 3, 5), "4000.00"),
        ("PAY-3", dt.date(2026, 3, 25), "4000.00"),
    ]:
        kind = Payment.Kind.INVOICE if amount is None else Payment.Kind.PAYMENT
        Payment.objects.create(
            external_id=ref, deal=deal, kind=kind, date=day, amount=Decimal(amount or "12000")
        )
    return pay_org


def _lines(run, rep):
    return [(x.kind, x.event_date, x.amount) for x in run.lines.filter(rep=rep).order_by("id")]


def test_earnings_are_held_at_booking_and_released_as_collected(cash_org):
    wendy, will = cash_org.reps["wendy"], cash_org.reps["will"]
    february = services.start_run(cash_org.users["admin"], "2026-02")
    assert _lines(february, wendy) == [
        ("earning", dt.date(2026, 2, 10), Decimal("1000.00")),
        ("earning", dt.date(2026, 2, 10), Decimal("300.00")),
        ("hold", dt.date(2026, 2, 10), Decimal("-1300.00")),
        ("release", dt.date(2026, 2, 20), Decimal("433.33")),
    ]
    assert "collected" in february.lines.get(rep=wendy, kind="release").explanation
    # Will's deal has no payment yet: all of it held, nothing paid.
    assert sum(x[2] for x in _lines(february, will)) == Decimal("0.00")
    per_rep, _ = rep_totals(february)
    totals = {row.rep_id: row for row in per_rep}
    assert totals[wendy.pk].net == Decimal("433.33")
    assert totals[wendy.pk].buckets == {"commission": Decimal("433.33")}
    services.approve_run(cash_org.users["finance"], february)

    march = services.start_run(cash_org.users["admin"], "2026-03")
    releases = march.lines.filter(rep=wendy, kind="release").order_by("event_date")
    assert [(x.event_date, x.amount) for x in releases] == [
        (dt.date(2026, 3, 5), Decimal("433.34")),
        (dt.date(2026, 3, 25), Decimal("433.33")),
    ]
    # Two releases of one credit in one pay period are two lines, told apart by their day.
    assert len({x.key for x in releases}) == 2
    assert not march.lines.filter(rep=wendy, kind__in=["earning", "hold"]).exists()


def test_payments_after_the_as_of_date_are_not_read(cash_org):
    inputs = build_inputs("2026-03", as_of=dt.date(2026, 3, 10))
    assert [(r["date"], r["amount"]) for r in inputs.payments.to_pylist()] == [
        (dt.date(2026, 2, 10), Decimal("12000.00")),
        (dt.date(2026, 2, 20), Decimal("4000.00")),
        (dt.date(2026, 3, 5), Decimal("4000.00")),
    ]
    assert {r["kind"] for r in inputs.payments.to_pylist()} == {"invoice", "payment"}
    assert {r["currency"] for r in inputs.payments.to_pylist()} == {"USD"}


def test_a_run_records_its_payments_and_replays_them(cash_org):
    run = services.start_run(cash_org.users["admin"], "2026-02")
    recorded = EngineInputs.from_zip(run.inputs)
    assert recorded.payments.num_rows == 2  # the invoice and the February payment
    Payment.objects.filter(external_id="PAY-1").update(amount=Decimal("6000.00"))
    replay = services.replay_run(cash_org.users["finance"], run)
    assert replay.matches
    recalculated = services.calculate_period("2026-02")
    assert recalculated.result_fingerprint != run.result_fingerprint
    assert recalculated.inputs.fingerprint() != run.inputs_fingerprint


def test_inputs_without_payments_keep_the_fingerprint_they_had(pay_org):
    inputs = build_inputs("2026-02")
    assert inputs.payments.num_rows == 0
    assert "payments.parquet" not in str(inputs.to_zip())  # zip names are stored in clear
    before = EngineInputs(
        period=inputs.period,
        as_of=inputs.as_of,
        plan_texts=inputs.plan_texts,
        credits=inputs.credits,
        assignments=inputs.assignments,
        quotas=inputs.quotas,
    )
    assert before.fingerprint() == inputs.fingerprint()


def test_a_refund_takes_back_part_of_what_was_released(cash_org):
    deal = cash_org.deals["wendy"][0]
    Payment.objects.create(
        external_id="REF-1", deal=deal, kind=Payment.Kind.REFUND, date=dt.date(2026, 3, 10),
        amount=Decimal("2000.00"),
    )  # fmt: skip
    march = services.calculate_period("2026-03")
    wendy = cash_org.reps["wendy"]
    releases = [(x.event_date, x.amount) for x in march.lines if x.rep_id == wendy.pk]
    # Collected 8,000 → 866.67 due; refunded 2,000 → 6,000 → 650.00; 10,000 → 1,083.33.
    assert releases == [
        (dt.date(2026, 3, 5), Decimal("433.34")),
        (dt.date(2026, 3, 10), Decimal("-216.67")),
        (dt.date(2026, 3, 25), Decimal("433.33")),
    ]
    refund = next(x for x in march.lines if x.event_date == dt.date(2026, 3, 10))
    assert refund.explanation.startswith("Deal D-WENDY-1: $2,000 refunded by 2026-03-10")
    assert "takes back $216.67 of the $1,300 it earned" in refund.explanation


def test_a_release_of_a_closed_period_that_no_longer_holds_is_reversed(cash_org):
    """Payment PAY-1 was released in February's approved run, then found to be a mistake
    and deleted: March reverses that release (held again until paid), as it corrects any
    line of a closed period whose inputs changed."""
    wendy = cash_org.reps["wendy"]
    february = services.start_run(cash_org.users["admin"], "2026-02")
    services.approve_run(cash_org.users["finance"], february)
    released = february.lines.get(rep=wendy, kind="release")
    Payment.objects.filter(external_id="PAY-1").delete()
    march = services.start_run(cash_org.users["admin"], "2026-03")
    reversal = march.lines.get(rep=wendy, kind="reversal")
    assert reversal.corrects_id == released.pk
    assert reversal.amount == Decimal("-433.33")
    # March releases what March's payments bring: round(1,300 × 8,000 ÷ 12,000) = 866.67
    # on the two March instalments, now the first and second thirds.
    releases = march.lines.filter(rep=wendy, kind="release").order_by("event_date")
    assert [x.amount for x in releases] == [Decimal("433.33"), Decimal("433.34")]
    assert sum(x.amount for x in march.lines.filter(rep=wendy)) == Decimal("433.34")


def test_the_ledger_corrects_every_kind_of_line_the_engine_gives():
    """Draw lines are the ledger's own (``ledger.draw_lines``), every other kind the engine
    pays is corrected when a closed period changes."""
    from attain.engine.results import PAYOUT_KINDS
    from attain.payouts.ledger import ENGINE_KINDS

    engine_kinds = {kind for _, kinds in PAYOUT_KINDS for kind in kinds}
    assert engine_kinds - {"draw", "draw_recovery"} == ENGINE_KINDS


def test_statements_show_what_is_still_held_until_paid(cash_org, client):
    """After February: 1,300 held, 433.33 released, so 866.67 still held; after March's two
    instalments nothing is. March's statement adds February's closed run to its own lines;
    the web page, the PDF and the API show the same figure."""
    from attain.payouts.statements import build_statement

    wendy = cash_org.reps["wendy"]
    february = services.start_run(cash_org.users["admin"], "2026-02")
    assert build_statement(wendy, "2026-02", february).still_held == Decimal("866.67")
    services.approve_run(cash_org.users["finance"], february)
    march = services.start_run(cash_org.users["admin"], "2026-03")
    statement = build_statement(wendy, "2026-03", march)
    assert statement.cash_before == Decimal("-866.67")
    assert statement.still_held == Decimal("0.00")
    assert statement.shows_cash
    # a draft of March is not read when February's statement is built again
    assert build_statement(wendy, "2026-02", february).still_held == Decimal("866.67")

    cash_org.login(client, "wendy")
    page = client.get(f"/pay/statements/{wendy.pk}/2026-02/").content.decode()
    assert '<span data-testid="still-held">USD 866.67</span> still held until paid' in page
    answer = client.get(f"/api/statements/{wendy.pk}/2026-02").json()
    assert answer["totals"]["still_held"] == "866.67"
    pdf = client.get(f"/pay/statements/{wendy.pk}/2026-02/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_what_is_still_held_counts_the_corrections_of_cash_lines(cash_org):
    """A release booked in February and reversed in March (its payment deleted) is held
    again: 1,300 earned, 8,000 of 12,000 collected, so 433.33 still held after March."""
    from attain.payouts.statements import build_statement, original_kind

    wendy = cash_org.reps["wendy"]
    services.approve_run(
        cash_org.users["finance"], services.start_run(cash_org.users["admin"], "2026-02")
    )
    Payment.objects.filter(external_id="PAY-1").delete()
    march = services.start_run(cash_org.users["admin"], "2026-03")
    reversal = march.lines.get(rep=wendy, kind="reversal")
    assert original_kind(reversal) == "release"
    assert build_statement(wendy, "2026-03", march).still_held == Decimal("433.33")


def test_a_rep_without_pay_on_cash_shows_nothing_held(pay_org):
    from attain.payouts.statements import build_statement

    will = pay_org.reps["will"]
    run = services.start_run(pay_org.users["admin"], "2026-02")
    statement = build_statement(will, "2026-02", run)
    assert statement.still_held == Decimal("0.00") and not statement.shows_cash


def test_a_key_names_the_kind_of_its_line():
    from attain.payouts.ledger import kind_in_key, line_key

    line = {
        "period": "2026-03", "plan_id": "p", "component_id": "c", "line_kind": "release",
        "credit_id": "C1", "tier": None, "event_date": dt.date(2026, 3, 5),
    }  # fmt: skip
    assert kind_in_key(line_key("R1", line)) == "release"
    assert kind_in_key("draw:advance:3:2026-03") is None
