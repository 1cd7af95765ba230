"""Recalculating an open period reads that period (and a clawback's reach), not the whole year
before it, when the plans' lines depend on their own period only (``resolve.period_local``).

The proof: on every worked example, every plan period of its year after the first is
calculated twice, from the narrowed start (DuckDB) and from 1 January as before (the oracle),
and the lines and payouts must be equal.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from attain.engine import EngineError, calculate, prepare, resolve
from attain.engine.periods import parse_period, year_periods
from attain.engine.prepare import credits_read_from
from attain.engine.prepare import prepare as prepare_inputs

from .builders import make_plan
from .helpers import CONFORMANCE, load_case

CASES = sorted(p for p in CONFORMANCE.iterdir() if (p / "case.yaml").exists())
COMPUTED = [p for p in CASES if "error" not in (p / "case.yaml").read_text()]


def whole_years(window, plans, draws=False) -> dt.date:
    """The start before narrowing: 1 January of the earliest year read."""
    return dt.date(resolve.compute_from(window, plans, draws).year, 1, 1)


def later_windows(case) -> list[str]:
    """Each plan period of the example's year but the first, of its plans' shortest kind."""
    order = ("month", "quarter", "half", "year")
    kind = min((plan.period for plan in case.plans), key=order.index)
    year = parse_period(case.period).start.year
    return [p.label for p in year_periods(year, kind) if p.start > dt.date(year, 1, 1)]


def narrowed_start(case, period: str) -> dt.date:
    return prepare_inputs(
        case.plans,
        case.credits,
        case.assignments,
        case.quotas,
        **case.options() | {"period": period},
    ).compute_from


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_an_open_period_alone_gives_the_lines_of_the_whole_year(folder, monkeypatch):
    case = load_case(folder)
    narrowed = 0
    for period in later_windows(case):
        options = case.options() | {"period": period, "as_of": None}
        inputs = (case.plans, case.credits, case.assignments, case.quotas)
        try:
            start = narrowed_start(case, period)
            open_period = calculate(*inputs, backend="duckdb", **options)
        except EngineError:
            continue  # e.g. no quota for a later period in a small example
        if start.month == 1 and start.day == 1:
            continue  # not narrowed: the same computation
        narrowed += 1
        with monkeypatch.context() as patched:
            patched.setattr(prepare, "compute_from", whole_years)
            whole_year = calculate(*inputs, backend="oracle", **options)
        assert open_period.lines.equals(whole_year.lines), period
        assert open_period.payouts.equals(whole_year.payouts), period
        assert open_period.component_payouts.equals(whole_year.component_payouts), period
    if not narrowed:
        pytest.skip("no later period of this example is both narrowed and computable")


def test_most_examples_have_a_narrowed_period():
    narrowed = []
    for folder in COMPUTED:
        case = load_case(folder)
        for period in later_windows(case):
            try:
                start = narrowed_start(case, period)
            except EngineError:
                continue
            if (start.month, start.day) != (1, 1):
                narrowed.append(folder.name)
                break
    assert len(narrowed) >= 20, narrowed


# -- which plans narrow, and to where ------------------------------------------------------

Q3 = parse_period("2026-Q3")


def resolved(window=Q3, **changes):
    return resolve.resolve_plan(make_plan(**changes), window.end - dt.timedelta(days=1), window, {})


def test_a_period_local_quarterly_plan_starts_with_the_open_quarter():
    assert resolve.period_local(resolved())
    assert resolve.compute_from(Q3, [resolved()]) == dt.date(2026, 7, 1)


def test_a_monthly_plan_starts_with_the_open_month():
    august = parse_period("2026-08")
    assert resolve.compute_from(august, [resolved(august, period="month")]) == dt.date(2026, 8, 1)


def test_a_clawback_reaches_back_to_the_period_of_the_earliest_clawed_booking():
    # 1 July minus 90 days is 2 April: the second quarter.
    clawing = resolved(clawback={"within_days": 90})
    assert resolve.compute_from(Q3, [clawing]) == dt.date(2026, 4, 1)
    first = parse_period("2026-Q1")  # into the year before
    clawing = resolved(first, clawback={"within_days": 90})
    assert resolve.compute_from(first, [clawing]) == dt.date(2025, 10, 1)


YEAR_CAP = {"amount": 1000, "per": "year"}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"accumulate": "ytd"}, id="year-to-date accumulation"),
        pytest.param({"caps": [YEAR_CAP]}, id="component cap per year"),
        pytest.param({"plan_caps": [YEAR_CAP]}, id="plan cap per year"),
        pytest.param({"plan_floors": [YEAR_CAP]}, id="plan floor per year"),
        pytest.param(
            {"gates": [{"attainment_at_least": 50, "attainment_scope": "ytd"}]},
            id="gate on year-to-date attainment",
        ),
        pytest.param(
            {"multipliers": [{"factor": 2, "attainment_at_least": 50, "attainment_scope": "ytd"}]},
            id="multiplier on year-to-date attainment",
        ),
    ],
)
def test_a_plan_reading_the_year_to_date_starts_on_1_january(changes):
    plan = resolved(**changes)
    assert not resolve.period_local(plan)
    assert resolve.compute_from(Q3, [plan]) == dt.date(2026, 1, 1)


def test_earnings_released_on_cash_start_on_1_january():
    plan = make_plan().model_copy(update={"pay_on": "collection"})
    cash = resolve.resolve_plan(plan, dt.date(2026, 9, 30), Q3, {})
    assert not resolve.period_local(cash)
    assert resolve.compute_from(Q3, [cash]) == dt.date(2026, 1, 1)


def test_draws_start_on_1_january():
    assert resolve.compute_from(Q3, [resolved()], draws=True) == dt.date(2026, 1, 1)


def test_the_earliest_plan_sets_the_start():
    year_capped = resolved(caps=[YEAR_CAP])
    assert resolve.compute_from(Q3, [resolved(), year_capped]) == dt.date(2026, 1, 1)


# -- what a caller loading credits from a database needs to load --------------------------


def test_credits_read_from_tells_a_loader_where_to_start():
    schema = pa.schema([("product_family", pa.string())])
    local = make_plan(clawback={"within_days": 90})
    assert credits_read_from([local], "2026-Q3", schema) == dt.date(2026, 4, 1)
    ytd = make_plan(accumulate="ytd").model_copy(update={"id": "ytd"})
    assert credits_read_from([local, ytd], "2026-Q3", schema) == dt.date(2026, 1, 1)
    assert credits_read_from([local], "2026-Q3", schema, draws=True) == dt.date(2026, 1, 1)


def test_credits_read_from_cannot_tell_for_cash_or_unresolved_plans():
    schema = pa.schema([("product_family", pa.string())])
    cash = make_plan().model_copy(update={"pay_on": "collection"})
    assert credits_read_from([cash], "2026-Q3", schema) is None  # depends on the payments
    assert credits_read_from([make_plan()], "2025-Q3", schema) is None  # not yet in force
