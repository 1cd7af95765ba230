"""Compile resolved plans into relational queries, built as sqlglot expressions.

The program is a list of named steps; a backend materialises each step as a table, in
order. The queries use only portable SQL (window functions, CASE, integer arithmetic) so
that sqlglot can transpile them to other dialects (Spark SQL is the next backend).

Shape of one component's query (one CTE each):

    ev      credits of the plan that the measure counts, with the measure value x
    sums    x per rep and period
    tot     period (or year-to-date) total per rep and period, on the targets rows
    run     running total before each credit within the period or year
    pre     credit joined to its targets, multiplier factor and gate
    seg     one row per tier slice: GREATEST(0, LEAST(high, upper) - GREATEST(low, lower))
    rounded the slice's exact amount as integer numerator / denominator, rounded once
    cap_k   a second running sum per cap
    paid    what the component paid per rep and period, for floor top-up lines

Then the plan's lines (components, floors, SPIFFs) are unioned, clawback reversals and the
pay-on-cash hold and release lines (``cash.cash_outputs``) are derived from them, and only
the window's periods are kept. With draws, a last step sums
every plan's lines per rep and period and adds the draw lines (``draws.draw_query``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from . import sql as q
from .cash import cash_outputs
from .conditions import to_sql
from .crediting import role_filter, team_attained, team_totals, with_derived_credits
from .draws import draw_query
from .fx import deal_currency, join_rates, rate_integer
from .prepare import Prepared
from .resolve import ResolvedComponent, ResolvedPlan
from .results import LINE_SCHEMA
from .spec import FACTOR_PLACES, PERCENT_PLACES, PLAN_FLOOR_ID, RATE_PLACES

MEASURE_SCALE = 8
MEASURE = q.decimal_type(38, MEASURE_SCALE)
MONEY = q.decimal_type(18, 2)
FACTOR_UNIT = 10**FACTOR_PLACES
# The line columns that show a triangulated conversion (NULL for a direct one).
FX_DETAILS = ("fx_via", "fx_rate_to_via", "fx_rate_from_via")


@dataclass(frozen=True)
class Step:
    """A named table of the program; ``output`` (if any) reads the lines it contributes."""

    name: str
    query: exp.Query
    output: exp.Select | None = None


def sql_type(arrow_type: pa.DataType) -> exp.DataType:
    if pa.types.is_decimal(arrow_type):
        return q.decimal_type(arrow_type.precision, arrow_type.scale)
    if pa.types.is_date(arrow_type):
        return exp.DataType.build("DATE")
    if pa.types.is_int32(arrow_type):
        return exp.DataType.build("INT")
    if pa.types.is_boolean(arrow_type):
        return exp.DataType.build("BOOLEAN")
    return exp.DataType.build("VARCHAR")


OUTPUT_COLUMNS = [f for f in LINE_SCHEMA if f.name != "explanation"]


def output_select(values: dict[str, exp.Expression], source: str | exp.Expression) -> exp.Select:
    """SELECT the line columns, in schema order and type, from ``source``."""
    missing = {f.name for f in OUTPUT_COLUMNS} - set(values)
    assert not missing, missing
    return exp.select(
        *[q.alias(q.cast(values[f.name], sql_type(f.type)), f.name) for f in OUTPUT_COLUMNS]
    ).from_(source, copy=False)


def period_label(day: exp.Expression, kind: str) -> exp.Expression:
    year = q.cast(exp.Year(this=day), "VARCHAR")
    if kind == "year":
        return year
    if kind == "quarter":
        return exp.Concat(
            expressions=[year, q.text("-Q"), q.cast(exp.Quarter(this=day), "VARCHAR")]
        )
    if kind == "half":
        half = q.case(
            [(exp.LTE(this=exp.Month(this=day), expression=q.num(6)), q.text("1"))], q.text("2")
        )
        return exp.Concat(expressions=[year, q.text("-H"), half])
    month = exp.Pad(
        this=q.cast(exp.Month(this=day), "VARCHAR"),
        expression=q.num(2),
        fill_pattern=q.text("0"),
        is_left=True,
    )
    return exp.Concat(expressions=[year, q.text("-"), month])


def year_of(period: exp.Expression) -> exp.Expression:
    return exp.Substring(this=period, start=q.num(1), length=q.num(4))


def _int(value: Decimal | int, places: int) -> int:
    scaled = Decimal(value).scaleb(places)
    assert scaled == scaled.to_integral_value(), (value, places)
    return int(scaled)


def assigned_query(prepared: Prepared) -> exp.Select:
    """Credits of the computed range, each with the plan its rep was on that day."""
    credit_date = q.col("event_date", "c")
    condition = q.and_(
        q.eq(q.col("rep_id", "c"), q.col("rep_id", "a")),
        exp.LTE(this=q.col("valid_from", "a"), expression=credit_date),
        q.or_(
            exp.Is(this=q.col("valid_to", "a"), expression=q.null()),
            exp.LT(this=credit_date, expression=q.col("valid_to", "a")),
        ),
    )
    return (
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("c")), q.col("plan_id", "a"))
        .from_(exp.alias_(exp.to_table("credits"), "c", table=True), copy=False)
        .join(
            exp.alias_(exp.to_table("assignments"), "a", table=True),
            on=condition,
            join_type="left",
            copy=False,
        )
        .where(
            q.and_(
                exp.GTE(this=credit_date, expression=q.date(prepared.compute_from)),
                exp.LT(this=credit_date, expression=q.date(prepared.window.end)),
            ),
            copy=False,
        )
    )


def missing_fx_query(plan: ResolvedPlan) -> exp.Select:
    """The first credit (by id) of ``plan`` in a foreign currency without a rate (direct or
    via the plan's pivot), how many, and which legs through the pivot were found."""
    plan_currency = q.text(plan.plan.currency)
    query = exp.select(
        q.col("credit_id", "b"),
        q.col("currency", "b"),
        q.col("event_date", "b"),
        q.alias(exp.Window(this=exp.Count(this=exp.Star())), "n"),
    ).from_(exp.alias_(exp.to_table("assigned"), "b", table=True), copy=False)
    query, rates = join_rates(query, "b", plan.plan)
    return (
        query.select(
            q.alias(rates.leg_in, "leg_in"),
            q.alias(rates.leg_out, "leg_out"),
            append=True,
            copy=False,
        )  # fmt: skip
        .where(
            q.and_(
                q.eq(q.col("plan_id", "b"), q.text(plan.id)),
                exp.NEQ(this=deal_currency("b", plan_currency), expression=plan_currency),
                exp.Is(this=rates.rate, expression=q.null()),
            ),
            copy=False,
        )
        .order_by(q.col("credit_id", "b"), copy=False)
        .limit(1, copy=False)
    )


class PlanCompiler:
    def __init__(self, prepared: Prepared, plan: ResolvedPlan) -> None:
        self.prepared = prepared
        self.plan = plan
        self.kind = plan.plan.period
        self.ctes: list[tuple[str, exp.Select]] = []

    def cte(self, name: str, query: exp.Select) -> str:
        self.ctes.append((name, query))
        return name

    # -- base ------------------------------------------------------------------------------

    def clawed(self) -> exp.Expression:
        rule = self.plan.clawback
        if rule is None:
            return q.false()
        cancelled = q.col("cancellation_date")
        return q.and_(
            exp.Not(this=exp.Is(this=cancelled, expression=q.null())),
            exp.LT(this=cancelled, expression=q.date(self.prepared.window.end)),
            exp.GTE(this=cancelled, expression=q.col("event_date")),
            exp.LTE(
                this=exp.DateDiff(
                    this=cancelled, expression=q.col("event_date"), unit=exp.var("DAY")
                ),
                expression=q.num(rule.within_days),
            ),
        )

    def base(self) -> str:
        query = (
            exp.select(
                exp.Star(),
                q.alias(period_label(q.col("event_date"), self.kind), "period"),
                q.alias(q.coalesce(self.clawed(), q.false()), "clawed"),
                q.alias(period_label(q.col("cancellation_date"), self.kind), "cancel_period"),
            )
            .from_("assigned", copy=False)
            .where(q.eq(q.col("plan_id"), q.text(self.plan.id)), copy=False)
        )
        raw = self.cte("base_raw", query)
        names = [
            *self.prepared.credits.schema.names,
            "plan_id",
            "period",
            "clawed",
            "cancel_period",
        ]
        plan_currency = q.text(self.plan.plan.currency)
        # The rate that converts each credit (direct, else through the plan's pivot; NULL
        # when none: missing_fx_query stops the run first) and the legs of a triangulation.
        rated, rates = join_rates(
            exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("b"))).from_(
                exp.alias_(exp.to_table(raw), "b", table=True), copy=False
            ),
            "b",
            self.plan.plan,
        )
        rated = rated.select(
            q.alias(rates.rate, "fx_conv_rate"),
            q.alias(rates.via, "fx_via"),
            q.alias(rates.to_via, "fx_rate_to_via"),
            q.alias(rates.from_via, "fx_rate_from_via"),
            append=True,
            copy=False,
        )
        rated_cte = self.cte("base_fx", rated)
        foreign = exp.NEQ(this=deal_currency("b", plan_currency), expression=plan_currency)
        rate = q.col("fx_conv_rate", "b")

        def converted(name: str) -> exp.Expression:
            cents = q.round_half_even_division(
                q.mul(q.to_integer(q.col(name, "b"), 2), rate_integer(rate.copy())),
                q.cast(q.num(10**8), q.HUGEINT),
            )
            return q.case([(foreign.copy(), q.cents_to_money(cents))], q.col(name, "b"))

        columns = [
            q.alias(converted(n), n) if n in ("amount", "margin") else q.col(n, "b") for n in names
        ]
        query = exp.select(
            *columns,
            q.alias(deal_currency("b", plan_currency), "deal_currency"),
            q.alias(q.case([(foreign, rate)], q.dec(1, 18, 8)), "fx_rate"),
            *[q.col(name, "b") for name in FX_DETAILS],
        ).from_(exp.alias_(exp.to_table(rated_cte), "b", table=True), copy=False)
        return self.cte("base", query)

    # -- measure and running totals --------------------------------------------------------

    @staticmethod
    def measure(component: ResolvedComponent) -> tuple[exp.Expression, exp.Expression]:
        terms, filters = [], []
        for source, weight, condition in component.measure_parts:
            if source == "deals":
                value: exp.Expression = q.num(1)
            else:
                value = q.mul(q.coalesce(q.col(source), q.num(0)), q.col("share"))
            value = q.mul(q.dec(Decimal(weight), 18, 2), value)
            if condition is None:
                filters.append(q.true())
                terms.append(value)
            else:
                test = q.coalesce(to_sql(condition), q.false())
                filters.append(test)
                terms.append(q.case([(test, value)], q.num(0)))
        return q.cast(q.add(*terms), MEASURE), q.or_(*filters)

    def events(self, j: int, component: ResolvedComponent) -> str:
        value, included = self.measure(component)
        roles = role_filter(component)
        if roles is not None:
            included = q.and_(included, roles)
        ytd = component.component.accumulate == "ytd"
        conditions = [
            q.alias(
                q.coalesce(to_sql(m.condition), q.false()) if m.condition else q.true(), f"when_{k}"
            )
            for k, m in enumerate(component.multipliers)
        ]

        def select(virtual: bool) -> exp.Select:
            period = q.col("cancel_period") if virtual else q.col("period")
            return exp.select(
                q.col("rep_id"),
                q.col("credit_id"),
                q.col("deal_id"),
                q.alias(q.col("cancellation_date" if virtual else "event_date"), "day"),
                q.alias(period, "period"),
                q.alias(year_of(period) if ytd else period, "scope"),
                q.alias(q.cast(q.neg(value), MEASURE) if virtual else value, "x"),
                q.alias(q.true() if virtual else q.false(), "virtual"),
                q.col("deal_currency"),
                q.col("fx_rate"),
                *[q.col(name) for name in FX_DETAILS],
                *conditions,
            ).from_("base", copy=False)

        query: exp.Query = select(False).where(included, copy=False)
        clawback = self.plan.clawback
        if clawback is not None and clawback.reduces_attainment:
            query = exp.union(
                query,
                select(True).where(q.and_(included, q.col("clawed")), copy=False),
                distinct=False,
            )
        return self.cte(
            f"ev_{j}",
            exp.select(exp.Star()).from_(
                exp.alias_(exp.Subquery(this=query), "u", table=True), copy=False
            ),
        )

    def totals(self, j: int, component: ResolvedComponent, events: str) -> str:
        sums = self.cte(
            f"sums_{j}",
            exp.select(q.col("rep_id"), q.col("period"), q.alias(exp.Sum(this=q.col("x")), "s"))
            .from_(events, copy=False)
            .group_by(q.col("rep_id"), q.col("period"), copy=False),
        )
        period_sum = q.coalesce(q.col("s", "s"), q.num(0))
        year_to_date = q.running_sum(
            period_sum,
            [q.col("rep_id", "t"), year_of(q.col("period", "t"))],
            [q.col("period", "t")],
        )
        total = year_to_date if component.component.accumulate == "ytd" else period_sum
        query = (
            exp.select(
                q.col("rep_id", "t"),
                q.col("period", "t"),
                q.col("tier_quota", "t"),
                q.col("quota", "t"),
                q.col("ytd_quota", "t"),
                q.alias(q.cast(total, MEASURE), "total"),
                q.alias(q.cast(period_sum, MEASURE), "period_sum"),
                q.alias(q.cast(year_to_date, MEASURE), "ytd_sum"),
            )
            .from_(exp.alias_(exp.to_table("targets"), "t", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table(sums), "s", table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", "s"), q.col("rep_id", "t")),
                    q.eq(q.col("period", "s"), q.col("period", "t")),
                ),
                join_type="left",
                copy=False,
            )
            .where(
                q.and_(
                    q.eq(q.col("plan_id", "t"), q.text(self.plan.id)),
                    q.eq(q.col("component_id", "t"), q.text(component.id)),
                ),
                copy=False,
            )
        )
        return self.cte(f"tot_{j}", query)

    def running(self, j: int, events: str) -> str:
        before = q.sub(
            q.running_sum(
                q.col("x"),
                [q.col("rep_id"), q.col("scope")],
                [q.col("day"), q.col("credit_id"), q.col("virtual")],
            ),
            q.col("x"),
        )
        return self.cte(
            f"run_{j}",
            exp.select(exp.Star(), q.alias(q.cast(before, MEASURE), "before")).from_(
                events, copy=False
            ),
        )

    # -- modifiers -------------------------------------------------------------------------

    def attained(self, alias: str, level: Decimal, scope: str | None) -> exp.Expression:
        total, quota = {
            None: ("total", "tier_quota"),
            "period": ("period_sum", "quota"),
            "ytd": ("ytd_sum", "ytd_quota"),
        }[scope]
        threshold = q.mul(
            q.dec(level, 38, PERCENT_PLACES),
            q.col(quota, alias),
            q.dec(Decimal("0.01"), 3, 2),
        )
        return q.coalesce(exp.GTE(this=q.col(total, alias), expression=threshold), q.false())

    def pre(self, j: int, component: ResolvedComponent, running: str) -> tuple[str, int]:
        refs = {component.id} | {g.component or component.id for g in component.gates}
        refs |= {m.rule.component or component.id for m in component.multipliers}
        aliases = {ref: f"g{n}" for n, ref in enumerate(sorted(refs))}
        index = {c.id: n for n, c in enumerate(self.plan.components)}
        query = (
            exp.select(
                q.col("rep_id", "r"),
                q.col("credit_id", "r"),
                q.col("deal_id", "r"),
                q.col("day", "r"),
                q.col("period", "r"),
                q.col("x", "r"),
                q.col("before", "r"),
                q.alias(q.col("tier_quota", "t"), "quota"),
                q.col("target_incentive", "t"),
                q.col("year_target_incentive", "t"),
                q.col("proration", "t"),
                q.col("deal_currency", "r"),
                q.col("fx_rate", "r"),
                *[q.col(name, "r") for name in FX_DETAILS],
                q.alias(q.col("total", aliases[component.id]), "total"),
            )
            .from_(exp.alias_(exp.to_table(running), "r", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table("targets"), "t", table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", "t"), q.col("rep_id", "r")),
                    q.eq(q.col("period", "t"), q.col("period", "r")),
                    q.eq(q.col("plan_id", "t"), q.text(self.plan.id)),
                    q.eq(q.col("component_id", "t"), q.text(component.id)),
                ),
                copy=False,
            )
            .where(exp.Not(this=q.col("virtual", "r")), copy=False)
        )
        for ref, alias in sorted(aliases.items()):
            query = query.join(
                exp.alias_(exp.to_table(f"tot_{index[ref]}"), alias, table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", alias), q.col("rep_id", "r")),
                    q.eq(q.col("period", alias), q.col("period", "r")),
                ),
                join_type="left",
                copy=False,
            )
        query, team_aliases = self.team_joins(component, query)

        def attained(rule, level: Decimal) -> exp.Expression:
            ref = rule.component or component.id
            if rule.team:
                return team_attained(team_aliases[ref], level, rule.attainment_scope)
            return self.attained(aliases[ref], level, rule.attainment_scope)

        factors = []
        for k, resolved in enumerate(component.multipliers):
            rule = resolved.rule
            tests = [q.col(f"when_{k}", "r")]
            if rule.attainment_at_least is not None:
                tests.append(attained(rule, rule.attainment_at_least))
            if rule.attainment_below is not None:
                tests.append(exp.Not(this=attained(rule, rule.attainment_below)))
            factors.append(
                q.case(
                    [(q.and_(*tests), q.num(_int(rule.factor, FACTOR_PLACES)))], q.num(FACTOR_UNIT)
                )
            )
        factor = q.cast(q.mul(*factors) if factors else q.num(1), q.HUGEINT)
        gate_failures = [exp.Not(this=attained(g, g.attainment_at_least)) for g in component.gates]
        gated = q.or_(*gate_failures) if gate_failures else q.false()
        scale = FACTOR_PLACES * len(factors)
        multiplier = q.mul(
            q.cast(factor, q.decimal_type(38, 0)), q.dec(Decimal(1).scaleb(-scale), 38, scale)
        )
        query = query.select(
            q.alias(factor, "factor"),
            q.alias(q.cast(multiplier, q.decimal_type(38, 12)), "multiplier"),
            q.alias(gated, "gated"),
            q.alias(q.case([(gated, q.cast(q.num(0), q.HUGEINT))], factor), "applied"),
            append=True,
            copy=False,
        )
        return self.cte(f"pre_{j}", query), scale

    def team_joins(
        self, component: ResolvedComponent, query: exp.Select
    ) -> tuple[exp.Select, dict[str, str]]:
        """Join the team totals of the components this component's team gates and team
        multipliers test."""
        index = {c.id: n for n, c in enumerate(self.plan.components)}
        rules = [*component.gates, *(m.rule for m in component.multipliers)]
        refs = sorted({r.component or component.id for r in rules if r.team})
        aliases = {}
        for k, ref in enumerate(refs):
            alias = aliases[ref] = f"tm{k}"
            name = team_totals(self, index[ref], self.plan.component(ref))
            query = query.join(
                exp.alias_(exp.to_table(name), alias, table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", alias), q.col("rep_id", "r")),
                    q.eq(q.col("period", alias), q.col("period", "r")),
                ),
                join_type="left",
                copy=False,
            )
        return query, aliases

    # -- tiers -----------------------------------------------------------------------------

    def tier_values(self, component: ResolvedComponent) -> exp.Values:
        table = component.table
        if table.semantic == "interpolated":
            points = table.points
            rows = [
                (n + 1, p.at, nxt.at, p.payout, nxt.payout)
                for n, (p, nxt) in enumerate(zip(points, points[1:], strict=False))
            ]
        else:
            rows = [(n + 1, t.from_, t.to, None, t.rate) for n, t in enumerate(table.tiers)]
        tuples = [
            exp.Tuple(
                expressions=[
                    q.num(tier),
                    q.dec(low, 38, PERCENT_PLACES),
                    q.dec(high, 38, PERCENT_PLACES),
                    q.dec(rate_from, 38, RATE_PLACES),
                    q.dec(rate, 38, RATE_PLACES),
                ]
            )
            for tier, low, high, rate_from, rate in rows
        ]
        columns = ["tier", "tier_from", "tier_to", "rate_from", "rate"]
        return exp.Values(
            expressions=tuples,
            alias=exp.TableAlias(
                this=exp.to_identifier("tiers"), columns=[exp.to_identifier(c) for c in columns]
            ),
        )

    def to_amount(self, component: ResolvedComponent, bound: exp.Expression) -> exp.Expression:
        if component.table.basis == "attainment":
            return q.cast(q.mul(bound, q.col("quota"), q.dec(Decimal("0.01"), 3, 2)), MEASURE)
        return q.cast(bound, MEASURE)

    def segments(self, j: int, component: ResolvedComponent, pre: str, scale: int) -> str:
        table = component.table
        tiers = self.tier_values(component)
        base_cols = [exp.Star()]
        if table.semantic == "retroactive":
            cumulative = table.evaluation == "cumulative"
            reference = q.col("total") if cumulative else q.col("x")
            lowers = [
                self.to_amount(component, q.dec(t.from_, 38, PERCENT_PLACES))
                for t in table.tiers[1:]
            ]
            compare = exp.GTE if table.tie_break == "higher" else exp.GT
            tier_no = q.add(
                q.num(1),
                *[
                    q.case([(compare(this=reference, expression=low), q.num(1))], q.num(0))
                    for low in lowers
                ],
            )
            picked = self.cte(
                f"pick_{j}",
                exp.select(
                    *base_cols,
                    q.alias(tier_no, "tier_no"),
                    q.alias(q.cast(reference, MEASURE), "reference"),
                ).from_(pre, copy=False),
            )
            numerator, denominator = retro_fraction(
                table.rate, q.col("x"), q.col("rate"), q.col("applied"), scale
            )
            query = (
                exp.select(
                    exp.Star(),
                    q.alias(q.col("x"), "piece"),
                    q.alias(q.cast(numerator, q.HUGEINT), "numerator"),
                    q.alias(q.cast(q.num(denominator), q.HUGEINT), "denominator"),
                    q.alias(
                        q.col("reference") if cumulative else q.cast(q.null(), MEASURE),
                        "period_total",
                    ),
                )
                .from_(picked, copy=False)
                .join(tiers, on=q.eq(q.col("tier", "tiers"), q.col("tier_no")), copy=False)
            )
            return self.cte(f"seg_{j}", query)
        cumulative = table.evaluation == "cumulative"
        low = q.col("before") if cumulative else q.cast(q.num(0), MEASURE)
        high = q.add(q.col("before"), q.col("x")) if cumulative else q.col("x")
        lower = self.to_amount(component, q.col("tier_from", "tiers"))
        upper = self.to_amount(component, q.col("tier_to", "tiers"))
        top = q.case(
            [(exp.Is(this=q.col("tier_to", "tiers"), expression=q.null()), high)],
            q.least(high, upper),
        )
        piece = q.cast(
            q.greatest(q.cast(q.num(0), MEASURE), q.sub(top, q.greatest(low, lower))), MEASURE
        )
        # piece > 0 exactly when min(high, upper) > max(low, lower): four plain comparisons
        # (NULL, as piece would be, when a bound is NULL). The engine tests this on every
        # (row, tier) pair, so it must be cheap; the piece is computed on the pairs kept.
        overlaps = q.and_(
            exp.GT(this=high.copy(), expression=low.copy()),
            exp.GT(this=high.copy(), expression=lower.copy()),
            q.or_(
                exp.Is(this=q.col("tier_to", "tiers"), expression=q.null()),
                q.and_(
                    exp.GT(this=upper.copy(), expression=low.copy()),
                    exp.GT(this=upper.copy(), expression=lower.copy()),
                ),
            ),
        )
        sliced = self.cte(
            f"slice_{j}",
            exp.select(
                exp.Star(),
                q.alias(piece, "piece"),
                q.alias(lower, "lower_amount"),
                q.alias(upper, "upper_amount"),
            )
            .from_(pre, copy=False)
            .join(tiers, join_type="cross", copy=False)
            .where(overlaps, copy=False),
        )
        piece_int = q.to_integer(q.col("piece"), MEASURE_SCALE)
        if table.semantic == "marginal":
            rate_int = q.to_integer(q.col("rate"), RATE_PLACES)
            extra = [q.num(100)] if table.rate == "per_unit" else []
            numerator = q.mul(piece_int, rate_int, q.col("applied"), *extra)
            denominator: exp.Expression = q.cast(
                q.num(10 ** (MEASURE_SCALE + RATE_PLACES + scale)), q.HUGEINT
            )
        else:
            incentive = q.to_integer(q.col("target_incentive"), 2)
            rise = q.to_integer(q.sub(q.col("rate"), q.col("rate_from")), PERCENT_PLACES)
            width = q.to_integer(q.sub(q.col("upper_amount"), q.col("lower_amount")), MEASURE_SCALE)
            numerator = q.mul(incentive, rise, piece_int, q.col("applied"))
            denominator = q.mul(
                width, q.cast(q.num(100 * 10**PERCENT_PLACES * 10**scale), q.HUGEINT)
            )
        query = exp.select(
            exp.Star(),
            q.alias(q.cast(numerator, q.HUGEINT), "numerator"),
            q.alias(q.cast(denominator, q.HUGEINT), "denominator"),
            q.alias(q.cast(q.null(), MEASURE), "period_total"),
        ).from_(sliced, copy=False)
        return self.cte(f"seg_{j}", query)

    # -- true-ups --------------------------------------------------------------------------

    def true_ups(self, j: int, component: ResolvedComponent, rounded: str, scale: int) -> str:
        """The earning rows of a year-to-date retroactive table with its true-up rows: in each
        period whose rate (of the tier the year-to-date total reaches) differs from the
        previous period's, each earlier credit of the year that is not gated nor clawed back
        by then is re-rated: what it earns at the new rate less what it earned at the old one,
        each rounded half-even to the cent (docs/plans.md, "True-ups")."""
        table = component.table
        picked = self.cte(
            f"trate_pick_{j}",
            exp.select(
                q.col("rep_id"),
                q.col("period"),
                q.col("total"),
                q.alias(q.col("tier_quota"), "quota"),
            ).from_(f"tot_{j}", copy=False),
        )
        lowers = [
            self.to_amount(component, q.dec(t.from_, 38, PERCENT_PLACES)) for t in table.tiers[1:]
        ]
        compare = exp.GTE if table.tie_break == "higher" else exp.GT
        tier_no = q.add(
            q.num(1),
            *[
                q.case([(compare(this=q.col("total"), expression=low), q.num(1))], q.num(0))
                for low in lowers
            ],
        )
        picked = self.cte(
            f"trate_no_{j}",
            exp.select(exp.Star(), q.alias(tier_no, "tier_no")).from_(picked, copy=False),
        )
        previous = exp.Window(
            this=exp.Lag(this=q.col("rate", "tiers")),
            partition_by=[q.col("rep_id", "p"), year_of(q.col("period", "p"))],
            order=exp.Order(expressions=[exp.Ordered(this=q.col("period", "p"))]),
        )
        rates = self.cte(
            f"trate_{j}",
            exp.select(
                q.col("rep_id", "p"),
                q.col("period", "p"),
                q.col("total", "p"),
                q.col("quota", "p"),
                q.col("tier", "tiers"),
                q.col("tier_from", "tiers"),
                q.col("tier_to", "tiers"),
                q.col("rate", "tiers"),
                q.alias(previous, "prev_rate"),
            )
            .from_(exp.alias_(exp.to_table(picked), "p", table=True), copy=False)
            .join(
                self.tier_values(component),
                on=q.eq(q.col("tier", "tiers"), q.col("tier_no", "p")),
                copy=False,
            ),
        )

        def cents(rate: exp.Expression) -> exp.Expression:
            numerator, denominator = retro_fraction(
                table.rate, q.col("x", "e"), rate, q.col("applied", "e"), scale
            )
            return q.round_half_even_division(
                q.cast(numerator, q.HUGEINT), q.cast(q.num(denominator), q.HUGEINT)
            )

        difference = q.sub(cents(q.col("rate", "r")), cents(q.col("prev_rate", "r")))
        values = {
            "rep_id": q.col("rep_id", "e"),
            "period": q.col("period", "r"),
            "day": q.col("period_last_day", "t"),
            "credit_id": q.col("credit_id", "e"),
            "deal_id": q.col("deal_id", "e"),
            "tier": q.col("tier", "r"),
            "tier_from": q.col("tier_from", "r"),
            "tier_to": q.col("tier_to", "r"),
            "rate_from": q.col("prev_rate", "r"),
            "rate": q.col("rate", "r"),
            "piece": q.col("x", "e"),
            "period_total": q.col("total", "r"),
            "quota": q.col("quota", "r"),
            "target_incentive": q.col("target_incentive", "t"),
            "year_target_incentive": q.col("year_target_incentive", "t"),
            "proration": q.col("proration", "t"),
            "deal_currency": q.col("deal_currency", "e"),
            "fx_rate": q.col("fx_rate", "e"),
            **{name: q.col(name, "e") for name in FX_DETAILS},
            "multiplier": q.col("multiplier", "e"),
            "gated": q.col("gated", "e"),
            "amount_0": q.cents_to_money(difference),
            "line_kind": q.text("true_up"),
        }
        types = {
            "rate_from": q.decimal_type(38, RATE_PLACES),
            "piece": MEASURE,
            "period_total": MEASURE,
            "amount_0": MONEY,
        }

        def select(columns: dict[str, exp.Expression]) -> exp.Select:
            return exp.select(
                *[q.alias(q.cast(v, types[k]) if k in types else v, k) for k, v in columns.items()]
            )

        earnings = select({k: q.col(k) for k in values} | {"line_kind": q.text("earning")})
        earnings = earnings.from_(rounded, copy=False)
        same_year = q.eq(year_of(q.col("period", "r")), year_of(q.col("period", "e")))
        kept = exp.Not(
            this=q.and_(
                q.col("clawed", "b"),
                exp.LTE(this=q.col("cancel_period", "b"), expression=q.col("period", "r")),
            )
        )
        re_rated = (
            select(values)
            .from_(exp.alias_(exp.to_table(rounded), "e", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table(rates), "r", table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", "r"), q.col("rep_id", "e")),
                    same_year,
                    exp.GT(this=q.col("period", "r"), expression=q.col("period", "e")),
                ),
                copy=False,
            )
            .join(
                exp.alias_(exp.to_table("targets"), "t", table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", "t"), q.col("rep_id", "r")),
                    q.eq(q.col("period", "t"), q.col("period", "r")),
                    q.eq(q.col("plan_id", "t"), q.text(self.plan.id)),
                    q.eq(q.col("component_id", "t"), q.text(component.id)),
                ),
                copy=False,
            )
            .join(
                exp.alias_(exp.to_table("base"), "b", table=True),
                on=q.eq(q.col("credit_id", "b"), q.col("credit_id", "e")),
                copy=False,
            )
            .where(
                q.and_(
                    exp.Not(this=q.col("gated", "e")),
                    exp.NEQ(this=q.col("rate", "r"), expression=q.col("prev_rate", "r")),
                    kept,
                ),
                copy=False,
            )
        )
        return self.cte(f"trued_{j}", _union([earnings, re_rated]))

    # -- rounding and caps -----------------------------------------------------------------

    def rounded(self, j: int, segments: str) -> str:
        cents = q.round_half_even_division(q.col("numerator"), q.col("denominator"))
        return self.cte(
            f"rounded_{j}",
            exp.select(exp.Star(), q.alias(q.cents_to_money(cents), "amount_0")).from_(
                segments, copy=False
            ),
        )

    def capped(self, j: int, component: ResolvedComponent, source: str) -> tuple[str, str]:
        current = "amount_0"
        for k, cap in enumerate(component.caps):
            scope = q.col("period") if cap.per == "period" else year_of(q.col("period"))
            cumulative = q.running_sum(
                q.col(current),
                [q.col("rep_id"), scope],
                [q.col("day"), q.col("credit_id"), q.col("tier")],
            )
            limit = _cap_limit(cap, "target_incentive", "year_target_incentive")
            with_cum = self.cte(
                f"capsum_{j}_{k}",
                exp.select(
                    exp.Star(), q.alias(cumulative, f"cum_{k}"), q.alias(limit, f"limit_{k}")
                ).from_(source, copy=False),
            )
            paid = q.sub(
                q.least(q.col(f"cum_{k}"), q.col(f"limit_{k}")),
                q.least(q.sub(q.col(f"cum_{k}"), q.col(current)), q.col(f"limit_{k}")),
            )
            nxt = f"amount_{k + 1}"
            source = self.cte(
                f"cap_{j}_{k}",
                exp.select(exp.Star(), q.alias(q.cast(paid, MONEY), nxt)).from_(
                    with_cum, copy=False
                ),
            )
            current = nxt
        return source, current

    def measure_ctes(self, j: int, component: ResolvedComponent) -> str:
        """Events, totals and running totals of a component; returns the running CTE's name."""
        events = self.events(j, component)
        self.totals(j, component, events)
        return self.running(j, events)

    def component_output(
        self, j: int, component: ResolvedComponent, pre: str, scale: int
    ) -> exp.Select:
        table = component.table
        segments = self.segments(j, component, pre, scale)
        rounded = self.rounded(j, segments)
        kind: exp.Expression = q.text("earning")
        if component.trues_up:
            rounded, kind = self.true_ups(j, component, rounded, scale), q.col("line_kind")
        source, amount = self.capped(j, component, rounded)
        values = {
            "rep_id": q.col("rep_id"),
            "period": q.col("period"),
            "plan_id": q.text(self.plan.id),
            "plan_version": q.num(self.plan.plan.version),
            "component_id": q.text(component.id),
            "line_kind": kind,
            "event_date": q.col("day"),
            "credit_id": q.col("credit_id"),
            "deal_id": q.col("deal_id"),
            "tier": q.col("tier"),
            "basis": q.text(table.basis),
            "semantic": q.text(table.semantic),
            "evaluation": q.text(component.line_evaluation),
            "rate_kind": q.text(table.rate),
            "tier_from": q.col("tier_from"),
            "tier_to": q.col("tier_to"),
            "rate_from": q.col("rate_from"),
            "rate": q.col("rate"),
            "base": q.col("piece"),
            "period_total": q.col("period_total"),
            "quota": q.col("quota"),
            "target_incentive": q.col("target_incentive"),
            "proration": q.col("proration"),
            "deal_currency": q.col("deal_currency"),
            "fx_rate": q.col("fx_rate"),
            **{name: q.col(name) for name in FX_DETAILS},
            "multiplier": q.col("multiplier"),
            "gated": q.col("gated"),
            "amount_before_cap": q.col("amount_0"),
            "cap_reduction": q.sub(q.col("amount_0"), q.col(amount)),
            "amount": q.col(amount),
            "currency": q.text(self.plan.plan.currency),
        }
        return output_select(values, source)

    def plan_targets(self) -> str:
        """Per rep and period on the plan: the period's last day and the sums of the
        components' period and year target incentives (for plan caps and plan floors)."""
        if not any(name == "plan_targets" for name, _ in self.ctes):
            self.cte(
                "plan_targets",
                exp.select(
                    q.col("rep_id"),
                    q.col("period"),
                    q.alias(exp.Max(this=q.col("period_last_day")), "period_last_day"),
                    q.alias(exp.Sum(this=q.col("target_incentive")), "plan_incentive"),
                    q.alias(exp.Sum(this=q.col("year_target_incentive")), "plan_year_incentive"),
                )
                .from_("targets", copy=False)
                .where(q.eq(q.col("plan_id"), q.text(self.plan.id)), copy=False)
                .group_by(q.col("rep_id"), q.col("period"), copy=False),
            )
        return "plan_targets"

    def plan_capped(self, earnings: str) -> str:
        """Caps on all components together: a running sum over the plan's earning lines."""
        incentives = self.plan_targets()
        source = self.cte(
            "plan_cap_in",
            exp.select(
                exp.Column(this=exp.Star(), table=exp.to_identifier("e")),
                q.col("plan_incentive", "i"),
                q.col("plan_year_incentive", "i"),
            )
            .from_(exp.alias_(exp.to_table(earnings), "e", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table(incentives), "i", table=True),
                on=q.and_(
                    q.eq(q.col("rep_id", "i"), q.col("rep_id", "e")),
                    q.eq(q.col("period", "i"), q.col("period", "e")),
                ),
                join_type="left",
                copy=False,
            ),
        )
        order = [q.col("event_date"), q.col("credit_id"), q.col("component_id"), q.col("tier")]
        for k, cap in enumerate(self.plan.caps):
            scope = q.col("period") if cap.per == "period" else year_of(q.col("period"))
            cumulative = q.running_sum(q.col("amount"), [q.col("rep_id"), scope], order)
            limit = _cap_limit(cap, "plan_incentive", "plan_year_incentive")
            summed = self.cte(
                f"plan_capsum_{k}",
                exp.select(
                    exp.Star(), q.alias(cumulative, "plan_cum"), q.alias(limit, "plan_limit")
                ).from_(source, copy=False),
            )
            paid = q.cast(
                q.sub(
                    q.least(q.col("plan_cum"), q.col("plan_limit")),
                    q.least(q.sub(q.col("plan_cum"), q.col("amount")), q.col("plan_limit")),
                ),
                MONEY,
            )
            values = {f.name: q.col(f.name) for f in OUTPUT_COLUMNS}
            values["cap_reduction"] = q.add(q.col("cap_reduction"), q.sub(q.col("amount"), paid))
            values["amount"] = paid
            capped = output_select(values, summed).select(
                q.col("plan_incentive"), q.col("plan_year_incentive"), append=True, copy=False
            )
            source = self.cte(f"plan_cap_{k}", capped)
        result = output_select({f.name: q.col(f.name) for f in OUTPUT_COLUMNS}, source)
        return self.cte("earnings_capped", result)

    def floor_output(self, j: int, component: ResolvedComponent, earnings: str) -> exp.Select:
        paid = self.cte(
            f"paid_{j}",
            exp.select(
                q.col("rep_id"), q.col("period"), q.alias(exp.Sum(this=q.col("amount")), "paid")
            )
            .from_(earnings, copy=False)
            .where(q.eq(q.col("component_id"), q.text(component.id)), copy=False)
            .group_by(q.col("rep_id"), q.col("period"), copy=False),
        )
        limits = []
        for floor in component.floors:
            if floor.amount is not None:
                limits.append(q.dec(floor.amount, 18, 2))
            else:
                limits.append(
                    q.cents_to_money(
                        q.round_half_even_division(
                            q.mul(
                                q.to_integer(q.col("target_incentive", "t"), 2),
                                q.num(_int(floor.multiple_of_target, FACTOR_PLACES)),
                            ),
                            q.cast(q.num(FACTOR_UNIT), q.HUGEINT),
                        )
                    )
                )
        limit = q.cast(q.greatest(*limits) if len(limits) > 1 else limits[0], MONEY)
        earned = q.coalesce(q.col("paid", "p"), q.num(0))
        top_up = q.sub(limit, earned)
        values = {
            "rep_id": q.col("rep_id", "t"),
            "period": q.col("period", "t"),
            "plan_id": q.text(self.plan.id),
            "plan_version": q.num(self.plan.plan.version),
            "component_id": q.text(component.id),
            "line_kind": q.text("floor"),
            "event_date": q.col("period_last_day", "t"),
            "credit_id": q.null(),
            "deal_id": q.null(),
            "tier": q.null(),
            "basis": q.null(),
            "semantic": q.null(),
            "evaluation": q.null(),
            "rate_kind": q.text("floor"),
            "tier_from": q.null(),
            "tier_to": q.null(),
            "rate_from": q.null(),
            "rate": limit,
            "base": earned,
            "period_total": q.null(),
            "quota": q.col("tier_quota", "t"),
            "target_incentive": q.col("target_incentive", "t"),
            "proration": q.col("proration", "t"),
            "deal_currency": q.null(),
            "fx_rate": q.null(),
            **{name: q.null() for name in FX_DETAILS},
            "multiplier": q.null(),
            "gated": q.false(),
            "amount_before_cap": top_up,
            "cap_reduction": q.num(0),
            "amount": top_up,
            "currency": q.text(self.plan.plan.currency),
        }
        query = output_select(values, exp.alias_(exp.to_table("targets"), "t", table=True))
        return query.join(
            exp.alias_(exp.to_table(paid), "p", table=True),
            on=q.and_(
                q.eq(q.col("rep_id", "p"), q.col("rep_id", "t")),
                q.eq(q.col("period", "p"), q.col("period", "t")),
            ),
            join_type="left",
            copy=False,
        ).where(
            q.and_(
                q.eq(q.col("plan_id", "t"), q.text(self.plan.id)),
                q.eq(q.col("component_id", "t"), q.text(component.id)),
                exp.LT(this=earned, expression=limit),
            ),
            copy=False,
        )

    def plan_floor_outputs(self, paid_lines: str) -> list[exp.Select]:
        """Plan floors over ``paid_lines`` (earnings after every cap, and the components' own
        floor top-ups): per rep and period, a top-up to the highest period floor; then per rep
        and year, in the year's last plan period, a top-up to the highest year floor of what
        the year paid, period top-ups included."""
        targets = self.plan_targets()
        paid = self.cte(
            "plan_paid",
            exp.select(
                q.col("rep_id"), q.col("period"), q.alias(exp.Sum(this=q.col("amount")), "paid")
            )
            .from_(paid_lines, copy=False)
            .group_by(q.col("rep_id"), q.col("period"), copy=False),
        )
        outputs: list[exp.Select] = []
        paid_parts = [
            exp.select(q.col("rep_id"), q.col("period"), q.col("amount")).from_(paid_lines)
        ]
        period_floors = [f for f in self.plan.floors if f.per == "period"]
        if period_floors:
            top_ups = self.cte(
                "plan_period_floors",
                self.plan_floor_select(
                    period_floors, targets, paid, "plan_floor", "plan_incentive", "period"
                ),
            )
            outputs.append(exp.select(exp.Star()).from_(top_ups, copy=False))
            paid_parts.append(
                exp.select(q.col("rep_id"), q.col("period"), q.col("amount")).from_(top_ups)
            )
        year_floors = [f for f in self.plan.floors if f.per == "year"]
        if year_floors:
            year_paid = self.cte(
                "plan_year_paid",
                exp.select(
                    q.col("rep_id"),
                    q.alias(year_of(q.col("period")), "paid_year"),
                    q.alias(exp.Sum(this=q.col("amount")), "paid"),
                )
                .from_(
                    exp.alias_(exp.Subquery(this=_union(paid_parts)), "y", table=True), copy=False
                )
                .group_by(q.col("rep_id"), year_of(q.col("period")), copy=False),
            )
            last = {"year": "", "half": "-H2", "quarter": "-Q4", "month": "-12"}[self.kind]
            year_end = q.eq(
                q.col("period", "t"),
                exp.Concat(expressions=[year_of(q.col("period", "t")), q.text(last)])
                if last
                else q.col("period", "t"),
            )
            query = self.plan_floor_select(
                year_floors,
                targets,
                year_paid,
                "plan_year_floor",
                "plan_year_incentive",
                "paid_year",
            )
            outputs.append(query.where(year_end, copy=False))
        return outputs

    def plan_floor_select(
        self,
        floors: list,
        targets: str,
        paid: str,
        kind: str,
        incentive: str,
        paid_key: str,
    ) -> exp.Select:
        """Top-up lines of ``floors`` (all of one ``per``) from ``targets`` joined to what was
        ``paid`` per rep and ``paid_key`` (``period``, or ``paid_year``: the period's year)."""
        limits = [_cap_limit(f, "plan_incentive", "plan_year_incentive") for f in floors]
        limit = q.cast(q.greatest(*limits) if len(limits) > 1 else limits[0], MONEY)
        earned = q.coalesce(q.col("paid", "p"), q.num(0))
        top_up = q.sub(limit, earned)
        values = {f.name: q.null() for f in OUTPUT_COLUMNS}
        values.update(
            {
                "rep_id": q.col("rep_id", "t"),
                "period": q.col("period", "t"),
                "plan_id": q.text(self.plan.id),
                "plan_version": q.num(self.plan.plan.version),
                "component_id": q.text(PLAN_FLOOR_ID),
                "line_kind": q.text("floor"),
                "event_date": q.col("period_last_day", "t"),
                "rate_kind": q.text(kind),
                "rate": limit,
                "base": earned,
                "target_incentive": q.col(incentive, "t"),
                "gated": q.false(),
                "amount_before_cap": top_up,
                "cap_reduction": q.num(0),
                "amount": top_up,
                "currency": q.text(self.plan.plan.currency),
            }
        )
        query = output_select(values, exp.alias_(exp.to_table(targets), "t", table=True))
        return query.join(
            exp.alias_(exp.to_table(paid), "p", table=True),
            on=q.and_(
                q.eq(q.col("rep_id", "p"), q.col("rep_id", "t")),
                q.eq(
                    q.col(paid_key, "p"),
                    q.col("period", "t") if paid_key == "period" else year_of(q.col("period", "t")),
                ),
            ),
            join_type="left",
            copy=False,
        ).where(exp.LT(this=earned, expression=limit), copy=False)

    # -- SPIFFs and clawbacks --------------------------------------------------------------

    def spiff_output(self, spiff) -> exp.Select:
        rule = spiff.rule
        share_int = q.to_integer(q.col("share"), 4)
        if rule.fixed is not None:
            numerator = q.mul(q.num(_int(rule.fixed, 2)), share_int)
            denominator = 10**4
            base, rate, kind = q.col("share"), q.dec(rule.fixed, 38, RATE_PLACES), "spiff_fixed"
        else:
            numerator = q.mul(
                q.to_integer(q.col("amount"), 2), share_int, q.num(_int(rule.percent, RATE_PLACES))
            )
            denominator = 10 ** (2 + 4 + RATE_PLACES)
            base = q.mul(q.col("amount"), q.col("share"))
            rate, kind = q.dec(rule.percent, 38, RATE_PLACES), "spiff_percent"
        amount = q.cents_to_money(
            q.round_half_even_division(
                q.cast(numerator, q.HUGEINT), q.cast(q.num(denominator), q.HUGEINT)
            )
        )
        values = {
            "rep_id": q.col("rep_id"),
            "period": q.col("period"),
            "plan_id": q.text(self.plan.id),
            "plan_version": q.num(self.plan.plan.version),
            "component_id": q.text(rule.id),
            "line_kind": q.text("spiff"),
            "event_date": q.col("event_date"),
            "credit_id": q.col("credit_id"),
            "deal_id": q.col("deal_id"),
            "tier": q.null(),
            "basis": q.null(),
            "semantic": q.null(),
            "evaluation": q.null(),
            "rate_kind": q.text(kind),
            "tier_from": q.null(),
            "tier_to": q.null(),
            "rate_from": q.null(),
            "rate": rate,
            "base": base,
            "period_total": q.null(),
            "quota": q.null(),
            "target_incentive": q.null(),
            "proration": q.null(),
            "deal_currency": q.col("deal_currency"),
            "fx_rate": q.col("fx_rate"),
            **{name: q.col(name) for name in FX_DETAILS},
            "multiplier": q.null(),
            "gated": q.false(),
            "amount_before_cap": amount,
            "cap_reduction": q.num(0),
            "amount": amount,
            "currency": q.text(self.plan.plan.currency),
        }
        window = q.and_(
            exp.GTE(this=q.col("event_date"), expression=q.date(rule.window_from)),
            exp.LT(this=q.col("event_date"), expression=q.date(rule.window_to)),
            q.coalesce(to_sql(spiff.condition), q.false()) if spiff.condition else q.true(),
        )
        if rule.roles is not None:
            roles = [q.text(r) for r in rule.roles]
            window = q.and_(window, exp.In(this=q.col("role"), expressions=roles))
        return output_select(values, "base").where(window, copy=False)

    def clawback_output(self, lines: str) -> exp.Select:
        values = {f.name: q.col(f.name, "l") for f in OUTPUT_COLUMNS}
        values.update(
            {
                "line_kind": q.text("clawback"),
                "period": q.col("cancel_period", "b"),
                "event_date": q.col("cancellation_date", "b"),
                "base": q.neg(q.col("base", "l")),
                "amount_before_cap": q.neg(q.col("amount", "l")),
                "cap_reduction": q.num(0),
                "amount": q.neg(q.col("amount", "l")),
            }
        )
        query = output_select(values, exp.alias_(exp.to_table(lines), "l", table=True))
        return query.join(
            exp.alias_(exp.to_table("base"), "b", table=True),
            on=q.eq(q.col("credit_id", "b"), q.col("credit_id", "l")),
            copy=False,
        ).where(q.col("clawed", "b"), copy=False)

    # -- the whole plan --------------------------------------------------------------------

    def query(self, window_only: bool = True) -> exp.Select:
        """The plan's lines: of the window's periods, or (``window_only=False``) of every
        computed period, for the draws."""
        self.base()
        # Every component's totals first: gates and multipliers may test another component.
        runs = [self.measure_ctes(j, c) for j, c in enumerate(self.plan.components)]
        outputs: list[exp.Select] = []
        earning_outputs = []
        for j, component in enumerate(self.plan.components):
            pre, scale = self.pre(j, component, runs[j])
            earning_outputs.append(self.component_output(j, component, pre, scale))
        if earning_outputs:
            earnings = self.cte("earnings", _union(earning_outputs))
            if self.plan.caps:
                earnings = self.plan_capped(earnings)
            paid = [exp.select(exp.Star()).from_(earnings, copy=False)]
            for j, component in enumerate(self.plan.components):
                if component.floors:
                    paid.append(self.floor_output(j, component, earnings))
            if self.plan.floors:
                component_lines = self.cte("component_lines", _union(paid))
                outputs.append(exp.select(exp.Star()).from_(component_lines, copy=False))
                outputs.extend(self.plan_floor_outputs(component_lines))
            else:
                outputs.extend(paid)
        outputs.extend(self.spiff_output(s) for s in self.plan.spiffs)
        lines = self.cte("lines", _union(outputs))
        final = [exp.select(exp.Star()).from_(lines, copy=False)]
        if self.plan.clawback is not None:
            final.append(self.clawback_output(lines))
        final.extend(
            cash_outputs(
                self.plan, lines, self.prepared.window.end, self.cte, output_select, period_label
            )
        )
        wanted = [q.text(p.label) for p in self.plan.window_periods]
        result = exp.select(exp.Star()).from_(
            exp.alias_(exp.Subquery(this=_union(final)), "all_lines", table=True), copy=False
        )
        if window_only:
            result = result.where(exp.In(this=q.col("period"), expressions=wanted), copy=False)
        for name, cte in self.ctes:
            result = result.with_(name, as_=cte, copy=False)
        return result


def retro_fraction(
    rate_kind: str,
    x: exp.Expression,
    rate: exp.Expression,
    applied: exp.Expression,
    scale: int,
) -> tuple[exp.Expression, int]:
    """A retroactive line's exact amount in cents as integer numerator / denominator: the
    measure ``x`` at ``rate`` times the ``applied`` factor (scaled by 10^``scale``)."""
    x_int = q.to_integer(x, MEASURE_SCALE)
    rate_int = q.to_integer(rate, RATE_PLACES)
    return {
        "percent": (q.mul(x_int, rate_int, applied), 10 ** (MEASURE_SCALE + RATE_PLACES + scale)),
        "per_unit": (
            q.mul(x_int, rate_int, applied, q.num(100)),
            10 ** (MEASURE_SCALE + RATE_PLACES + scale),
        ),
        "per_deal": (q.mul(rate_int, applied, q.num(100)), 10 ** (RATE_PLACES + scale)),
    }[rate_kind]


def _union(queries: list[exp.Select]) -> exp.Query:
    result: exp.Query = queries[0]
    for query in queries[1:]:
        result = exp.union(result, query, distinct=False)
    return result


def compile_program(prepared: Prepared) -> list[Step]:
    """The steps in order; the lines are the union of the steps' ``output`` queries.

    With draws, each plan's step keeps the lines of every computed period (the draw balance
    runs from 1 January) and its output keeps the window's; a last step adds the draw lines.
    """
    steps = [Step("assigned", with_derived_credits(prepared, assigned_query(prepared)))]
    with_draws = prepared.draws.num_rows > 0
    for n, (_, plan) in enumerate(sorted(prepared.plans.items())):
        name = f"plan_lines_{n}"
        output = exp.select(exp.Star()).from_(name)
        if with_draws:
            wanted = [q.text(p.label) for p in plan.window_periods]
            output = output.where(exp.In(this=q.col("period"), expressions=wanted), copy=False)
        query = PlanCompiler(prepared, plan).query(window_only=not with_draws)
        steps.append(Step(name, query, output))
    plan_steps = [s.name for s in steps[1:]]
    if with_draws and plan_steps:
        steps.append(
            Step(
                "draw_lines",
                draw_query(plan_steps, output_select),
                exp.select(exp.Star()).from_("draw_lines"),
            )
        )
    return steps


def unassigned_query() -> exp.Select:
    return (
        exp.select(
            q.col("credit_id"),
            q.col("rep_id"),
            q.col("event_date"),
            q.alias(exp.Window(this=exp.Count(this=exp.Star())), "n"),
        )
        .from_("assigned", copy=False)
        .where(exp.Is(this=q.col("plan_id"), expression=q.null()), copy=False)
        .order_by(q.col("credit_id"), copy=False)
        .limit(1, copy=False)
    )


def for_dialect(query: exp.Expression, dialect: str) -> str:
    """SQL text of ``query`` for ``dialect``.

    DuckDB has a 128-bit integer for the exact rounding step; dialects without one (Spark,
    PostgreSQL) get DECIMAL(38, 0), which holds the same integers.

    Spark also misreads a parenthesised atom after a table name (``FROM base WHERE (TRUE)``
    parses ``WHERE (TRUE)`` as a column alias list), so for it parentheses around a single
    literal or column, which change nothing, are dropped. PostgreSQL has no ``QUARTER()``
    function: it gets ``EXTRACT(QUARTER FROM …)``.
    """
    if dialect != "duckdb":

        def widen(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
                return q.decimal_type(38, 0)
            return node

        query = query.transform(widen)
    if dialect == "spark":

        def unwrap(node: exp.Expression) -> exp.Expression:
            atoms = (exp.Boolean, exp.Literal, exp.Column, exp.Null)
            if isinstance(node, exp.Paren) and isinstance(node.this, atoms):
                return node.this.copy()
            return node

        query = query.transform(unwrap)
    if dialect == "postgres":

        def extract(node: exp.Expression) -> exp.Expression:
            # PostgreSQL has no QUARTER() function (sqlglot writes it as it is).
            if isinstance(node, exp.Quarter):
                return exp.Extract(this=exp.var("QUARTER"), expression=node.this.copy())
            return node

        query = query.transform(extract)
    return query.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def _cap_limit(cap, period_incentive: str, year_incentive: str) -> exp.Expression:
    """A cap's limit: its absolute amount, or a multiple of the target incentive of its scope
    (per period or per year), rounded half-even to the cent."""
    if cap.amount is not None:
        return q.dec(cap.amount, 18, 2)
    incentive = period_incentive if cap.per == "period" else year_incentive
    return q.cents_to_money(
        q.round_half_even_division(
            q.mul(
                q.to_integer(q.col(incentive), 2),
                q.num(_int(cap.multiple_of_target, FACTOR_PLACES)),
            ),
            q.cast(q.num(FACTOR_UNIT), q.HUGEINT),
        )
    )
