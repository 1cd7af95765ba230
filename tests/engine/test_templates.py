"""Sentence templates: a sentence expression specialised to the values of its template
columns reads the same as the whole expression on those lines."""

from __future__ import annotations

from sqlglot import exp

from attain.engine import sql as q
from attain.engine.templates import TEMPLATE_COLUMNS, specialised, template_condition


def _template(**values: str | None) -> tuple[str | None, ...]:
    return tuple(values.get(name) for name in TEMPLATE_COLUMNS)


def test_a_case_decided_by_the_template_becomes_its_branch():
    expression = q.case(
        [
            (q.eq(q.col("line_kind"), q.text("spiff")), q.text("a SPIFF")),
            (q.eq(q.col("line_kind"), q.text("earning")), q.text("an earning")),
        ],
        q.text("something else"),
    )
    assert specialised(expression, _template(line_kind="earning")).sql() == "'an earning'"
    assert specialised(expression, _template(line_kind="floor")).sql() == "'something else'"


def test_undecided_conditions_stay_and_decided_ones_go():
    expression = q.case(
        [
            (q.eq(q.col("rate_kind"), q.text("per_unit")), q.text("units")),
            (exp.GT(this=q.col("amount"), expression=q.num(0)), q.text("positive")),
        ],
        q.text("other"),
    )
    kept = specialised(expression, _template(rate_kind="percent"))
    assert kept.sql() == "CASE WHEN amount > 0 THEN 'positive' ELSE 'other' END"


def test_sql_null_logic_a_null_template_value_matches_no_comparison():
    """``basis = 'x'`` and ``NOT basis = 'x'`` are both NULL (not true) when basis is NULL;
    ``basis IS NULL`` is true."""
    equal = q.eq(q.col("basis"), q.text("attainment"))
    expression = q.case(
        [
            (equal, q.text("equal")),
            (exp.Not(this=equal.copy()), q.text("not equal")),
            (exp.Is(this=q.col("basis"), expression=q.null()), q.text("null")),
        ],
        q.text("none"),
    )
    assert specialised(expression, _template(basis=None)).sql() == "'null'"
    assert specialised(expression, _template(basis="amount")).sql() == "'not equal'"


def test_and_or_in_are_decided_three_valued():
    kinds = exp.In(this=q.col("evaluation"), expressions=[q.text("cumulative")])
    both = q.and_(kinds, q.eq(q.col("semantic"), q.text("marginal")))
    either = q.or_(q.eq(q.col("semantic"), q.text("marginal")), q.col("gated"))
    expression = q.case([(both, q.text("both")), (either, q.text("either"))], q.text("no"))
    marginal = _template(evaluation="cumulative", semantic="marginal")
    assert specialised(expression, marginal).sql() == "'both'"
    # FALSE (or NULL) AND …: the branch goes; FALSE OR gated: undecided, the branch stays.
    undecided = "CASE WHEN (semantic = 'marginal' OR gated) THEN 'either' ELSE 'no' END"
    retro = _template(evaluation="cumulative", semantic="retroactive")
    assert specialised(expression, retro).sql() == undecided
    assert specialised(expression, _template(evaluation=None, semantic=None)).sql() == undecided
    # The first branch NULL AND TRUE is NULL (goes); TRUE OR gated is TRUE.
    other = _template(evaluation=None, semantic="marginal")
    assert specialised(expression, other).sql() == "'either'"


def test_the_condition_of_a_template_matches_nulls():
    condition = template_condition(_template(line_kind="spiff")).sql()
    assert "line_kind = 'spiff'" in condition
    assert "rate_kind IS NULL" in condition
