from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from attain.engine.conditions import ConditionError, evaluate, parse_condition, to_sql

COLUMNS = {
    "product_family": "string",
    "amount": "number",
    "margin": "number",
    "event_date": "date",
    "is_strategic": "bool",
}


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        (
            'product_family == "X" and amount > 50000',
            {"product_family": "X", "amount": 60000},
            True,
        ),
        (
            'product_family == "X" and amount > 50000',
            {"product_family": "X", "amount": 50000},
            False,
        ),
        ("margin > 0.4 * amount", {"margin": Decimal("41"), "amount": Decimal("100")}, True),
        ("margin > 0.4 * amount", {"margin": None, "amount": Decimal("100")}, None),
        ("margin is null or margin < 0", {"margin": None}, True),
        ('product_family not in ("A", "B")', {"product_family": "C"}, True),
        ('product_family in ("A", "B")', {"product_family": "B"}, True),
        ('event_date >= date("2026-02-01")', {"event_date": dt.date(2026, 2, 1)}, True),
        ("not is_strategic", {"is_strategic": False}, True),
        ("-amount + 10 < 0", {"amount": Decimal("11")}, True),
        ("amount > 1 or margin > 1", {"amount": Decimal("2"), "margin": None}, True),
        ("amount > 1 and margin > 1", {"amount": Decimal("0"), "margin": None}, False),
    ],
)
def test_conditions_evaluate_with_sql_semantics(text, row, expected):
    assert evaluate(parse_condition(text, COLUMNS), row) is expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("amount >", "expected a value, found 'end of condition' at position 9"),
        ("amont > 5", "unknown column 'amont'"),
        ('amount == "x"', "cannot compare number with string at position 8"),
        ("amount", "a condition must be true or false"),
        ("amount / 2 > 1", "unexpected character '/' at position 8"),
        ("__import__('os')", "unknown column '__import__'"),
        ("amount > 1 and 2", "'and' joins conditions, not values"),
        ('date("2026-13-01") < event_date', "is not a YYYY-MM-DD date"),
        ("product_family in (amount)", "a list holds literal values only"),
        ("(amount > 1", "expected ')'"),
    ],
)
def test_bad_conditions_are_rejected_with_the_position(text, reason):
    with pytest.raises(ConditionError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_condition(text, COLUMNS)


def test_conditions_render_to_sqlglot_expressions_never_strings():
    node = parse_condition('product_family == "it\'s" and amount > 5', COLUMNS)
    rendered = to_sql(node)
    assert isinstance(rendered, exp.Expression)
    assert rendered.sql("duckdb") == "((product_family = 'it''s') AND (amount > 5))"
    assert "product_family" in rendered.sql("spark")


values = st.one_of(st.none(), st.integers(-5, 5).map(Decimal))
families = st.one_of(st.none(), st.sampled_from(["A", "B", "X"]))
texts = st.sampled_from(
    [
        "amount > margin",
        'amount + margin * 2 >= 3 or product_family == "X"',
        'not (amount < 0) and product_family in ("A", "X")',
        "margin is not null and -margin != amount",
        'product_family not in ("B") or amount == 1',
        '(amount > 0 or margin > 0) and not (product_family == "A")',
    ]
)


def condition_query(node, amount, margin, family) -> exp.Select:
    """``SELECT <condition> AS v`` over one row of amount, margin and product_family."""
    return exp.select(exp.alias_(to_sql(node), "v")).from_(
        exp.Values(
            expressions=[
                exp.Tuple(
                    expressions=[
                        exp.cast(
                            exp.Literal.number(str(amount)) if amount is not None else exp.Null(),
                            "DECIMAL(18,2)",
                        ),
                        exp.cast(
                            exp.Literal.number(str(margin)) if margin is not None else exp.Null(),
                            "DECIMAL(18,2)",
                        ),
                        exp.Literal.string(family)
                        if family is not None
                        else exp.cast(exp.Null(), "VARCHAR"),
                    ]
                )
            ],
            alias=exp.TableAlias(
                this=exp.to_identifier("t"),
                columns=[exp.to_identifier(c) for c in ("amount", "margin", "product_family")],
            ),
        )
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(text=texts, amount=values, margin=values, family=families)
def test_sql_rendering_agrees_with_python_evaluation(text, amount, margin, family):
    node = parse_condition(text, COLUMNS)
    query = condition_query(node, amount, margin, family)
    in_sql = duckdb.sql(query.sql("duckdb")).fetchall()[0][0]
    in_python = evaluate(node, {"amount": amount, "margin": margin, "product_family": family})
    assert in_sql == in_python
