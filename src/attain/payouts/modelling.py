"""Plan modelling: would a candidate plan pay for what the company wants?

Each candidate plan is calculated on a past period's real credits, quotas and target
incentives, with every rep on the *current plan* moved to the candidate (their target
incentive kept). Nothing is written: no run, no ledger line, no audit entry. The result
compares cost, cost of sales, the spread of pay, winners and losers, and *incentive
alignment*: how strongly pay follows margin, units and revenue, deal by deal.

Money (totals, payouts, cost of sales, payout per margin dollar) is ``Decimal``; floats are
used only for statistics (correlations) and for the charts' drawing coordinates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa
from django.core.exceptions import PermissionDenied, ValidationError

from attain.engine import EngineError, parse_plan
from attain.engine.periods import parse_period
from attain.payouts.inputs import EngineInputs, build_inputs, current_plan_revisions, plan_source
from attain.payouts.services import parse_run_period, run_engine

ZERO = Decimal("0")
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
# Deal margin % bands: (label, lower bound inclusive, upper bound exclusive), None = open.
BANDS = (
    ("under 10%", None, Decimal("10")),
    ("10–20%", Decimal("10"), Decimal("20")),
    ("20–30%", Decimal("20"), Decimal("30")),
    ("30% or more", Decimal("30"), None),
)
# The low-margin band pays at least this many times the high band per margin dollar → warn.
PPM_RATIO_WARNING = Decimal("2")
# Spearman correlation with margin this much weaker than with units → warn.
CORRELATION_GAP = 0.3
HISTOGRAM_BINS = 10
MAX_YAML_CHARS = 100_000
QUOTA_MEASURES = {"margin": "margin", "units": "units"}


def can_model(user) -> bool:
    return bool(user and user.is_authenticated and user.sees_everything)


@dataclass(frozen=True)
class Candidate:
    """A plan to model: an existing plan document or pasted YAML."""

    key: str
    label: str
    plan_id: str
    texts: dict[str, str]  # source name → YAML of every version to offer the engine
    document_id: int | None = None


@dataclass
class Stats:
    minimum: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    maximum: Decimal
    mean: Decimal


@dataclass
class Band:
    label: str
    deals: int
    revenue: Decimal
    margin: Decimal
    units: Decimal
    payout: Decimal
    per_margin_dollar: Decimal | None
    per_unit: Decimal | None
    per_revenue_dollar: Decimal | None


@dataclass
class RepDelta:
    rep_id: str
    name: str
    current: Decimal
    candidate: Decimal
    delta: Decimal


@dataclass
class Scenario:
    key: str
    label: str
    plan_id: str
    error: str = ""
    total: Decimal = ZERO
    currency: str = "USD"
    cost_of_revenue: Decimal | None = None  # payout ÷ revenue
    cost_of_margin: Decimal | None = None  # payout ÷ margin
    per_rep: dict[str, Decimal] = field(default_factory=dict)
    stats: Stats | None = None
    histogram: list[int] = field(default_factory=list)
    correlations: dict[str, dict[str, float | None]] = field(default_factory=dict)
    rep_correlations: dict[str, dict[str, float | None]] = field(default_factory=dict)
    bands: list[Band] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    winners: list[RepDelta] = field(default_factory=list)
    losers: list[RepDelta] = field(default_factory=list)
    deals_paid: int = 0
    deal_rows: list = field(default_factory=list, repr=False)  # (deal facts, payout, ref)


@dataclass
class Attainment:
    quota: str
    measure: str
    reps_with_quota: int
    reps_at_or_above: int
    share: Decimal | None


@dataclass
class ModellingResult:
    period: str
    as_of: dt.date
    current_plan: str
    reps: list[str]
    rep_names: dict[str, str]
    revenue: Decimal
    margin: Decimal
    units: Decimal
    deals: int
    attainment: list[Attainment]
    current: Scenario
    candidates: list[Scenario]
    histogram_edges: list[Decimal]

    @property
    def scenarios(self) -> list[Scenario]:
        return [self.current, *self.candidates]

    @property
    def band_rows(self) -> list[Band]:
        """The margin bands' deal counts and margins (the same under every plan)."""
        return next((s.bands for s in self.scenarios if not s.error), [])

    @property
    def units_display(self) -> str:
        return plain_number(self.units)

    @property
    def same_pay_for_all(self) -> bool:
        """Every rep earns the same under every plan that calculated (one histogram bar)."""
        return len(self.histogram_edges) == 2


def plain_number(value: Decimal) -> str:
    """``Decimal("40.000000")`` → ``40``, ``Decimal("1234.50")`` → ``1,234.5``."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- choosing the plans -------------------------------------------------------------------


def plan_choices() -> list[tuple[int, str, str]]:
    """(document id, plan id, label) of every plan document with a revision, not archived."""
    return [
        (r.document_id, r.document.plan_id, f"{r.document.name} ({r.document})")
        for r in sorted(current_plan_revisions(), key=lambda r: (r.document.plan_id, r.number))
    ]


def current_plan_ids() -> list[str]:
    return sorted({plan_id for _, plan_id, _ in plan_choices()})


def busiest_plan_id(day: dt.date) -> str | None:
    """The plan most reps are on at ``day`` (the natural "current plan"), else the first."""
    from django.db.models import Count

    from attain.common import in_force_on
    from attain.plans.models import PlanAssignment

    plans = current_plan_ids()
    if not plans:
        return None
    counts = dict(
        PlanAssignment.objects.filter(in_force_on(day), plan_id__in=plans)
        .values("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    return min(plans, key=lambda p: (-counts.get(p, 0), p))


def _current_texts(plan_id: str) -> dict[str, str]:
    return {
        plan_source(r): r.yaml for r in current_plan_revisions() if r.document.plan_id == plan_id
    }


def document_candidate(document_id: int) -> Candidate:
    from attain.plans.models import PlanDocument

    document = PlanDocument.objects.filter(pk=document_id, archived=False).first()
    revision = document.current if document else None
    if revision is None:
        raise ValidationError(f"There is no plan document {document_id} to model.")
    return Candidate(
        key=f"doc-{document.pk}",
        label=f"{document.name} ({document})",
        plan_id=document.plan_id,
        texts={plan_source(revision): revision.yaml},
        document_id=document.pk,
    )


def yaml_candidate(text: str, index: int = 1) -> Candidate:
    if len(text) > MAX_YAML_CHARS:
        raise ValidationError(f"The pasted plan is longer than {MAX_YAML_CHARS:,} characters.")
    source = f"pasted-{index}.yaml"
    try:
        plan = parse_plan(text, source)
    except EngineError as error:
        raise ValidationError(f"The pasted plan is not valid: {error}") from None
    return Candidate(
        key=f"yaml-{index}",
        label=f"{plan.name} ({plan.id} v{plan.version}, pasted)",
        plan_id=plan.id,
        texts={source: text},
    )


# --- the calculation ----------------------------------------------------------------------


def model_plans(
    user,
    period: str,
    current_plan: str,
    candidates: list[Candidate],
    as_of: dt.date | None = None,
) -> ModellingResult:
    """Calculate the current plan and each candidate on ``period``'s data; write nothing."""
    if not can_model(user):
        raise PermissionDenied("Plan modelling is for admins and finance.")
    window = parse_run_period(period)
    if not candidates:
        raise ValidationError("Choose at least one candidate plan, or paste one.")
    current_texts = _current_texts(current_plan)
    if not current_texts:
        raise ValidationError(f"There is no plan {current_plan!r} to compare with.")
    inputs = build_inputs(window.label, as_of)
    on_plan = [row for row in inputs.assignments.to_pylist() if row["plan_id"] == current_plan]
    reps = sorted({row["rep_id"] for row in on_plan if _overlaps(row, window)})
    if not reps:
        raise ValidationError(f"Nobody is on {current_plan!r} in {window.label}.")
    names = _rep_names(reps)
    facts = _Facts(inputs, window, set(reps))

    def scenario(key: str, label: str, plan_id: str, texts: dict[str, str]) -> Scenario:
        return _scenario(key, label, plan_id, texts, inputs, on_plan, facts, reps)

    current = scenario("current", f"Current: {current_plan}", current_plan, current_texts)
    modelled = [scenario(c.key, c.label, c.plan_id, c.texts) for c in candidates]
    edges = _histogram_edges([s for s in [current, *modelled] if not s.error])
    for item in [current, *modelled]:
        if not item.error:
            item.histogram = _histogram(list(item.per_rep.values()), edges)
            if item is not current and not current.error:
                item.winners, item.losers = _deltas(current, item, names)
    return ModellingResult(
        period=window.label,
        as_of=inputs.as_of,
        current_plan=current_plan,
        reps=reps,
        rep_names=names,
        revenue=facts.revenue,
        margin=facts.margin,
        units=facts.units,
        deals=len(facts.deals),
        attainment=facts.attainment(),
        current=current,
        candidates=modelled,
        histogram_edges=edges,
    )


def _overlaps(row: dict, window) -> bool:
    return row["valid_from"] < window.end and (
        row["valid_to"] is None or row["valid_to"] > window.start
    )


def _rep_names(external_ids: list[str]) -> dict[str, str]:
    from attain.people.models import Rep

    found = dict(
        Rep.objects.filter(external_id__in=external_ids).values_list("external_id", "name")
    )
    return {ref: found.get(ref, ref) for ref in external_ids}


class _Facts:
    """What the period's credits say, whatever the plan: revenue, margin, units per deal
    and per rep (won deals closed in the window, not cancelled by the as-of date)."""

    def __init__(self, inputs: EngineInputs, window, reps: set[str]) -> None:
        self.deals: dict[str, dict] = {}
        self.rep_totals: dict[str, dict[str, Decimal]] = {
            rep: {"revenue": ZERO, "margin": ZERO, "units": ZERO} for rep in reps
        }
        self.inputs = inputs
        self.window = window
        for row in inputs.credits.to_pylist():
            day = row["event_date"]
            if row["rep_id"] not in reps or not (window.start <= day < window.end):
                continue
            if row["cancellation_date"] is not None:
                continue
            share = row["share"]
            amount, margin = row["amount"] or ZERO, row["margin"] or ZERO
            units = row["units"] or ZERO
            totals = self.rep_totals[row["rep_id"]]
            totals["revenue"] += amount * share
            totals["margin"] += margin * share
            totals["units"] += units * share
            deal = self.deals.setdefault(
                row["deal_id"],
                {"amount": amount, "margin": margin, "units": units, "share": ZERO, "paid": ZERO},
            )
            deal["paid"] += share  # every credit on the deal (overlays too) can be paid
            if (row["role"] or "owner") in ("owner", "split"):
                deal["share"] += share
        self.revenue = _cents(sum((d["amount"] * d["share"] for d in self.deals.values()), ZERO))
        self.margin = _cents(sum((d["margin"] * d["share"] for d in self.deals.values()), ZERO))
        self.units = sum((d["units"] * d["share"] for d in self.deals.values()), ZERO)
        self.bands = margin_bands(list(self.deals.values()))

    def attainment(self) -> list[Attainment]:
        quotas: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for row in self.inputs.quotas.to_pylist():
            if row["rep_id"] not in self.rep_totals:
                continue
            try:
                inner = parse_period(row["period"])
            except (EngineError, ValueError):
                continue
            if self.window.start <= inner.start and inner.end <= self.window.end:
                quotas[row["quota"]][row["rep_id"]] += row["amount"]
        found = []
        for name in sorted(quotas):
            measure = next((m for k, m in QUOTA_MEASURES.items() if k in name), "revenue")
            with_quota = {rep: q for rep, q in quotas[name].items() if q > 0}
            above = sum(1 for rep, q in with_quota.items() if self.rep_totals[rep][measure] >= q)
            share = _ratio(Decimal(above), Decimal(len(with_quota))) if with_quota else None
            found.append(Attainment(name, measure, len(with_quota), above, share))
        return found


def _scenario(key, label, plan_id, texts, inputs, on_plan, facts: _Facts, reps) -> Scenario:
    item = Scenario(key=key, label=label, plan_id=plan_id)
    rows = [{**row, "plan_id": plan_id} for row in on_plan]
    modelled = EngineInputs(
        period=inputs.period,
        as_of=inputs.as_of,
        plan_texts=texts,
        credits=inputs.credits,
        assignments=pa.Table.from_pylist(rows, schema=inputs.assignments.schema),
        quotas=inputs.quotas,
        payments=inputs.payments,
        fx=inputs.fx,
    )
    try:
        result = run_engine(modelled)
    except EngineError as error:
        item.error = str(error)
        return item
    lines = result.lines.select(["rep_id", "deal_id", "amount", "currency"]).to_pylist()
    per_rep = {rep: ZERO for rep in reps}
    per_deal: dict[str, Decimal] = defaultdict(lambda: ZERO)
    currencies = set()
    for line in lines:
        if line["rep_id"] not in per_rep:
            continue
        per_rep[line["rep_id"]] += line["amount"]
        currencies.add(line["currency"])
        if line["deal_id"]:
            per_deal[line["deal_id"]] += line["amount"]
    item.currency = sorted(currencies)[0] if currencies else "USD"
    item.per_rep = per_rep
    item.total = sum(per_rep.values(), ZERO)
    item.cost_of_revenue = _ratio(item.total, facts.revenue)
    item.cost_of_margin = _ratio(item.total, facts.margin)
    item.stats = _stats(list(per_rep.values()))
    item.deals_paid = sum(1 for ref in facts.deals if per_deal.get(ref, ZERO) != 0)
    _alignment(item, facts, per_deal)
    return item


# --- statistics ---------------------------------------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator or denominator <= 0:
        return None
    return (numerator / denominator).quantize(RATIO, rounding=ROUND_HALF_EVEN)


def _quantile(ordered: list[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (numpy's default), exact in Decimal."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return _cents(ordered[low] + (ordered[high] - ordered[low]) * fraction)


def _stats(values: list[Decimal]) -> Stats:
    ordered = sorted(values)
    return Stats(
        minimum=ordered[0],
        q1=_quantile(ordered, Decimal("0.25")),
        median=_quantile(ordered, Decimal("0.5")),
        q3=_quantile(ordered, Decimal("0.75")),
        maximum=ordered[-1],
        mean=_cents(sum(ordered, ZERO) / len(ordered)),
    )


def _histogram_edges(scenarios: list[Scenario]) -> list[Decimal]:
    """Shared bin edges so the scenarios compare bar for bar: at most ``HISTOGRAM_BINS``
    (one more when the range straddles the edges) bins of a round width (1, 2 or 5 × a power
    of ten dollars) and at least 1% of the largest pay, so that equal pay makes one bar and
    not ten one-dollar bins."""
    values = [v for s in scenarios for v in s.per_rep.values()]
    if not values:
        return []
    low, high = min(values), max(values)
    raw = max((high - low) / HISTOGRAM_BINS, max(abs(low), abs(high)) / 100, Decimal(1))
    width = _round_width(raw)
    start = (low / width).to_integral_value(rounding="ROUND_FLOOR") * width
    bins = max(1, int(((high - start) / width).to_integral_value(rounding="ROUND_CEILING")))
    return [start + width * i for i in range(bins + 1)]


def _round_width(raw: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10^k not below ``raw`` (raw ≥ 1)."""
    power = Decimal(1)
    while power * 10 <= raw:
        power *= 10
    for step in (1, 2, 5, 10):
        if power * step >= raw:
            return power * step
    return power * 10


def _histogram(values: list[Decimal], edges: list[Decimal]) -> list[int]:
    counts = [0] * (len(edges) - 1)
    for value in values:
        for i in range(len(counts)):
            last = i == len(counts) - 1
            if edges[i] <= value and (value < edges[i + 1] or last):
                counts[i] += 1
                break
    return counts


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None when there are fewer than 3 points or a side does not vary."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(xs: list[float], ys: list[float]) -> float | None:
    return pearson(_ranks(xs), _ranks(ys))


def _correlations(payouts: list[float], series: dict[str, list[float]]) -> dict:
    return {
        name: {"pearson": pearson(values, payouts), "spearman": spearman(values, payouts)}
        for name, values in series.items()
    }


def _margin_percent(deal: dict) -> Decimal | None:
    return deal["margin"] * 100 / deal["amount"] if deal["amount"] > 0 else None


def _band_of(deal: dict, bands=BANDS) -> int:
    percent = _margin_percent(deal)
    if percent is None:
        return 0
    for index, (_, low, high) in enumerate(bands):
        if (low is None or percent >= low) and (high is None or percent < high):
            return index
    return len(bands) - 1


def margin_bands(deals: list[dict]) -> tuple:
    """The deal margin % bands to show: the fixed ``BANDS``, unless (with 8 deals or more)
    one of them holds more than half the deals — then quartiles of the period's deals by
    margin %, on whole percents, so that the bands tell the deals apart."""
    percents = sorted(p for p in map(_margin_percent, deals) if p is not None)
    if len(percents) < 8:
        return BANDS
    counts = [0] * len(BANDS)
    for deal in deals:
        counts[_band_of(deal)] += 1
    if max(counts) * 2 <= len(deals):
        return BANDS
    n = len(percents)
    edges = sorted(
        {percents[n * k // 4].quantize(Decimal(1), rounding=ROUND_HALF_EVEN) for k in (1, 2, 3)}
    )
    edges = [e for e in edges if percents[0] < e <= percents[-1]]
    if not edges:
        return BANDS
    bands = [(f"under {edges[0]}%", None, edges[0])]
    bands += [(f"{a}–{b}%", a, b) for a, b in zip(edges, edges[1:], strict=False)]
    bands.append((f"{edges[-1]}% or more", edges[-1], None))
    return tuple(bands)


def _alignment(item: Scenario, facts: _Facts, per_deal: dict[str, Decimal]) -> None:
    refs = sorted(facts.deals)
    deals = [facts.deals[ref] for ref in refs]
    pay = [per_deal.get(ref, ZERO) for ref in refs]
    # Credited values: the deal's measure × every share paid on it (an overlay's too), so
    # that pay ÷ credited value is the rate the plan pays.
    credited = {
        "margin": [d["margin"] * d["paid"] for d in deals],
        "units": [d["units"] * d["paid"] for d in deals],
        "revenue": [d["amount"] * d["paid"] for d in deals],
    }
    item.correlations = _correlations(
        [float(p) for p in pay], {k: [float(v) for v in vs] for k, vs in credited.items()}
    )
    reps = sorted(item.per_rep)
    item.rep_correlations = _correlations(
        [float(item.per_rep[r]) for r in reps],
        {k: [float(facts.rep_totals[r][k]) for r in reps] for k in ("margin", "units", "revenue")},
    )
    bands = facts.bands
    sums = [dict(deals=0, revenue=ZERO, margin=ZERO, units=ZERO, payout=ZERO) for _ in bands]
    for deal, payout, i in zip(deals, pay, range(len(deals)), strict=True):
        band = sums[_band_of(deal, bands)]
        band["deals"] += 1
        band["revenue"] += credited["revenue"][i]
        band["margin"] += credited["margin"][i]
        band["units"] += credited["units"][i]
        band["payout"] += payout
    item.bands = [
        Band(
            label=label,
            deals=s["deals"],
            revenue=_cents(s["revenue"]),
            margin=_cents(s["margin"]),
            units=s["units"],
            payout=s["payout"],
            per_margin_dollar=_ratio(s["payout"], s["margin"]),
            per_unit=_ratio(s["payout"], s["units"]),
            per_revenue_dollar=_ratio(s["payout"], s["revenue"]),
        )
        for (label, _, _), s in zip(bands, sums, strict=True)
    ]
    item.deal_rows = list(zip(deals, pay, refs, strict=True))
    item.warnings = alignment_warnings(item)


def _compare_groups(item: Scenario) -> tuple[Band, Band] | None:
    """The low- and high-margin deals to compare: the lowest and highest quarter of deals
    by margin % when there are at least 8, else the lowest and highest filled band."""
    deals = [d for d in item.deal_rows if d[0]["amount"] > 0]
    if len(deals) >= 8:
        deals.sort(key=lambda d: (d[0]["margin"] / d[0]["amount"], d[2]))
        quarter = len(deals) // 4
        return _group(deals[:quarter], "lowest"), _group(deals[-quarter:], "highest")
    filled = [b for b in item.bands if b.deals]
    return (filled[0], filled[-1]) if len(filled) >= 2 else None


def _group(rows: list, which: str) -> Band:
    margin = sum((d["margin"] * d["paid"] for d, _, _ in rows), ZERO)
    units = sum((d["units"] * d["paid"] for d, _, _ in rows), ZERO)
    revenue = sum((d["amount"] * d["paid"] for d, _, _ in rows), ZERO)
    payout = sum((p for _, p, _ in rows), ZERO)
    percents = sorted(d["margin"] * 100 / d["amount"] for d, _, _ in rows)
    middle = percents[len(percents) // 2].quantize(Decimal(1))
    return Band(
        label=f"the {which}-margin quarter of deals (median {middle}% margin)",
        deals=len(rows),
        revenue=_cents(revenue),
        margin=_cents(margin),
        units=units,
        payout=payout,
        per_margin_dollar=_ratio(payout, margin),
        per_unit=_ratio(payout, units),
        per_revenue_dollar=_ratio(payout, revenue),
    )


def _phrase(group: Band) -> str:
    """'the lowest-margin quarter of deals (…)' as is; a fixed band as 'deals at … margin'."""
    return group.label if group.label.startswith("the ") else f"deals at {group.label} margin"


def alignment_warnings(item: Scenario) -> list[str]:
    """Plain-language warnings when pay does not follow profit."""
    warnings = []
    groups = _compare_groups(item)
    if groups and groups[0].payout and groups[1].payout:
        low, high = groups
        low_ppm, high_ppm = low.per_margin_dollar, high.per_margin_dollar
        richer = low_ppm is None or (high_ppm is not None and low_ppm * 5 > high_ppm * 6)
        flat = bool(low.per_unit and high.per_unit and low.per_unit * 4 >= high.per_unit * 3)
        if flat and richer:
            warnings.append(
                f"Pays per unit sold regardless of profit: {_phrase(low)} earn "
                f"{_money(low.per_unit)} per unit, {_phrase(high)} {_money(high.per_unit)} — "
                "like the used-car lot that pays per car sold."
            )
        if low_ppm is None or (high_ppm is not None and low_ppm >= high_ppm * PPM_RATIO_WARNING):
            times = f"{(low_ppm / high_ppm).quantize(Decimal('0.1'))}×" if low_ppm else "far more"
            warnings.append(
                f"Each margin dollar of {_phrase(low)} pays {_money(low_ppm)}, {times} one of "
                f"{_phrase(high)} ({_money(high_ppm)}): the plan rewards discounting."
            )
    margin_r = item.correlations.get("margin", {}).get("spearman")
    units_r = item.correlations.get("units", {}).get("spearman")
    if margin_r is not None and units_r is not None and units_r - margin_r >= CORRELATION_GAP:
        warnings.append(
            f"Pay follows units (Spearman {units_r:.2f}) much more than margin "
            f"({margin_r:.2f}) across deals."
        )
    return warnings


def _money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"${value.quantize(CENT):,}"


def _deltas(current: Scenario, item: Scenario, names: dict[str, str]):
    rows = [
        RepDelta(
            rep_id=rep,
            name=names.get(rep, rep),
            current=current.per_rep.get(rep, ZERO),
            candidate=item.per_rep.get(rep, ZERO),
            delta=item.per_rep.get(rep, ZERO) - current.per_rep.get(rep, ZERO),
        )
        for rep in sorted(item.per_rep)
    ]
    winners = sorted((r for r in rows if r.delta > 0), key=lambda r: (-r.delta, r.rep_id))
    losers = sorted((r for r in rows if r.delta < 0), key=lambda r: (r.delta, r.rep_id))
    return winners, losers


# --- charts -------------------------------------------------------------------------------


def charts(result: ModellingResult) -> dict:
    """Plotly figures (plain dicts). Floats here only draw; the tables show exact figures."""
    ok = [s for s in result.scenarios if not s.error]
    edges = result.histogram_edges
    labels = [f"${edges[i]:,.0f}–{edges[i + 1]:,.0f}" for i in range(len(edges) - 1)]
    distribution = {
        "data": [{"type": "bar", "name": s.label, "x": labels, "y": s.histogram} for s in ok],
        "layout": {
            "barmode": "group",
            "height": 340,
            "margin": {"t": 30, "r": 10, "b": 80, "l": 50},
            "xaxis": {"title": {"text": f"Pay per rep in {result.period}"}},
            "yaxis": {"title": {"text": "Reps"}},
            "legend": {"orientation": "h", "y": 1.12},
        },
    }
    bands = {
        "data": [
            {
                "type": "bar",
                "name": s.label,
                "x": [b.label for b in s.bands],
                "y": [
                    None if b.per_margin_dollar is None else float(b.per_margin_dollar)
                    for b in s.bands
                ],  # fmt: skip
            }
            for s in ok
        ],
        "layout": {
            "barmode": "group",
            "height": 340,
            "margin": {"t": 30, "r": 10, "b": 50, "l": 60},
            "xaxis": {"title": {"text": "Deal margin %"}},
            "yaxis": {"title": {"text": "Pay per margin dollar"}, "tickprefix": "$"},
            "legend": {"orientation": "h", "y": 1.12},
        },
    }
    return {"distribution": distribution, "bands": bands}
