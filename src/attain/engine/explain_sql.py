"""Explanations computed in DuckDB, column-wise: the same sentences as ``explain.py``.

``explain.py`` is the readable definition of each sentence; this module builds the same
text as one SQL expression over the line table, so that millions of lines are explained in
seconds. A test checks that both give identical text on every conformance example.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb
import pyarrow as pa
from sqlglot import exp

from . import explain
from . import sql as q
from .explain import SYMBOLS
from .templates import (
    Template,
    specialised,
    template_condition,
    templates_of,
    templates_query,
)

# Planning the sentence query costs DuckDB a few tenths of a second; below this many lines
# the Python sentences (identical, see tests/engine/test_explanations.py) are quicker.
SQL_FROM_ROWS = 20_000

DIALECT = "duckdb"


def cat(*parts: exp.Expression | str) -> exp.Expression:
    """The parts joined, in one ``concat`` call: a chain of ``||`` copies the text built so
    far at every step. (``concat`` reads NULL as empty; no part here is NULL.)"""
    flat: list[exp.Expression] = []
    for part in parts:
        if isinstance(part, str):
            flat.append(q.text(part))
        elif isinstance(part, exp.Anonymous) and part.name == "concat":
            flat.extend(part.expressions)
        else:
            flat.append(part)
    return exp.Anonymous(this="concat", expressions=flat)


def text_of(value: exp.Expression) -> exp.Expression:
    return q.cast(value, "VARCHAR")


# The integer type a whole number is formatted from: 128-bit here, 64-bit in the copy of a
# sentence that ``_narrowed`` makes for values that fit.
WHOLE = "HUGEINT"


def number(value: exp.Expression) -> exp.Expression:
    """A decimal without trailing zeros: 2.500000 → 2.5, 10.00 → 10.

    Every number formatted here is a DECIMAL with a scale above 0 (NUMBER_OF). Most are
    whole (tier bounds, rates), and those are written from an integer: DuckDB's ``rtrim``
    cost three times as much. The others always have a digit other than 0 after the point,
    so trimming the zeros leaves no point at the end.
    """
    whole = q.eq(value, exp.Anonymous(this="trunc", expressions=[value.copy()]))
    return q.case(
        [(whole, text_of(q.cast(value.copy(), WHOLE)))],
        exp.Anonymous(this="rtrim", expressions=[text_of(value.copy()), q.text("0")]),
    )


def thousands(whole: exp.Expression) -> exp.Expression:
    """A non-negative BIGINT with thousands separators: 1234567 → 1,234,567.

    Up to a billion the groups are joined from integer arithmetic (short texts, which
    DuckDB keeps inline); ``format('{:,}')``, used beyond, cost about three times as much.
    """

    def group(divisor: int) -> exp.Expression:
        shifted = (
            whole.copy()
            if divisor == 1
            else exp.IntDiv(this=whole.copy(), expression=q.num(divisor))
        )
        part = exp.Mod(this=shifted, expression=q.num(1000))
        return exp.Pad(
            this=text_of(part), expression=q.num(3), fill_pattern=q.text("0"), is_left=True
        )

    def leading(divisor: int) -> exp.Expression:
        return text_of(exp.IntDiv(this=whole.copy(), expression=q.num(divisor)))

    below = [
        (10**3, text_of(whole.copy())),
        (10**6, cat(leading(10**3), ",", group(1))),
        (10**9, cat(leading(10**6), ",", group(10**3), ",", group(1))),
    ]
    return q.case(
        [(exp.LT(this=whole.copy(), expression=q.num(limit)), text) for limit, text in below],
        exp.Anonymous(this="format", expressions=[q.text("{:,}"), whole.copy()]),
    )


def percent(value: exp.Expression) -> exp.Expression:
    return cat(number(value), "%")


def money(value: exp.Expression, currency: exp.Expression) -> exp.Expression:
    """Half-even to the cent, thousands separators, no ``.00`` for whole amounts.

    DuckDB's ``round_even`` on a DECIMAL is exact, so the display rounding here needs none of
    the portable integer arithmetic of the calculation itself. The text is built from the
    rounded amount in whole cents as a BIGINT, whose arithmetic and formatting cost DuckDB a
    quarter of HUGEINT's. An amount too large for that (from 10^14 in a DECIMAL(18, 2)
    column, whose cents overflow its type; about 9 × 10^16 in a wider one; never seen in
    pay) stops the run with DuckDB's out-of-range error rather than show a wrong figure.
    """
    cents = q.mul(exp.Anonymous(this="round_even", expressions=[value, q.num(2)]), q.num(100))
    return _cents_text(q.cast(cents, "BIGINT"), currency)


def _cents_text(cents: exp.Expression, currency: exp.Expression) -> exp.Expression:
    magnitude = exp.Abs(this=cents)
    fraction = exp.Mod(this=magnitude.copy(), expression=q.num(100))
    symbol = q.case(
        [(q.eq(currency, q.text(code)), q.text(sign)) for code, sign in SYMBOLS.items()],
        cat(currency.copy(), " "),
    )
    sign = q.case([(exp.LT(this=cents.copy(), expression=q.num(0)), q.text("-"))], q.text(""))
    decimals = q.case(
        [(q.eq(fraction, q.num(0)), q.text(""))],
        cat(
            ".",
            exp.Pad(
                this=text_of(fraction.copy()),
                expression=q.num(2),
                fill_pattern=q.text("0"),
                is_left=True,
            ),
        ),
    )
    whole = exp.IntDiv(this=magnitude.copy(), expression=q.num(100))
    return cat(sign, symbol, thousands(whole), decimals)


def col(name: str) -> exp.Expression:
    return q.col(name)


def is_(name: str, value: str) -> exp.Expression:
    return q.eq(col(name), q.text(value))


def is_null(expression: exp.Expression) -> exp.Expression:
    return exp.Is(this=expression, expression=q.null())


CURRENCY = col("currency")


def measure(name: str) -> exp.Expression:
    value = col(name)
    unit = q.case([(q.eq(value, q.num(1)), q.text(" unit"))], q.text(" units"))
    units = cat(col(f"n_{name}"), unit)
    return q.case([(is_("rate_kind", "per_unit"), units)], col(f"m_{name}"))


def tier_range() -> exp.Expression:
    high = col("tier_to")
    low_n, high_n = col("n_tier_from"), col("n_tier_to")
    attainment = q.case(
        [(is_null(high), cat(low_n, "% of quota and above"))],
        cat(low_n, "–", high_n, "% of quota"),
    )
    units = q.case(
        [(is_null(high), cat(low_n, " units and above"))],
        cat(low_n, "–", high_n, " units"),
    )
    amounts = q.case(
        [(is_null(high), cat(col("m_tier_from"), " and above"))],
        cat(col("m_tier_from"), "–", col("m_tier_to")),
    )
    return q.case(
        [(is_("basis", "attainment"), attainment), (is_("rate_kind", "per_unit"), units)], amounts
    )


def rate_text(column: str = "rate") -> exp.Expression:
    return q.case(
        [
            (is_("rate_kind", "per_unit"), cat(col(f"m_{column}"), " per unit")),
            (is_("rate_kind", "per_deal"), cat(col(f"m_{column}"), " per deal")),
        ],
        cat(col(f"n_{column}"), "%"),
    )


def modifiers() -> exp.Expression:
    multiplier = col("multiplier")
    first = q.case(
        [
            (col("gated"), q.text(" Not paid: the attainment gate for this period was not met.")),
            (
                q.and_(
                    exp.Not(this=is_null(multiplier)),
                    exp.NEQ(this=multiplier, expression=q.num(1)),
                ),
                cat(" Includes a multiplier of ", col("n_multiplier"), "."),
            ),
        ],
        q.text(""),
    )
    cap = q.case(
        [
            (
                exp.NEQ(this=col("cap_reduction"), expression=q.num(0)),
                cat(
                    " The cap reduces it by ",
                    col("m_cap_reduction"),
                    " to ",
                    col("m_amount"),
                    ".",
                ),
            )
        ],
        q.text(""),
    )
    proration = col("proration")
    prorated = q.case(
        [
            (
                q.and_(
                    exp.Not(this=is_null(proration)),
                    exp.NEQ(this=proration, expression=q.num(1)),
                ),
                cat(
                    " Quota and target incentive are prorated to ",
                    cat(col("n_proration_percent"), "%"),
                    ".",
                ),
            )
        ],
        q.text(""),
    )
    deal_currency = col("deal_currency")
    converted = q.case(
        [
            (
                q.and_(
                    exp.Not(this=is_null(deal_currency)),
                    exp.NEQ(this=deal_currency, expression=CURRENCY),
                ),
                q.case(
                    [
                        (
                            is_null(col("fx_via")),
                            cat(" Converted from ", deal_currency, " at ", col("n_fx_rate"), "."),
                        )
                    ],
                    cat(
                        " Converted from ",
                        deal_currency.copy(),
                        " at ",
                        col("n_fx_rate"),
                        " via ",
                        col("fx_via"),
                        " (",
                        deal_currency.copy(),
                        "→",
                        col("fx_via"),
                        " ",
                        col("n_fx_rate_to_via"),
                        " × ",
                        col("fx_via"),
                        "→",
                        CURRENCY.copy(),
                        " ",
                        col("n_fx_rate_from_via"),
                        ").",
                    ),
                ),  # fmt: skip
            )
        ],
        q.text(""),
    )
    return cat(first, cap, prorated, converted)


def earning() -> exp.Expression:
    amount = col("m_amount_before_cap")
    deal = col("deal_id")
    base = measure("base")
    tier = cat("tier ", text_of(col("tier")), " (", tier_range(), ")")
    interpolated = cat(
        base, " of deal ", deal, " fell in curve segment ", text_of(col("tier")), " (",
        tier_range(), "), where payout rises from ", cat(col("n_rate_from"), "%"), " to ",
        cat(col("n_rate"), "%"), " of the ", col("m_target_incentive"),
        " target incentive: ", amount, ".",
    )  # fmt: skip
    marginal = cat(
        base, " of deal ", deal, " fell in ", tier, " at ", rate_text(), ": ", amount, "."
    )
    total_name = q.case(
        [(is_("evaluation", "cumulative_ytd"), q.text("year-to-date total"))],
        q.text("period total"),
    )
    cumulative = cat(
        "Deal ", deal, " (", base, ") is paid at the rate of ", tier,
        ", reached by the ", total_name, " of ", measure("period_total"), ": ", rate_text(),
        " = ", amount, ".",
    )  # fmt: skip
    single = cat(
        "Deal ", deal, " (", base, ") falls in ", tier, " at ", rate_text(), ": ", amount, "."
    )
    sentence = q.case(
        [
            (is_("semantic", "interpolated"), interpolated),
            (is_("semantic", "marginal"), marginal),
            (
                exp.In(
                    this=col("evaluation"),
                    expressions=[q.text(e) for e in explain.TOTAL_NAMES],
                ),
                cumulative,
            ),
        ],
        single,
    )
    return cat(sentence, modifiers())


def true_up() -> exp.Expression:
    """``explain._true_up``."""
    tier = cat("tier ", text_of(col("tier")), " (", tier_range(), ")")
    sentence = cat(
        "True-up: deal ", col("deal_id"), " (", measure("base"), "), paid at ",
        rate_text("rate_from"), " in an earlier period of the year, is re-rated at ",
        rate_text(), ", the rate of ", tier, " reached by the year-to-date total of ",
        measure("period_total"), ": ", col("m_amount_before_cap"), ".",
    )  # fmt: skip
    return cat(sentence, modifiers())


def spiff() -> exp.Expression:
    how = q.case(
        [
            (
                is_("rate_kind", "spiff_fixed"),
                cat(
                    col("m_rate"), " per deal × ",
                    cat(col("n_base_percent"), "%"), " credit share",
                ),
            )
        ],
        cat(cat(col("n_rate"), "%"), " of ", col("m_base")),
    )  # fmt: skip
    return cat(
        "SPIFF ", col("component_id"), ": deal ", col("deal_id"), " closed on ",
        text_of(col("event_date")), " within the SPIFF window: ", how, " = ",
        col("m_amount"), ".",
    )  # fmt: skip


def clawback() -> exp.Expression:
    what = q.case([(is_null(col("tier")), q.text("SPIFF"))], cat("tier ", text_of(col("tier"))))
    true_up = q.case(
        [
            (
                q.and_(is_("semantic", "retroactive"), exp.Not(this=is_null(col("rate_from")))),
                q.text(" true-up"),
            )
        ],
        q.text(""),
    )
    return cat(
        "Clawback: deal ", col("deal_id"), " was cancelled on ", text_of(col("event_date")),
        ", within the clawback window; this reverses the ", col("m_negated_amount"), true_up,
        " it earned (", col("component_id"), ", ", what, ").",
    )  # fmt: skip


def floor() -> exp.Expression:
    component = cat(
        "Floor: ", col("component_id"), " paid ", col("m_base"),
        " in this period, below its floor of ", col("m_rate"), ": topped up by ",
        col("m_amount"), ".",
    )  # fmt: skip
    plan = cat(
        "Plan floor: the plan's components paid ", col("m_base"),
        " in this period, below the plan's floor of ", col("m_rate"), ": topped up by ",
        col("m_amount"), ".",
    )  # fmt: skip
    year = cat(
        "Annual plan floor: the plan's components paid ", col("m_base"), " in ",
        text_of(exp.Year(this=col("event_date"))), ", below the plan's annual floor of ",
        col("m_rate"), ": topped up by ", col("m_amount"), " in the year's last period.",
    )  # fmt: skip
    return q.case(
        [(is_("rate_kind", "plan_floor"), plan), (is_("rate_kind", "plan_year_floor"), year)],
        component,
    )


def draw() -> exp.Expression:
    recoverable = cat(
        "Recoverable draw of ", col("m_rate"), ": net pay this period was ", col("m_base"),
        ", so the draw advances ", col("m_amount"),
        ", recovered later from pay above the draw; outstanding balance ",
        col("m_period_total"), ".",
    )  # fmt: skip
    guarantee = cat(
        "Guaranteed pay (non-recoverable draw) of ", col("m_rate"),
        ": net pay this period was ", col("m_base"), ", so the guarantee adds ",
        col("m_amount"), ", never recovered.",
    )  # fmt: skip
    return q.case([(is_("rate_kind", "recoverable"), recoverable)], guarantee)


def draw_recovery() -> exp.Expression:
    no_draw = cat(
        "Draw recovery: no draw this period; ", col("m_negated_amount"),
        " of the net pay of ", col("m_base"), " recovers the outstanding draw balance, now ",
        col("m_period_total"), ".",
    )  # fmt: skip
    above = cat(
        "Draw recovery: net pay this period was ", col("m_base"), ", ", col("m_above_draw"),
        " above the draw of ", col("m_rate"), "; ", col("m_negated_amount"),
        " of it recovers the outstanding draw balance, now ", col("m_period_total"), ".",
    )  # fmt: skip
    return q.case([(q.eq(col("rate"), q.num(0)), no_draw)], above)


def cash() -> dict[str, exp.Expression]:
    """The sentences of pay-on-cash lines (``explain._hold``, ``_release``, ``_hold_reversal``)."""
    done = q.case([(is_("rate_kind", "invoice"), q.text("invoiced"))], q.text("collected"))
    hold = cat(
        "Pay on ", col("rate_kind"), ": the ", col("m_rate"), " deal ", col("deal_id"),
        " earned (", col("component_id"), ") is held, and released as the ",
        col("d_rate_from"), " deal is ", done, ".",
    )  # fmt: skip
    released = cat(
        "Deal ", col("deal_id"), ": ", col("d_base"), " ", done.copy(), " by ",
        text_of(col("event_date")), ", ", col("d_period_total"), " of ", col("d_rate_from"),
        " so far, releases ", col("m_amount"), " of the ", col("m_rate"), " it earned (",
        col("component_id"), ").",
    )  # fmt: skip
    undone = q.case([(is_("rate_kind", "invoice"), q.text("credited back"))], q.text("refunded"))
    taken_back = cat(
        "Deal ", col("deal_id"), ": ", col("d_negated_base"), " ", undone, " by ",
        text_of(col("event_date")), ", ", col("d_period_total"), " of ", col("d_rate_from"),
        " ", done.copy(), " so far, takes back ", col("m_negated_amount"), " of the ",
        col("m_rate"), " it earned (", col("component_id"), ").",
    )  # fmt: skip
    release = q.case([(exp.LT(this=col("base"), expression=q.num(0)), taken_back)], released)
    reversal = cat(
        "Deal ", col("deal_id"), " was cancelled on ", text_of(col("event_date")),
        ": the clawback reverses the ", col("m_rate"), " it earned (", col("component_id"),
        "), of which ", col("m_base"), " was released; the ", col("m_amount"),
        " still held is never paid, so the hold is lifted.",
    )  # fmt: skip
    return {"hold": hold, "release": release, "hold_reversal": reversal}


def explanation() -> exp.Expression:
    return q.case(
        [
            *[(is_("line_kind", kind), sentence) for kind, sentence in cash().items()],
            (is_("line_kind", "draw"), draw()),
            (is_("line_kind", "draw_recovery"), draw_recovery()),
            (is_("line_kind", "floor"), floor()),
            (is_("line_kind", "spiff"), spiff()),
            (is_("line_kind", "clawback"), clawback()),
            (is_("line_kind", "true_up"), true_up()),
        ],
        earning(),
    )


MONEY_OF = {
    "m_base": col("base"),
    "m_amount_before_cap": col("amount_before_cap"),
    "m_amount": col("amount"),
    "m_negated_amount": q.neg(col("amount")),
    "m_cap_reduction": col("cap_reduction"),
    "m_rate": col("rate"),
    "m_rate_from": col("rate_from"),
    "m_target_incentive": col("target_incentive"),
    "m_period_total": col("period_total"),
    "m_tier_from": col("tier_from"),
    "m_tier_to": col("tier_to"),
    "m_above_draw": q.sub(col("base"), col("rate")),
}
# Deal amounts of pay-on-cash lines, shown in the deal's currency.
DEAL_MONEY_OF = {
    "d_base": col("base"),
    "d_negated_base": q.neg(col("base")),
    "d_period_total": col("period_total"),
    "d_rate_from": col("rate_from"),
}
NUMBER_OF = {
    "n_base": col("base"),
    "n_period_total": col("period_total"),
    "n_rate": col("rate"),
    "n_rate_from": col("rate_from"),
    "n_tier_from": col("tier_from"),
    "n_tier_to": col("tier_to"),
    "n_multiplier": col("multiplier"),
    "n_fx_rate": col("fx_rate"),
    "n_fx_rate_to_via": col("fx_rate_to_via"),
    "n_fx_rate_from_via": col("fx_rate_from_via"),
    "n_base_percent": q.mul(col("base"), q.num(100)),
    "n_proration_percent": q.mul(col("proration"), q.num(100)),
}


# The line columns held as 128-bit decimals, with their scales (results.LINE_SCHEMA). DuckDB's
# arithmetic and text on those costs about eight times that on 64-bit ones, so a value that
# fits in DECIMAL(18, scale) (every value seen in pay) is formatted from that narrower copy;
# the text is the same, and a larger value takes the wide path.
WIDE_SCALES = {
    "tier_from": 4,
    "tier_to": 4,
    "rate_from": 6,
    "rate": 6,
    "base": 8,
    "period_total": 8,
    "multiplier": 12,
}


def _narrowed(formatted: exp.Expression) -> exp.Expression:
    wide = sorted(
        {c.name for c in formatted.find_all(exp.Column) if c.name in WIDE_SCALES},
        key=list(WIDE_SCALES).index,
    )
    if not wide:
        return formatted

    def narrow(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name in WIDE_SCALES:
            return q.cast(node.copy(), f"DECIMAL(18, {WIDE_SCALES[node.name]})")
        if isinstance(node, exp.Cast) and node.to.is_type(WHOLE):
            return q.cast(node.this, "BIGINT")
        return node

    fits = q.and_(
        *(
            exp.LT(this=exp.Abs(this=col(name)), expression=q.num(10 ** (18 - WIDE_SCALES[name])))
            for name in wide
        )
    )
    return q.case([(fits, formatted.copy().transform(narrow))], formatted)


def _inline_formatted(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Column) and node.name in MONEY_OF:
        return _narrowed(money(MONEY_OF[node.name].copy(), CURRENCY))
    if isinstance(node, exp.Column) and node.name in DEAL_MONEY_OF:
        currency = q.coalesce(col("deal_currency"), CURRENCY.copy())
        return _narrowed(money(DEAL_MONEY_OF[node.name].copy(), currency))
    if isinstance(node, exp.Column) and node.name in NUMBER_OF:
        return _narrowed(number(NUMBER_OF[node.name].copy()))
    return node


def explanation_expression() -> exp.Expression:
    """The sentence of a line, as one expression over the line columns.

    Each formatted number (``m_…`` money, ``n_…`` plain numbers) is written out in place,
    inside the ``CASE`` branch that uses it, so DuckDB formats only the numbers a line's
    sentence shows (a line shows 2–5 of the 20); formatting all of them for every line was
    most of the cost.
    """
    return explanation().transform(_inline_formatted)


def explanation_for(template: Template) -> exp.Expression:
    """``explanation_expression`` for the lines of one template (templates.py)."""
    return specialised(explanation(), template).transform(_inline_formatted)


def explained_query(select: exp.Select, templates: tuple[Template, ...]) -> exp.Query:
    """``select`` (over a table of lines) with their ``explanation`` added: one part per
    template, over that template's lines, the parts in one ``UNION ALL``. DuckDB's cost per
    line grows with the size of the expression it evaluates; a template's is a fraction of
    the whole (``templates.py``)."""
    if not templates:
        return select.select(exp.alias_(explanation_expression(), "explanation"))
    query: exp.Query | None = None
    for template in templates:
        part = (
            select.copy()
            .select(exp.alias_(explanation_for(template), "explanation"))
            .where(template_condition(template))
        )
        query = part if query is None else exp.union(query, part, distinct=False)
    return query


ROW = "line_row"  # the position of a line in add_explanations' table


# Sets of templates whose SQL is kept: a server's calculations see a few plans' sets again
# and again; each SQL is tens of kilobytes.
CACHED_TEMPLATE_SETS = 32


@lru_cache(maxsize=CACHED_TEMPLATE_SETS)
def explanation_sql(templates: tuple[Template, ...]) -> str:
    """The ``explanation`` of each line of ``lines_to_explain``, in its order (the other
    columns stay in Arrow)."""
    select = exp.select(q.col(ROW)).from_("lines_to_explain")
    query = explained_query(select, templates)
    return (
        exp.select(q.col("explanation"))
        .from_(query.subquery("e"))
        .order_by(q.col(ROW))
        .sql(dialect=DIALECT)
    )


def explain_lines(lines: pa.Table) -> pa.Table:
    """Explain with whichever of the two identical implementations is faster for the size."""
    if lines.num_rows < SQL_FROM_ROWS:
        if "explanation" not in lines.column_names:
            empty = pa.array([""] * lines.num_rows, pa.string())
            lines = lines.append_column("explanation", empty)
        return explain.add_explanations(lines)
    return add_explanations(lines)


def add_explanations(lines: pa.Table) -> pa.Table:
    """``lines`` with its ``explanation`` column filled, computed in DuckDB."""
    if "explanation" not in lines.column_names:
        lines = lines.append_column("explanation", pa.array([""] * lines.num_rows, pa.string()))
    columns = [n for n in lines.column_names if n != "explanation"]
    numbered = lines.select(columns).append_column(ROW, pa.array(range(lines.num_rows), pa.int64()))
    connection = duckdb.connect()
    try:
        connection.register("lines_to_explain", numbered)
        templates = templates_of(connection.execute(templates_query("lines_to_explain")).fetchall())
        text = connection.sql(explanation_sql(templates)).to_arrow_table()["explanation"]
    finally:
        connection.close()
    position = lines.column_names.index("explanation")
    return lines.set_column(position, lines.schema.field(position), text.cast(pa.string()))
