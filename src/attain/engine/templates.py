"""A line's sentence expression specialised to its template: DuckDB explains faster.

``explain_sql.explanation_expression`` is one expression for every kind of line: a ``CASE``
on the line kind, then on the rate kind, the semantic, the evaluation and the basis, with each
formatted number written out inside the branch that shows it. DuckDB's cost per line grows
with the size of that expression, not only with the branch a line takes. The columns that
pick the branch (``TEMPLATE_COLUMNS``) hold a few values per plan component, so the lines are
explained one template at a time: for each combination of those values that occurs, the
expression with every ``CASE`` they decide replaced by the branch they pick, over the lines
of that combination only. The text is the same; the expression DuckDB evaluates per line is a
fraction of the whole.
"""

from __future__ import annotations

from sqlglot import exp

from . import sql as q

# The columns whose values pick a line's sentence (and its currency symbol): constants of a
# plan component and line kind.
TEMPLATE_COLUMNS = ("line_kind", "rate_kind", "semantic", "evaluation", "basis", "currency")

Template = tuple[str | None, ...]  # values of TEMPLATE_COLUMNS, in that order

# Three-valued SQL logic, plus "not decided by the template's values".
TRUE, FALSE, NULL, UNDECIDED = "true", "false", "null", "undecided"


def specialised(expression: exp.Expression, template: Template) -> exp.Expression:
    """``expression`` for lines whose TEMPLATE_COLUMNS hold ``template``."""
    values = dict(zip(TEMPLATE_COLUMNS, template, strict=True))
    return _specialise(expression.copy(), values)


def _specialise(node: exp.Expression, values: dict[str, str | None]) -> exp.Expression:
    if isinstance(node, exp.Case):
        return _specialise_case(node, values)
    for key, child in list(node.args.items()):
        if isinstance(child, exp.Expression):
            node.set(key, _specialise(child, values))
        elif isinstance(child, list):
            node.set(
                key,
                [_specialise(c, values) if isinstance(c, exp.Expression) else c for c in child],
            )
    return node


def _specialise_case(case: exp.Case, values: dict[str, str | None]) -> exp.Expression:
    kept: list[tuple[exp.Expression, exp.Expression]] = []
    default = case.args.get("default")
    for branch in case.args["ifs"]:
        decided = _decide(branch.this, values)
        if decided == TRUE:
            default = branch.args["true"]
            break
        if decided == UNDECIDED:
            kept.append((branch.this, branch.args["true"]))
    chosen = q.null() if default is None else _specialise(default, values)
    if not kept:
        return chosen
    return q.case([(when, _specialise(then, values)) for when, then in kept], chosen)


def _decide(condition: exp.Expression, values: dict[str, str | None]) -> str:
    """The condition's truth for lines of the template, where the template decides it."""
    if isinstance(condition, exp.Paren):
        return _decide(condition.this, values)
    if isinstance(condition, exp.Not):
        inner = _decide(condition.this, values)
        return {TRUE: FALSE, FALSE: TRUE}.get(inner, inner)
    if isinstance(condition, (exp.And, exp.Or)):
        return _connective(condition, values)
    if isinstance(condition, exp.EQ):
        value = _template_value(condition.this, values)
        literal = condition.expression
        if value is UNDECIDED or not _is_text(literal):
            return UNDECIDED
        return NULL if value is None else _truth(value == literal.this)
    if isinstance(condition, exp.In):
        value = _template_value(condition.this, values)
        if value is UNDECIDED or not all(_is_text(e) for e in condition.expressions):
            return UNDECIDED
        return NULL if value is None else _truth(value in {e.this for e in condition.expressions})
    if isinstance(condition, exp.Is) and isinstance(condition.expression, exp.Null):
        value = _template_value(condition.this, values)
        return UNDECIDED if value is UNDECIDED else _truth(value is None)
    return UNDECIDED


def _connective(condition: exp.And | exp.Or, values: dict[str, str | None]) -> str:
    left = _decide(condition.this, values)
    right = _decide(condition.expression, values)
    absorbing, neutral = (FALSE, TRUE) if isinstance(condition, exp.And) else (TRUE, FALSE)
    if absorbing in (left, right):
        return absorbing
    if UNDECIDED in (left, right):
        return UNDECIDED
    if left == right == neutral:
        return neutral
    return NULL


def _template_value(node: exp.Expression, values: dict[str, str | None]):
    if isinstance(node, exp.Column) and not node.table and node.name in values:
        return values[node.name]
    return UNDECIDED


def _is_text(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _truth(value: bool) -> str:
    return TRUE if value else FALSE


def template_condition(template: Template) -> exp.Expression:
    """Lines of ``template`` (NULL matching NULL)."""
    return q.and_(
        *(
            exp.Is(this=q.col(name), expression=q.null())
            if value is None
            else q.eq(q.col(name), q.text(value))
            for name, value in zip(TEMPLATE_COLUMNS, template, strict=True)
        )
    )


def templates_query(source: str) -> str:
    """The templates of the lines in ``source``, in DuckDB's SQL."""
    columns = [q.col(name) for name in TEMPLATE_COLUMNS]
    return exp.select(*columns).from_(source).distinct().sql(dialect="duckdb")


def templates_of(rows: list[tuple]) -> tuple[Template, ...]:
    """The templates fetched by ``templates_query``, in a fixed order (a cache key)."""
    return tuple(sorted(rows, key=lambda t: tuple("" if v is None else v for v in t)))
