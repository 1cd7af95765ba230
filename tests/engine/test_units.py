"""Small pieces: rounding, periods, inputs, and the engine's independence from Django."""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attain.engine
from attain.engine import InputError, calculate
from attain.engine.money import round_half_even
from attain.engine.periods import parse_period, period_of, periods_in

from .builders import assignments_for, make_plan


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_round_half_even_matches_decimal_quantize(numerator, denominator):
    exact = Fraction(numerator, denominator)
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )
    assert round_half_even(exact) == expected


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2027, 1, 1)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
    ],
)
def test_periods(label, start, end):
    period = parse_period(label)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period_of(start, period.kind) == period


def test_a_window_must_hold_whole_plan_periods():
    assert [p.label for p in periods_in(parse_period("2026-H1"), "quarter")] == [
        "2026-Q1",
        "2026-Q2",
    ]
    with pytest.raises(ValueError, match="a quarter plan cannot be calculated for 2026-03"):
        periods_in(parse_period("2026-03"), "quarter")
    with pytest.raises(ValueError, match="is not YYYY"):
        parse_period("2026-Q5")


def _credits(**overrides):
    row = {
        "credit_id": "C1",
        "deal_id": "D1",
        "rep_id": "R1",
        "share": "1",
        "event_date": "2026-01-05",
        "amount": "100.00",
    }
    row.update(overrides)
    return [row]


@pytest.mark.parametrize(
    ("credits", "message"),
    [
        (_credits(amount="100.001"), "credits, row 1, column 'amount': 100.001 has more than 2"),
        (_credits(amount="ten"), "credits, row 1, column 'amount': 'ten' is not a valid decimal"),
        (_credits(event_date="05/01/2026"), "credits, row 1, column 'event_date'"),
        (_credits(share="0"), "credits, row 1, column 'share': share must be above 0"),
        (_credits() + _credits(), "credit_id 'C1' appears twice"),
        (
            pa.table(
                {
                    "credit_id": ["C1"],
                    "deal_id": ["D1"],
                    "rep_id": ["R1"],
                    "share": [1.0],
                    "event_date": [dt.date(2026, 1, 5)],
                    "amount": ["1"],
                }
            ),
            "column 'share': is a binary float column",
        ),
        (
            [{k: v for k, v in _credits()[0].items() if k != "rep_id"}],
            "column 'rep_id': is missing",
        ),
        (_credits(period="2026-Q1"), "column 'period': is a reserved name"),
    ],
)
def test_bad_inputs_name_table_row_and_column(credits, message):
    with pytest.raises(InputError) as error:
        calculate([make_plan()], credits, assignments_for(["R1"]), period="2026-Q1")
    assert message in str(error.value)


def test_overlapping_assignments_are_ambiguous():
    assignments = assignments_for(["R1"]) * 2
    with pytest.raises(ValueError, match="rep 'R1' has overlapping plan assignments"):
        calculate([make_plan()], _credits(), assignments, period="2026-Q1")


def test_unassigned_credits_can_be_ignored_explicitly():
    result = calculate(
        [make_plan()],
        _credits(rep_id="R9"),
        assignments_for(["R1"]),
        period="2026-Q1",
        unassigned="ignore",
    )
    assert result.lines.num_rows == 0


def test_the_engine_never_imports_django():
    root = pathlib.Path(attain.engine.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "import django" not in text and "from django" not in text, path
