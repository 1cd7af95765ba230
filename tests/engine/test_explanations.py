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


def _formatted_in_sql(expression, rows: list[dict], types: dict[str, str]) -> list[str]:
    """``expression`` (a formatted column of explain_sql) evaluated by DuckDB on ``rows``."""
    import duckdb

    connection = duckdb.connect()
    try:
        columns = ", ".join(f"{name} {sql_type}" for name, sql_type in types.items())
        connection.execute(f"CREATE TABLE t (position INTEGER, {columns})")
        for position, row in enumerate(rows):
            values = [position, *(str(row[name]) for name in types)]
            marks = ", ".join("?" for _ in values)
            connection.execute(f"INSERT INTO t VALUES ({marks})", values)
        query = f"SELECT {expression.sql(dialect='duckdb')} FROM t ORDER BY position"
        return [text for (text,) in connection.execute(query).fetchall()]
    finally:
        connection.close()


# Whole and fractional, negative, zero, and beyond what a 64-bit copy of the column holds.
wide_decimals = st.one_of(
    st.integers(-(10**20), 10**20).map(lambda n: Decimal(n).scaleb(-8)),
    st.integers(-(10**20), 10**20).map(Decimal),
    st.integers(-(10**6), 10**6).map(lambda n: Decimal(n).scaleb(-4)),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(wide_decimals, min_size=1, max_size=20))
def test_sql_numbers_read_as_the_python_ones(values):
    """``number``: whole values written from an integer (64-bit or 128-bit), the others with
    their trailing zeros trimmed, the same text as ``explain.number``."""
    rows = [{"base": value} for value in values]
    in_sql = _formatted_in_sql(
        explain_sql._inline_formatted(explain_sql.col("n_base")),
        rows,
        {"base": "DECIMAL(38, 8)"},
    )
    assert in_sql == [explain.number(value) for value in values]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            # Up to USD 10^13, the largest a DECIMAL(18, 2) amount shows (explain_sql.money).
            st.integers(-(10**15), 10**15),
            st.integers(-(10**6), 10**6),
            st.sampled_from([0, 100, 99_999, 100_000_000_000]),
        ).map(lambda cents: Decimal(cents).scaleb(-2)),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["USD", "EUR", "CHF"]),
)
def test_sql_money_reads_as_the_python_money(amounts, currency):
    """``money``: thousands groups joined below a billion, ``format`` beyond, the sign, the
    symbol and the cents as ``explain.money`` writes them."""
    rows = [{"amount": amount, "currency": currency} for amount in amounts]
    in_sql = _formatted_in_sql(
        explain_sql._inline_formatted(explain_sql.col("m_amount")),
        rows,
        {"amount": "DECIMAL(18, 2)", "currency": "VARCHAR"},
    )
    assert in_sql == [explain.money(amount, currency) for amount in amounts]
