"""Explanations: the SQL sentences are the Python reference sentences, to the character."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine import calculate, explain, explain_sql

from .builders import assignments_for, credits_table, quotas_for
from .helpers import load_case
from .test_conformance import COMPUTED
from .test_properties import plan_variants


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_sql_explanations_match_the_reference_sentences(folder):
    lines = load_case(folder).run("oracle").lines
    assert lines.num_rows > 0
    in_python = explain.add_explanations(lines)["explanation"].to_pylist()
    in_sql = explain_sql.add_explanations(lines)["explanation"].to_pylist()
    assert in_sql == in_python
    assert all(text.endswith(".") for text in in_python)


def test_sql_explanations_of_numbers_beyond_64_bit_decimals():
    """The SQL formats wide columns from a 64-bit copy when they fit; larger values take the
    128-bit path and still read as the Python sentences do."""
    import pyarrow as pa

    lines = load_case(COMPUTED[0]).run("oracle").lines
    # Beyond DECIMAL(18, scale), yet money below the 9 × 10^16 that BIGINT cents can show.
    huge = {"base": 10**8, "period_total": 10**8, "rate": 10**13, "tier_from": 10**14,
            "tier_to": 10**14, "multiplier": 10**7}  # fmt: skip
    for name, factor in huge.items():
        column = lines[name]
        scaled = [None if v is None else v * factor + Decimal("0.5") for v in column.to_pylist()]
        position = lines.column_names.index(name)
        lines = lines.set_column(position, name, pa.array(scaled, column.type))
    in_python = explain.add_explanations(lines)["explanation"].to_pylist()
    assert any("00,000,000" in text for text in in_python)
    assert explain_sql.add_explanations(lines)["explanation"].to_pylist() == in_python


def test_money_formatting():
    assert explain.money(Decimal("12000"), "USD") == "$12,000"
    assert explain.money(Decimal("-1234.5"), "EUR") == "-€1,234.50"
    assert explain.money(Decimal("0.005"), "CHF") == "CHF 0"
    assert explain.money(Decimal("0.015"), "USD") == "$0.02"


@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    plan=plan_variants(),
    deals=st.lists(
        st.tuples(
            st.integers(1, 10**9).map(lambda c: Decimal(c).scaleb(-2)),
            st.integers(0, 180),
            st.sampled_from(["1", "0.3333"]),
            st.one_of(st.none(), st.integers(0, 60)),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_sql_explanations_match_on_generated_plans(plan, deals):
    rows = [
        {"amount": a, "day": d, "share": s, "cancel_day": None if c is None else d + c}
        for a, d, s, c in deals
    ]
    lines = calculate(
        [plan], credits_table(rows), assignments_for(["R1"]), quotas_for(["R1"]),
        period="2026-H1", backend="oracle",
    ).lines  # fmt: skip
    in_python = explain.add_explanations(lines)["explanation"].to_pylist()
    assert explain_sql.add_explanations(lines)["explanation"].to_pylist() == in_python
