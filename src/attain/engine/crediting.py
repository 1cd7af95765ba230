"""Derived credits and team totals: manager roll-up, territory credit, team tests.

The input credits say who sold what. A plan may also credit its reps for what *others*
sold (docs/plans.md, "Crediting"):

- **territory**: the owner of a credit's ``territory_id`` on its event date receives a
  ``territory`` credit of the same share;
- **roll-up**: each manager up the reporting chain in force on the credit's event date
  receives a ``manager`` credit of the same share, up to the plan's ``levels``.

The receiving rep's plan (the one the rep is assigned to on the event date) decides: a
derived credit exists only if that plan asks for it. Derived credits are rows like the
input's (same deal, amounts, dates and extra columns; ``credit_id`` is
``<credit_id>/<role>/<rep_id>``), added to the ``assigned`` step of the compiled program,
so every backend computes them with the same joins.

The small dimensions are built here once, in exact Python or Arrow, like the targets:

- ``chain``: the effective-dated closure of the hierarchy, one row per (rep, manager at
  any level, interval); built level by level with Arrow joins, so cycles are found;
- ``crediting_rules``: per plan, which roles of credits it derives from, and how deep;
- ``team_targets``: for a team gate or multiplier, the rep's manager on the period's last
  day and that manager's quota (of the period and, for a year-to-date test, of the year so
  far).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from . import sql as q
from .errors import InputError, RuleError
from .fx import cross_rate, join_rates, missing_rate_message, pivot_of, python_rate, rate_integer
from .inputs import Credits, credit_columns
from .periods import parse_period, year_periods
from .resolve import ResolvedComponent, ResolvedPlan

ALL_LEVELS = 1_000_000  # ``levels: all``: deeper than any real hierarchy
OPEN_END = dt.date(9999, 12, 31)
# Input roles that make up a deal's 100% once; a team total counts them.
TEAM_ROLES = ("owner", "split")

CHAIN_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("manager_id", pa.string()),
        ("level", pa.int32()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)
RULE_SCHEMA = pa.schema(
    [
        ("plan_id", pa.string()),
        ("kind", pa.string()),  # 'manager' or 'territory': the role of the derived credit
        ("source_role", pa.string()),
        ("levels", pa.int32()),
    ]
)
TEAM_TARGET_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("plan_id", pa.string()),
        ("component_id", pa.string()),
        ("period", pa.string()),
        ("manager_id", pa.string()),
        ("team_quota", pa.decimal128(18, 2)),
        ("team_ytd_quota", pa.decimal128(18, 2)),  # only for a test on the year to date
    ]
)
TERRITORY_SCHEMA = pa.schema(
    [
        ("territory_id", pa.string()),
        ("rep_id", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)
HIERARCHY_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("manager_id", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)
# The tables a backend registers, by name.
TABLES = ("chain", "territories", "crediting_rules", "team_targets")


@dataclass(frozen=True)
class CreditingTables:
    hierarchy: pa.Table = field(default_factory=HIERARCHY_SCHEMA.empty_table)
    chain: pa.Table = field(default_factory=CHAIN_SCHEMA.empty_table)
    territories: pa.Table = field(default_factory=TERRITORY_SCHEMA.empty_table)
    crediting_rules: pa.Table = field(default_factory=RULE_SCHEMA.empty_table)
    team_targets: pa.Table = field(default_factory=TEAM_TARGET_SCHEMA.empty_table)

    @property
    def derives(self) -> bool:
        return self.crediting_rules.num_rows > 0


# -- the hierarchy's closure ---------------------------------------------------------------


def reporting_chain(hierarchy: pa.Table) -> pa.Table:
    """Every (rep, manager at any level) pair with the interval it holds, level by level.

    Level k + 1 joins level k's manager to that manager's own manager and keeps the
    intersection of the two intervals. A rep met again up their own chain is a cycle: an
    ``InputError`` naming the chain and the first day it holds.
    """
    ends = pc.fill_null(hierarchy["valid_to"], pa.scalar(OPEN_END, pa.date32()))
    edges = pa.table(
        {
            "e_rep": hierarchy["rep_id"],
            "e_manager": hierarchy["manager_id"],
            "e_from": hierarchy["valid_from"],
            "e_to": ends,
        }
    )
    frontier = pa.table(
        {
            "rep_id": hierarchy["rep_id"],
            "manager_id": hierarchy["manager_id"],
            "valid_from": hierarchy["valid_from"],
            "valid_to": ends,
            "path": pc.binary_join_element_wise(
                hierarchy["rep_id"], hierarchy["manager_id"], " → "
            ),
        }
    )
    parts = []
    level = 1
    reps = len(pc.unique(pa.concat_arrays([edges["e_rep"].combine_chunks(),
                                           edges["e_manager"].combine_chunks()])))  # fmt: skip
    while frontier.num_rows:
        parts.append(
            pa.table(
                {
                    "rep_id": frontier["rep_id"],
                    "manager_id": frontier["manager_id"],
                    "level": pa.array([level] * frontier.num_rows, pa.int32()),
                    "valid_from": frontier["valid_from"],
                    "valid_to": frontier["valid_to"],
                }
            )
        )
        if level > reps:  # cannot happen without a cycle, which is caught below
            raise InputError("hierarchy", "the reporting chain does not end")
        joined = frontier.join(edges, keys="manager_id", right_keys="e_rep", join_type="inner")
        start = pc.max_element_wise(joined["valid_from"], joined["e_from"])
        end = pc.min_element_wise(joined["valid_to"], joined["e_to"])
        keep = pc.less(start, end)
        frontier = pa.table(
            {
                "rep_id": joined["rep_id"],
                "manager_id": joined["e_manager"],
                "valid_from": start,
                "valid_to": end,
                "path": pc.binary_join_element_wise(joined["path"], joined["e_manager"], " → "),
            }
        ).filter(keep)
        cycles = frontier.filter(pc.equal(frontier["rep_id"], frontier["manager_id"]))
        if cycles.num_rows:
            first = min(cycles.to_pylist(), key=lambda r: (r["valid_from"], r["path"]))
            raise InputError(
                "hierarchy", f"reporting cycle {first['path']} on {first['valid_from']}"
            )
        level += 1
    if not parts:
        return CHAIN_SCHEMA.empty_table()
    chain = pa.concat_tables(parts)
    open_end = pc.equal(chain["valid_to"], pa.scalar(OPEN_END, pa.date32()))
    valid_to = pc.if_else(open_end, pa.scalar(None, pa.date32()), chain["valid_to"])
    chain = chain.set_column(4, "valid_to", valid_to)
    return chain.cast(CHAIN_SCHEMA)


def manager_on(rows: list[dict], day: dt.date) -> str | None:
    """The manager in force on ``day`` among one rep's hierarchy rows."""
    for row in rows:
        if row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"]):
            return row["manager_id"]
    return None


# -- rules and team targets ----------------------------------------------------------------


def crediting_rules(plans: dict[str, ResolvedPlan]) -> pa.Table:
    rows = []
    for plan_id, resolved in sorted(plans.items()):
        crediting = resolved.plan.crediting
        if crediting is None:
            continue
        if crediting.territory is not None:
            for role in crediting.territory.roles:
                rows.append({"plan_id": plan_id, "kind": "territory", "source_role": role,
                             "levels": 1})  # fmt: skip
        if crediting.roll_up is not None:
            levels = crediting.roll_up.levels
            for role in crediting.roll_up.roles:
                rows.append(
                    {
                        "plan_id": plan_id,
                        "kind": "manager",
                        "source_role": role,
                        "levels": ALL_LEVELS if levels == "all" else levels,
                    }
                )
    return pa.Table.from_pylist(rows, schema=RULE_SCHEMA)


def team_tests(plan: ResolvedPlan) -> dict[str, set[str]]:
    """Per component whose team total some gate or multiplier of the plan tests, the
    scopes tested: ``period`` (the default of a team test) and/or ``ytd``."""
    tests: dict[str, set[str]] = defaultdict(set)
    for component in plan.components:
        rules = [*component.gates, *(m.rule for m in component.multipliers)]
        for rule in rules:
            if rule.team:
                tests[rule.component or component.id].add(rule.attainment_scope or "period")
    return tests


def team_components(plan: ResolvedPlan) -> list[ResolvedComponent]:
    """Components whose team total some gate or multiplier of the plan tests."""
    ids = team_tests(plan)
    return [c for c in plan.components if c.id in ids]


def build_team_targets(
    plans: dict[str, ResolvedPlan],
    targets: list[dict],
    hierarchy: list[dict],
    quotas: list[dict],
) -> pa.Table:
    """For each targeted rep and period of a component a team gate or multiplier tests: the
    rep's manager on the period's last day and the manager's quota of that component's quota
    name for the period and, when a test is on the year to date, the sum of the manager's
    quotas of the year's periods up to and including it (not prorated)."""
    from .targets import TargetBuilder  # targets imports resolve, like this module

    by_rep: dict[str, list[dict]] = defaultdict(list)
    for row in hierarchy:
        by_rep[row["rep_id"]].append(row)
    rows = []
    for plan_id, plan in sorted(plans.items()):
        tested = {c.id: c for c in team_components(plan)}
        if not tested:
            continue
        scopes = team_tests(plan)
        builder = TargetBuilder(plan, [], quotas)
        for target in targets:
            component = tested.get(target["component_id"])
            if target["plan_id"] != plan_id or component is None:
                continue
            day = target["period_last_day"]
            manager = manager_on(by_rep[target["rep_id"]], day)
            if manager is None:
                raise RuleError(
                    f"rep {target['rep_id']!r} has no manager on {day}: plan {plan_id}, "
                    f"component {component.id!r} has a team gate or multiplier"
                )
            period = parse_period(target["period"])
            quota = builder._period_quota(manager, component, period)
            ytd_quota = None
            if "ytd" in scopes[component.id]:
                ytd_quota = sum(
                    (
                        builder._period_quota(manager, component, p)
                        for p in year_periods(period.year, plan.plan.period)
                        if p.start <= period.start
                    ),
                    Decimal("0.00"),
                )
            for value, what in ((quota, "in"), (ytd_quota, "up to")):
                if value is not None and value <= 0:
                    raise RuleError(
                        f"team quota {component.component.quota.name!r} of manager "
                        f"{manager!r} {what} {target['period']} is {value}: team attainment "
                        "is undefined"
                    )
            rows.append(
                {
                    "rep_id": target["rep_id"],
                    "plan_id": plan_id,
                    "component_id": component.id,
                    "period": target["period"],
                    "manager_id": manager,
                    "team_quota": quota,
                    "team_ytd_quota": ytd_quota,
                }
            )
    return pa.Table.from_pylist(rows, schema=TEAM_TARGET_SCHEMA)


def check_derived_ids(credits: Credits) -> None:
    """Derived ids are ``<credit_id>/<role>/<rep_id>``: an input id of that shape could
    collide with one, so it is refused when some plan derives credits."""
    credits = credit_columns(credits, ["credit_id"])
    shaped = pc.match_substring_regex(credits["credit_id"], r"/(manager|territory)/")
    if pc.any(shaped).as_py():
        row = pc.index(shaped, True).as_py()
        raise InputError(
            "credits",
            f"{credits['credit_id'][row].as_py()!r} has the shape of a derived credit id "
            "(<credit_id>/manager/<rep_id> or /territory/); rename it",
            row + 1,
            "credit_id",
        )


def check_team_fx(
    plans: dict[str, ResolvedPlan],
    credits: Credits,
    fx: pa.Table,
    start: dt.date,
    end: dt.date,
) -> None:
    """A team total converts every team credit into the plan's currency: each distinct
    (currency, day) of a credit in another currency needs a rate, whoever's team it is in."""
    with_team = [p for p in plans.values() if team_components(p)]
    if not with_team:
        return
    credits = credit_columns(credits, ["credit_id", "event_date", "currency"])
    if credits.num_rows == 0:
        return
    days = credits["event_date"]
    in_range = pc.and_(
        pc.greater_equal(days, pa.scalar(start, pa.date32())),
        pc.less(days, pa.scalar(end, pa.date32())),
    )
    foreign = credits.filter(pc.and_(in_range, pc.is_valid(credits["currency"])))
    if foreign.num_rows == 0:
        return
    pairs = foreign.group_by(["currency", "event_date"]).aggregate([("credit_id", "min")])
    rates = fx.to_pylist()
    for plan in sorted(with_team, key=lambda p: p.id):
        target = plan.plan.currency
        for row in sorted(pairs.to_pylist(), key=lambda r: (r["event_date"], r["currency"])):
            if row["currency"] == target:
                continue
            day, currency = row["event_date"], row["currency"]
            if python_rate(rates, currency, target, day) is not None:
                continue
            pivot = pivot_of(plan.plan, currency)
            leg_in = leg_out = None
            if pivot is not None:
                leg_in = python_rate(rates, currency, pivot, day)
                leg_out = python_rate(rates, pivot, target, day)
                if leg_in is not None and leg_out is not None and cross_rate(leg_in, leg_out) > 0:
                    continue
            detail = (
                f"credit {row['credit_id_min']!r}, needed for the team totals of plan {plan.id}"
            )
            raise RuleError(
                missing_rate_message(
                    plan.plan, currency, day, detail, leg_in is not None, leg_out is not None
                )
            )


def prepare_crediting(
    plans: dict[str, ResolvedPlan],
    credits: pa.Table,
    hierarchy: pa.Table,
    territories: pa.Table,
    targets: list[dict],
    quotas: list[dict],
) -> CreditingTables:
    """The crediting dimensions; ``hierarchy`` and ``territories`` are already normalised."""
    rules = crediting_rules(plans)
    if rules.num_rows:
        check_derived_ids(credits)
    return CreditingTables(
        hierarchy=hierarchy.cast(HIERARCHY_SCHEMA),
        chain=reporting_chain(hierarchy),
        territories=territories.cast(TERRITORY_SCHEMA),
        crediting_rules=rules,
        team_targets=build_team_targets(plans, targets, hierarchy.to_pylist(), quotas),
    )


# -- SQL: derived credits ------------------------------------------------------------------


def _derived_select(
    columns: list[str], source: str, rep: exp.Expression, role: str
) -> list[exp.Expression]:
    """The credit columns of a derived row: ``source``'s, with a new id, rep and role."""
    values = []
    for name in columns:
        if name == "credit_id":
            value: exp.Expression = exp.Concat(
                expressions=[q.col("credit_id", source), q.text(f"/{role}/"), rep]
            )
        elif name == "rep_id":
            value = rep
        elif name == "role":
            value = q.text(role)
        else:
            value = q.col(name, source)
        values.append(q.alias(value, name))
    return values


def _receiving(
    query: exp.Select, rep: exp.Expression, day: exp.Expression, role: exp.Expression, kind: str
) -> exp.Select:
    """Join the receiving rep's assignment on ``day`` and the plan's rule for ``kind``."""
    return query.join(
        exp.alias_(exp.to_table("assignments"), "a", table=True),
        on=q.and_(q.eq(q.col("rep_id", "a"), rep), q.in_force("a", day)),
        copy=False,
    ).join(
        exp.alias_(exp.to_table("crediting_rules"), "r", table=True),
        on=q.and_(
            q.eq(q.col("plan_id", "r"), q.col("plan_id", "a")),
            q.eq(q.col("kind", "r"), q.text(kind)),
            q.eq(q.col("source_role", "r"), role),
        ),
        copy=False,
    )


def derived_query(columns: list[str], start: dt.date, end: dt.date) -> exp.Query:
    """Territory credits, then manager credits rolled up from input and territory credits;
    each row carries the receiving rep's ``plan_id`` (the columns of ``assigned``)."""
    day = q.col("event_date", "s")
    source = (
        exp.select(exp.Star())
        .from_("credits", copy=False)
        .where(
            q.and_(
                exp.GTE(this=q.col("event_date"), expression=q.date(start)),
                exp.LT(this=q.col("event_date"), expression=q.date(end)),
            ),
            copy=False,
        )
    )
    owner = q.col("rep_id", "t")
    territory = _receiving(
        exp.select(*_derived_select(columns, "s", owner, "territory"), q.col("plan_id", "a"))
        .from_(exp.alias_(exp.to_table("crediting_src"), "s", table=True), copy=False)
        .join(
            exp.alias_(exp.to_table("territories"), "t", table=True),
            on=q.and_(
                q.eq(q.col("territory_id", "t"), q.col("territory_id", "s")), q.in_force("t", day)
            ),
            copy=False,
        ),
        owner,
        day,
        q.col("role", "s"),
        "territory",
    )
    names = [q.col(n) for n in columns]
    roll_source = exp.union(
        exp.select(*names).from_("crediting_src", copy=False),
        exp.select(*names).from_("territory_credits", copy=False),
        distinct=False,
    )
    manager = q.col("manager_id", "h")
    roll_up = _receiving(
        exp.select(*_derived_select(columns, "s", manager, "manager"), q.col("plan_id", "a"))
        .from_(exp.alias_(exp.to_table("roll_src"), "s", table=True), copy=False)
        .join(
            exp.alias_(exp.to_table("chain"), "h", table=True),
            on=q.and_(q.eq(q.col("rep_id", "h"), q.col("rep_id", "s")), q.in_force("h", day)),
            copy=False,
        ),
        manager,
        day,
        q.col("role", "s"),
        "manager",
    ).where(exp.LTE(this=q.col("level", "h"), expression=q.col("levels", "r")), copy=False)
    result = exp.union(
        exp.select(exp.Star()).from_("territory_credits", copy=False),
        exp.select(exp.Star()).from_("manager_credits", copy=False),
        distinct=False,
    )
    query = exp.select(exp.Star()).from_(
        exp.alias_(exp.Subquery(this=result), "derived", table=True), copy=False
    )
    for name, cte in (
        ("crediting_src", source),
        ("territory_credits", territory),
        ("roll_src", exp.select(exp.Star()).from_(
            exp.alias_(exp.Subquery(this=roll_source), "u", table=True), copy=False)),
        ("manager_credits", roll_up),
    ):  # fmt: skip
        query = query.with_(name, as_=cte, copy=False)
    return query


def with_derived_credits(prepared, assigned: exp.Select) -> exp.Query:
    """The ``assigned`` step with the derived credits added, when some plan asks for them."""
    if not prepared.crediting.derives:
        return assigned
    derived = derived_query(
        prepared.credits.schema.names, prepared.compute_from, prepared.window.end
    )
    derived_rows = exp.select(exp.Star()).from_(
        exp.alias_(exp.Subquery(this=derived), "d", table=True), copy=False
    )
    return exp.select(exp.Star()).from_(
        exp.alias_(
            exp.Subquery(this=exp.union(assigned, derived_rows, distinct=False)),
            "credited",
            table=True,
        ),
        copy=False,
    )


def role_filter(component: ResolvedComponent) -> exp.Expression | None:
    """``role IN (...)`` for a component that counts only some roles."""
    roles = component.component.roles
    if roles is None:
        return None
    return exp.In(this=q.col("role"), expressions=[q.text(r) for r in roles])


# -- SQL: team totals for team gates -------------------------------------------------------


def team_totals(compiler, n: int, component: ResolvedComponent) -> str:
    """CTEs giving, per rep and period, the team total of ``component``'s measure and the
    team quota, of the period and of the year to date; returns the last CTE's name (columns
    rep_id, period, team_quota, team_ytd_quota, team_total, team_ytd_total).

    The team of a manager M is M and every rep below M in the chain in force on each
    credit's event date; it counts their input credits of roles owner and split, converted
    into the plan's currency like the plan's own, measured by the component's measure.
    """
    from .compiler import MEASURE, PlanCompiler, period_label, year_of

    name = f"team_{n}"
    if name in dict(compiler.ctes):
        return name
    plan_id = compiler.plan.id
    prepared = compiler.prepared
    credit_day = q.col("event_date", "c")
    dated = q.and_(
        exp.GTE(this=credit_day, expression=q.date(prepared.compute_from)),
        exp.LT(this=credit_day, expression=q.date(prepared.window.end)),
        exp.In(this=q.col("role", "c"), expressions=[q.text(r) for r in TEAM_ROLES]),
    )
    managers = (
        exp.select(q.col("manager_id"))
        .distinct()
        .from_("team_targets", copy=False)
        .where(q.eq(q.col("plan_id"), q.text(plan_id)), copy=False)
    )
    credit_columns = prepared.credits.schema.names
    star = exp.Column(this=exp.Star(), table=exp.to_identifier("c"))
    below = (
        exp.select(q.alias(q.col("manager_id", "h"), "team_id"), star)
        .from_(exp.alias_(exp.to_table("credits"), "c", table=True), copy=False)
        .join(
            exp.alias_(exp.to_table("chain"), "h", table=True),
            on=q.and_(
                q.eq(q.col("rep_id", "h"), q.col("rep_id", "c")), q.in_force("h", credit_day)
            ),
            copy=False,
        )
        .join(
            exp.alias_(exp.Subquery(this=managers), "m", table=True),
            on=q.eq(q.col("manager_id", "m"), q.col("manager_id", "h")),
            copy=False,
        )
        .where(dated, copy=False)
    )
    own = (
        exp.select(q.alias(q.col("rep_id", "c"), "team_id"), star)
        .from_(exp.alias_(exp.to_table("credits"), "c", table=True), copy=False)
        .join(
            exp.alias_(exp.Subquery(this=managers.copy()), "m", table=True),
            on=q.eq(q.col("manager_id", "m"), q.col("rep_id", "c")),
            copy=False,
        )
        .where(dated, copy=False)
    )
    source = compiler.cte(
        f"team_src_{n}",
        exp.select(exp.Star()).from_(
            exp.alias_(exp.Subquery(this=exp.union(below, own, distinct=False)), "u", table=True),
            copy=False,
        ),
    )
    plan_currency = q.text(compiler.plan.plan.currency)
    currency = q.coalesce(q.col("currency", "b"), plan_currency)
    foreign = exp.NEQ(this=currency, expression=plan_currency)
    # The same rate as the plan's own credits: direct, else through the plan's pivot.
    rated, rates = join_rates(
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("b"))).from_(
            exp.alias_(exp.to_table(source), "b", table=True), copy=False
        ),
        "b",
        compiler.plan.plan,
    )
    rated_cte = compiler.cte(
        f"team_fx_{n}",
        rated.select(q.alias(rates.rate, "fx_conv_rate"), append=True, copy=False),
    )

    def converted(column: str) -> exp.Expression:
        cents = q.round_half_even_division(
            q.mul(q.to_integer(q.col(column, "b"), 2), rate_integer(q.col("fx_conv_rate", "b"))),
            q.cast(q.num(10**8), q.HUGEINT),
        )
        return q.case([(foreign.copy(), q.cents_to_money(cents))], q.col(column, "b"))

    columns = [
        q.alias(converted(c), c) if c in ("amount", "margin") else q.col(c, "b")
        for c in credit_columns
    ]
    converted_cte = compiler.cte(
        f"team_conv_{n}",
        exp.select(q.col("team_id", "b"), *columns).from_(
            exp.alias_(exp.to_table(rated_cte), "b", table=True), copy=False
        ),
    )
    value, included = PlanCompiler.measure(component)
    period = period_label(q.col("event_date"), compiler.kind)
    sums = compiler.cte(
        f"team_sum_{n}",
        exp.select(q.col("team_id"), q.alias(period, "period"), q.alias(exp.Sum(this=value), "s"))
        .from_(converted_cte, copy=False)
        .where(included, copy=False)
        .group_by(q.col("team_id"), period, copy=False),
    )
    # The team's periods of the year up to the target's (labels of one year sort in order):
    # the period's own sum is the team total, all of them the year-to-date team total.
    this_period = q.eq(q.col("period", "s"), q.col("period", "t"))
    period_sum = exp.Sum(this=q.case([(this_period, q.col("s", "s"))], q.num(0)))
    keys = [q.col(c, "t") for c in ("rep_id", "period", "team_quota", "team_ytd_quota")]
    query = (
        exp.select(
            *keys,
            q.alias(q.cast(q.coalesce(period_sum, q.num(0)), MEASURE), "team_total"),
            q.alias(
                q.cast(q.coalesce(exp.Sum(this=q.col("s", "s")), q.num(0)), MEASURE),
                "team_ytd_total",
            ),
        )
        .from_(exp.alias_(exp.to_table("team_targets"), "t", table=True), copy=False)
        .join(
            exp.alias_(exp.to_table(sums), "s", table=True),
            on=q.and_(
                q.eq(q.col("team_id", "s"), q.col("manager_id", "t")),
                q.eq(year_of(q.col("period", "s")), year_of(q.col("period", "t"))),
                exp.LTE(this=q.col("period", "s"), expression=q.col("period", "t")),
            ),
            join_type="left",
            copy=False,
        )
        .where(
            q.and_(
                q.eq(q.col("plan_id", "t"), q.text(plan_id)),
                q.eq(q.col("component_id", "t"), q.text(component.id)),
            ),
            copy=False,
        )
        .group_by(*[k.copy() for k in keys], copy=False)
    )
    return compiler.cte(name, query)


def team_attained(alias: str, level: Decimal, scope: str | None = None) -> exp.Expression:
    """``team total >= level % × team quota`` on a ``team_totals`` row joined as ``alias``:
    of the period (the default), or of the year to date (``scope`` ``ytd``)."""
    total, quota = ("team_ytd_total", "team_ytd_quota") if scope == "ytd" else (
        "team_total", "team_quota")  # fmt: skip
    threshold = q.mul(q.dec(level, 38, 4), q.col(quota, alias), q.dec(Decimal("0.01"), 3, 2))
    return q.coalesce(exp.GTE(this=q.col(total, alias), expression=threshold), q.false())
