"""Writing quotas: entry by admins, bulk upsert, and saving a distribution.

Every change is validated here (period in the engine's notation, amount ≥ 0 with at most
two decimals, a three-letter currency, a rep that exists), checked for permission (admins
only) and written in one transaction with its audit entry (before/after snapshots).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from attain.audit.services import record, snapshot
from attain.engine.errors import EngineError
from attain.engine.periods import parse_period
from attain.people.models import Rep, Team, User
from attain.quotas import distribution as dist
from attain.quotas import selectors
from attain.quotas.models import Quota

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("1e16")
KINDS = {"same": None, "year": "year", "half": "half", "quarter": "quarter", "month": "month"}


def _require_admin(user: User) -> None:
    if not selectors.may_change_quotas(user):
        raise PermissionDenied("Only an admin changes quotas.")


@dataclass
class QuotaData:
    rep: Rep | None
    quota: str
    period: str
    amount: Decimal | str | None
    currency: str = "USD"


def clean(data: QuotaData) -> dict:
    """The validated values, or ValidationError({field: [reasons]})."""
    errors: dict[str, list[str]] = {}
    if data.rep is None:
        errors.setdefault("rep", []).append("choose a rep that exists")
    name = (data.quota or "").strip()
    if not name:
        errors.setdefault("quota", []).append("give the quota a name (e.g. revenue)")
    elif len(name) > 64:
        errors.setdefault("quota", []).append("at most 64 characters")
    label = (data.period or "").strip()
    try:
        try:
            period = parse_period(label)
        except EngineError:
            period = parse_period(label.upper())  # 2026-q1: suggest 2026-Q1
        if period.label != label:
            raise EngineError(f"write it as {period.label}")
    except EngineError as exc:
        errors.setdefault("period", []).append(f"{exc} (e.g. 2026, 2026-H1, 2026-Q1, 2026-03)")
    amount = data.amount
    try:
        amount = Decimal(str(amount).strip()) if amount is not None else None
        if amount is None or not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.setdefault("amount", []).append("not a number")
    else:
        if amount < 0:
            errors.setdefault("amount", []).append("must be 0 or more")
        elif amount != amount.quantize(dist.CENT):
            errors.setdefault("amount", []).append("at most 2 decimal places")
        elif amount >= MAX_AMOUNT:
            errors.setdefault("amount", []).append("too large")
    currency = (data.currency or "").strip().upper()
    if not CURRENCY.match(currency):
        errors.setdefault("currency", []).append("a three-letter ISO code such as USD")
    if errors:
        raise ValidationError(errors)
    return {
        "rep": data.rep,
        "quota": name,
        "period": label,
        "amount": amount.quantize(dist.CENT),
        "currency": currency,
    }


def _duplicate(values: dict, exclude: int | None = None) -> Quota | None:
    found = Quota.objects.filter(
        rep=values["rep"], quota=values["quota"], period=values["period"]
    ).exclude(pk=exclude)
    return found.first()


def create_quota(*, by: User, data: QuotaData) -> Quota:
    _require_admin(by)
    values = clean(data)
    with transaction.atomic():
        if _duplicate(values):
            raise ValidationError(
                {
                    "period": [
                        f"{values['rep']} already has a {values['quota']} quota for "
                        f"{values['period']}: edit it instead"
                    ]
                }
            )
        quota = Quota.objects.create(**values, source=Quota.Source.ENTERED, updated_by=by)
        record(by, "quota.create", quota, after=snapshot(quota))
    return quota


def update_quota(quota: Quota, *, by: User, data: QuotaData) -> Quota:
    _require_admin(by)
    values = clean(data)
    with transaction.atomic():
        quota = Quota.objects.select_for_update().get(pk=quota.pk)
        if _duplicate(values, exclude=quota.pk):
            raise ValidationError(
                {"period": [f"another {values['quota']} quota exists for this rep and period"]}
            )
        before = snapshot(quota)
        for name, value in values.items():
            setattr(quota, name, value)
        quota.source = Quota.Source.ENTERED
        quota.updated_by = by
        quota.save()
        record(by, "quota.update", quota, before=before, after=snapshot(quota))
    return quota


def delete_quota(quota: Quota, *, by: User) -> None:
    _require_admin(by)
    with transaction.atomic():
        before = snapshot(quota)
        record(by, "quota.delete", quota, before=before)
        quota.delete()


# --- bulk upsert (API) -------------------------------------------------------------------


@dataclass
class RowProblem:
    index: int  # 0-based position in the request
    field: str
    reason: str


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def bulk_upsert(rows: list[dict], *, by: User, dry_run: bool = False) -> BulkResult:
    """Create or update quotas by (rep external id, quota, period). All or nothing: every
    row is checked first; if any is wrong nothing is written and every problem is named
    (row index, field, reason). Written rows get source ``imported``, one audit entry each."""
    _require_admin(by)
    result = BulkResult()
    wanted = {str(r.get("rep") or "").strip() for r in rows}
    reps = {r.external_id: r for r in Rep.objects.filter(external_id__in=wanted)}
    cleaned: list[dict] = []
    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        rep_key = str(row.get("rep") or "").strip()
        data = QuotaData(
            rep=reps.get(rep_key),
            quota=str(row.get("quota") or ""),
            period=str(row.get("period") or ""),
            amount=row.get("amount"),
            currency=str(row.get("currency") or "USD"),
        )
        try:
            values = clean(data)
        except ValidationError as error:
            for name, reasons in error.message_dict.items():
                for reason in reasons:
                    if name == "rep":
                        reason = f"unknown rep {rep_key!r}: no rep with this external id"
                    result.errors.append(RowProblem(i, name, reason))
            continue
        key = (values["rep"].pk, values["quota"], values["period"])
        if key in seen:
            result.errors.append(
                RowProblem(i, "period", f"duplicate rep + quota + period (also row {seen[key]})")
            )
            continue
        seen[key] = i
        cleaned.append(values)
    if result.errors:
        return result
    with transaction.atomic():
        for values in cleaned:
            _upsert(values, by=by, source=Quota.Source.IMPORTED, result=result, note="api")
        if dry_run:
            transaction.set_rollback(True)
    return result


def _upsert(values: dict, *, by: User, source: str, result, note: str = "") -> Quota:
    existing = (
        Quota.objects.select_for_update()
        .filter(rep=values["rep"], quota=values["quota"], period=values["period"])
        .first()
    )
    if existing is None:
        quota = Quota.objects.create(**values, source=source, updated_by=by)
        record(by, "quota.create", quota, after=snapshot(quota), note=note or source)
        result.created += 1
        return quota
    if existing.amount == values["amount"] and existing.currency == values["currency"]:
        result.unchanged += 1
        return existing
    before = snapshot(existing)
    existing.amount, existing.currency = values["amount"], values["currency"]
    existing.source, existing.updated_by = source, by
    existing.save()
    record(
        by, "quota.update", existing, before=before, after=snapshot(existing), note=note or source
    )
    result.updated += 1
    return existing


# --- distribution ------------------------------------------------------------------------


@dataclass
class DistributionRequest:
    total: Decimal
    window: str  # e.g. 2026
    split: str = "same"  # same, year, half, quarter or month
    team: Team | None = None
    region: str = ""
    method: str = dist.EVEN
    quota: str = "revenue"
    currency: str = "USD"
    seasonality: list[Decimal] = field(default_factory=list)
    ramp: list[Decimal] = field(default_factory=list)  # percent per month after hire
    prorate: bool = True

    @property
    def target_label(self) -> str:
        return self.team.name if self.team else f"region {self.region}"


def parse_weights(text: str, *, name: str) -> list[Decimal]:
    """'20/20/20/40', '20, 20, 20, 40' or '25 50 75 100' → Decimals (≥ 0)."""
    parts = [p for p in re.split(r"[\s,;/|]+", (text or "").strip()) if p]
    try:
        values = [Decimal(p.rstrip("%")) for p in parts]
    except InvalidOperation:
        raise ValidationError({name: ["numbers separated by /, commas or spaces"]}) from None
    if any(not v.is_finite() or v < 0 for v in values):
        raise ValidationError({name: ["every weight must be 0 or more"]})
    return values


def plan_distribution(request: DistributionRequest, *, by: User) -> dist.Distribution:
    """Gather the team's members, their basis and presence, and distribute (no writes)."""
    _require_admin(by)
    errors: dict[str, list[str]] = {}
    try:
        window = parse_period(request.window.strip())
    except EngineError as exc:
        raise ValidationError({"period": [str(exc)]}) from None
    if (
        request.total is None
        or request.total < 0
        or request.total != request.total.quantize(dist.CENT)
    ):
        errors["total"] = ["an amount ≥ 0 with at most 2 decimal places"]
    if not CURRENCY.match((request.currency or "").upper()):
        errors["currency"] = ["a three-letter ISO code such as USD"]
    if not (request.quota or "").strip():
        errors["quota"] = ["give the quota a name (e.g. revenue)"]
    if request.split not in KINDS:
        errors["split"] = [f"one of {', '.join(KINDS)}"]
    if request.method not in dist.METHODS:
        errors["method"] = [f"one of {', '.join(dist.METHODS)}"]
    if request.team is None and not request.region.strip():
        errors["team"] = ["choose a team or a region"]
    if any(r > 100 for r in request.ramp):
        errors["ramp"] = ["ramp steps are percentages of a full quota, at most 100"]
    if errors:
        raise ValidationError(errors)
    try:
        periods = dist.output_periods(window, KINDS[request.split] or window.kind)
    except dist.DistributionError as exc:
        raise ValidationError({"split": [str(exc)]}) from None
    teams = selectors.subtree_teams(request.team.pk if request.team else None, request.region)
    if not teams:
        raise ValidationError({"region": [f"no team has region {request.region!r}"]})
    spans = selectors.member_spans(teams, window, joiners=request.prorate)
    reps = selectors.reps_by_id(spans)
    basis: dict[int, Decimal] = {}
    currency = request.currency.upper()
    if request.method == dist.LAST_YEAR:
        start = dt.date(window.start.year - 1, window.start.month, 1)
        end = dt.date(window.end.year - 1, window.end.month, 1)
        basis = selectors.won_revenue(set(reps), start, end, currency)
    elif request.method == dist.POTENTIAL:
        basis = selectors.territory_potential(set(reps), window.start)
    inputs = []
    for rep in sorted(reps.values(), key=lambda r: (r.name, r.pk)):
        factors = [
            dist.presence_factor(
                p,
                spans[rep.pk],
                hire_date=rep.hire_date,
                termination_date=rep.termination_date,
                ramp=request.ramp,
                prorate=request.prorate,
            )
            for p in periods
        ]
        inputs.append(dist.RepInput(rep.pk, rep.name, basis.get(rep.pk), factors))
    try:
        return dist.distribute(
            request.total,
            [p.label for p in periods],
            inputs,
            method=request.method,
            seasonality=request.seasonality,
        )
    except dist.DistributionError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from None


def save_distribution(
    request: DistributionRequest, result: dist.Distribution, *, by: User
) -> BulkResult:
    """Create or update one quota per rep and period (source ``distributed``), audited,
    in one transaction. A rep with no day in the team in a period (presence 0) gets no
    quota for it: a quota another team's distribution gave them is left alone."""
    _require_admin(by)
    reps = selectors.reps_by_id([line.rep_id for line in result.lines])
    outcome = BulkResult()
    note = (
        f"distributed: {result.total} {request.currency.upper()} for {request.target_label}, "
        f"{result.method_label.lower()}, {request.window}"
    )
    with transaction.atomic():
        for line in result.lines:
            for label, amount, factor in zip(
                result.periods, line.amounts, line.factors, strict=True
            ):
                if factor == 0:
                    continue  # not in the team that period: leave any other quota alone
                values = {
                    "rep": reps[line.rep_id],
                    "quota": request.quota.strip(),
                    "period": label,
                    "amount": amount,
                    "currency": request.currency.upper(),
                }
                _upsert(values, by=by, source=Quota.Source.DISTRIBUTED, result=outcome, note=note)
    return outcome
