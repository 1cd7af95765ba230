"""The plan specification: pydantic models for a plan written in YAML.

A plan is one YAML document. Every plan, rate table, modifier and SPIFF is effective-dated
with half-open dates (in force on day D when ``valid_from <= D`` and ``valid_to`` is empty
or ``D < valid_to``), the convention used across Attain. Numbers are ``Decimal``; YAML floats
are refused by the loader so that no binary float ever reaches a rate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", max_length=64)]
PeriodType = Literal["month", "quarter", "half", "year"]
MeasureSource = Literal["amount", "margin", "units", "deals"]
# When earnings become payable (docs/plans.md, "Pay on cash"): at booking (the credit's
# event date), or released in proportion to the deal's invoices or collected payments.
PayOn = Literal["booking", "invoice", "collection"]

# Decimal places allowed in plan numbers; they bound the exact integer arithmetic of the
# rounding step (see docs/plans.md, "Exact arithmetic").
RATE_PLACES = 6
PERCENT_PLACES = 4
FACTOR_PLACES = 4


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _check_places(value: Decimal | None, places: int, what: str) -> None:
    if value is not None and _places(value.normalize()) > places:
        raise ValueError(f"{what} {value} has more than {places} decimal places")


class PathError(ValueError):
    """A validation error deeper than the model that found it (e.g. a dangling reference)."""

    def __init__(self, path: tuple[str | int, ...], reason: str) -> None:
        super().__init__(reason)
        self.path = path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Effective(_Strict):
    valid_from: dt.date
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Effective:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} must be after valid_from {self.valid_from}")
        return self

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


# --- measures -----------------------------------------------------------------------------


class BlendPart(_Strict):
    measure: Identifier
    weight: Decimal

    @model_validator(mode="after")
    def _weight_places(self) -> BlendPart:
        _check_places(self.weight, 2, "blend weight")
        return self


class Measure(_Strict):
    """What a component counts: a credited source value, optionally filtered, or a blend."""

    source: MeasureSource | None = None
    where: str | None = Field(default=None, description="condition on credit columns")
    blend: list[BlendPart] | None = None

    @model_validator(mode="after")
    def _source_or_blend(self) -> Measure:
        if (self.source is None) == (self.blend is None):
            raise ValueError("a measure has exactly one of 'source' or 'blend'")
        if self.blend is not None and not self.blend:
            raise ValueError("a blend needs at least one part")
        return self


# --- rate tables --------------------------------------------------------------------------


class Tier(_Strict):
    from_: Decimal = Field(alias="from", ge=0)
    to: Decimal | None = None
    rate: Decimal

    @model_validator(mode="after")
    def _bounds(self) -> Tier:
        if self.to is not None and self.to <= self.from_:
            raise ValueError(f"tier 'to' {self.to} must be above 'from' {self.from_}")
        _check_places(self.from_, PERCENT_PLACES, "tier bound")
        _check_places(self.to, PERCENT_PLACES, "tier bound")
        _check_places(self.rate, RATE_PLACES, "rate")
        return self


class CurvePoint(_Strict):
    at: Decimal = Field(ge=0, description="attainment % (or amount) where the point sits")
    payout: Decimal = Field(description="payout at this point, % of target incentive")

    @model_validator(mode="after")
    def _places_ok(self) -> CurvePoint:
        _check_places(self.at, PERCENT_PLACES, "curve point 'at'")
        _check_places(self.payout, PERCENT_PLACES, "curve point 'payout'")
        return self


RateKind = Literal["percent", "per_unit", "per_deal", "target_incentive_percent"]


class RateTable(Effective):
    basis: Literal["amount", "attainment"]
    semantic: Literal["retroactive", "marginal", "interpolated"]
    tie_break: Literal["higher", "lower"] = "higher"
    evaluation: Literal["per_transaction", "cumulative"] = "cumulative"
    rate: RateKind = "percent"
    tiers: list[Tier] | None = None
    points: list[CurvePoint] | None = None

    @model_validator(mode="after")
    def _shape(self) -> RateTable:
        if self.semantic == "interpolated":
            self._check_curve()
        else:
            self._check_tiers()
        return self

    def _check_tiers(self) -> None:
        if not self.tiers or self.points is not None:
            raise ValueError(f"a {self.semantic} rate table needs 'tiers' (and no 'points')")
        if self.tiers[0].from_ != 0:
            raise ValueError("the first tier must start 'from: 0'")
        for index, (lower, upper) in enumerate(zip(self.tiers, self.tiers[1:], strict=False)):
            if lower.to is None or lower.to != upper.from_:
                raise ValueError(
                    f"tiers must be contiguous: tier {index + 1} ends at {lower.to}, "
                    f"tier {index + 2} starts at {upper.from_}"
                )
        if self.tiers[-1].to is not None:
            raise ValueError("the last tier must be open-ended (no 'to')")
        if self.rate == "target_incentive_percent":
            raise ValueError("rate 'target_incentive_percent' needs semantic 'interpolated'")
        if self.rate == "per_deal" and self.semantic != "retroactive":
            raise ValueError("rate 'per_deal' needs semantic 'retroactive'")

    def _check_curve(self) -> None:
        if not self.points or self.tiers is not None:
            raise ValueError("an interpolated rate table needs 'points' (and no 'tiers')")
        if len(self.points) < 2:
            raise ValueError("a payout curve needs at least two points")
        if self.points[0].at != 0 or self.points[0].payout != 0:
            raise ValueError(
                "a payout curve starts at {at: 0, payout: 0}; use a gate for a threshold"
            )
        for lower, upper in zip(self.points, self.points[1:], strict=False):
            if upper.at <= lower.at:
                raise ValueError(f"curve points must rise strictly: {upper.at} after {lower.at}")
        if self.rate != "target_incentive_percent":
            raise ValueError("an interpolated rate table pays 'rate: target_incentive_percent'")
        if self.basis != "attainment":
            raise ValueError("an interpolated payout curve is on 'basis: attainment'")


# --- modifiers ----------------------------------------------------------------------------


# Whose total an attainment test compares with which quota: None = the tested component's
# own accumulation; "period" = the period alone; "ytd" = the year to date. A team test
# (``team: true``) reads None as "period".
AttainmentScope = Literal["period", "ytd"] | None


class Gate(Effective):
    """No pay for the component in a period unless attainment reaches a level."""

    attainment_at_least: Decimal = Field(ge=0)
    component: Identifier | None = Field(default=None, description="default: this component")
    attainment_scope: AttainmentScope = None
    team: bool = Field(
        default=False,
        description="test the team's attainment: the rep's manager's team total against the "
        "manager's quota, for the period (default) or the year to date (attainment_scope: "
        "ytd); see docs/plans.md, 'Modifiers', team tests",
    )


class Multiplier(Effective):
    """Kicker (factor > 1) or decelerator (factor < 1), on a deal condition and/or attainment."""

    factor: Decimal = Field(ge=0)
    name: str | None = None
    when: str | None = None
    attainment_at_least: Decimal | None = None
    attainment_below: Decimal | None = None
    component: Identifier | None = None
    attainment_scope: AttainmentScope = None
    team: bool = Field(
        default=False,
        description="test the team's attainment (as a team gate does) instead of the rep's",
    )

    @model_validator(mode="after")
    def _has_condition(self) -> Multiplier:
        attainment = self.attainment_at_least is not None or self.attainment_below is not None
        if self.when is None and not attainment:
            raise ValueError("a multiplier needs 'when' or an attainment condition")
        if self.team and not attainment:
            raise ValueError(
                "a team multiplier ('team: true') needs 'attainment_at_least' or 'attainment_below'"
            )
        _check_places(self.factor, FACTOR_PLACES, "factor")
        return self


class Cap(Effective):
    amount: Decimal | None = Field(default=None, ge=0)
    multiple_of_target: Decimal | None = Field(default=None, ge=0)
    per: Literal["period", "year"] = "period"

    @model_validator(mode="after")
    def _one_limit(self) -> Cap:
        if (self.amount is None) == (self.multiple_of_target is None):
            raise ValueError("a cap has exactly one of 'amount' or 'multiple_of_target'")
        _check_places(self.amount, 2, "cap amount")
        _check_places(self.multiple_of_target, FACTOR_PLACES, "cap multiple")
        return self


class Floor(Effective):
    """A minimum the component pays per rep and period; a top-up line makes up the difference."""

    amount: Decimal | None = Field(default=None, ge=0)
    multiple_of_target: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_limit(self) -> Floor:
        if (self.amount is None) == (self.multiple_of_target is None):
            raise ValueError("a floor has exactly one of 'amount' or 'multiple_of_target'")
        _check_places(self.amount, 2, "floor amount")
        _check_places(self.multiple_of_target, FACTOR_PLACES, "floor multiple")
        return self


class PlanFloor(Floor):
    """A minimum the plan's components pay together per rep and period, or per rep and year
    (topped up in the year's last plan period); see docs/plans.md, "Plan floor"."""

    per: Literal["period", "year"] = "period"


class Clawback(Effective):
    within_days: int = Field(ge=0)
    reduces_attainment: bool = False


class Modifiers(_Strict):
    gates: list[Gate] = []
    multipliers: list[Multiplier] = []
    caps: list[Cap] = []
    floors: list[Floor] = []


# --- components, SPIFFs, plan -------------------------------------------------------------


class QuotaRef(_Strict):
    name: Identifier
    source: Literal["period", "annual"] = "period"
    seasonality: list[Decimal] | None = Field(
        default=None, description="% of the annual quota per plan period; sums to 100"
    )

    @model_validator(mode="after")
    def _seasonality(self) -> QuotaRef:
        if self.seasonality is not None:
            if self.source != "annual":
                raise ValueError("seasonality applies to 'source: annual' quotas")
            if sum(self.seasonality) != 100:
                raise ValueError(f"seasonality weights sum to {sum(self.seasonality)}, not 100")
        return self


class Component(_Strict):
    id: Identifier
    name: str
    measure: Identifier
    weight: Decimal = Field(default=Decimal(1), ge=0, le=1, description="share of target incentive")
    accumulate: Literal["period", "ytd"] = "period"
    quota: QuotaRef | None = None
    rate_tables: list[RateTable]
    modifiers: Modifiers = Modifiers()
    roles: list[Identifier] | None = Field(
        default=None,
        min_length=1,
        description="credit roles the component counts; default: every role",
    )
    pay_on: PayOn | None = Field(default=None, description="default: the plan's pay_on")

    @property
    def trues_up(self) -> bool:
        """Whether the component re-rates earlier periods' credits of the year (true-ups):
        a cumulative retroactive table on the year to date (docs/plans.md, "True-ups")."""
        return self.accumulate == "ytd" and any(
            t.semantic == "retroactive" and t.evaluation == "cumulative" for t in self.rate_tables
        )

    @model_validator(mode="after")
    def _needs(self) -> Component:
        if not self.rate_tables:
            raise ValueError("a component needs at least one rate table")
        for table in self.rate_tables:
            if table.basis == "attainment" and self.quota is None:
                raise ValueError("a rate table on attainment needs the component's 'quota'")
            if table.semantic == "interpolated" and self.accumulate != "period":
                raise ValueError("a payout curve needs 'accumulate: period'")
        uses_attainment = [g for g in self.modifiers.gates if g.component is None] + [
            m
            for m in self.modifiers.multipliers
            if m.component is None and (m.attainment_at_least or m.attainment_below) is not None
        ]
        if uses_attainment and self.quota is None:
            raise ValueError("an attainment gate or multiplier needs the component's 'quota'")
        return self


class Spiff(Effective):
    id: Identifier
    name: str
    where: str | None = None
    roles: list[Identifier] | None = Field(
        default=None,
        min_length=1,
        description="credit roles the SPIFF pays; default: every role",
    )
    window_from: dt.date
    window_to: dt.date = Field(description="first day after the window (half-open)")
    fixed: Decimal | None = Field(default=None, description="amount per deal, times credit share")
    percent: Decimal | None = Field(default=None, description="% of the credited amount")

    @model_validator(mode="after")
    def _one_payment(self) -> Spiff:
        if (self.fixed is None) == (self.percent is None):
            raise ValueError("a SPIFF pays exactly one of 'fixed' or 'percent'")
        if self.window_to <= self.window_from:
            raise ValueError("window_to must be after window_from")
        _check_places(self.fixed, 2, "SPIFF fixed amount")
        _check_places(self.percent, RATE_PLACES, "SPIFF percent")
        return self


# The component id of plan floor top-up lines (like ``draw`` for draw lines).
PLAN_FLOOR_ID = "plan_floor"


# --- crediting ----------------------------------------------------------------------------

# Roles of the credits the engine derives; the input's own roles are free text.
DERIVED_ROLES = ("manager", "territory")


class RollUp(_Strict):
    """A rep on this plan receives a ``manager`` credit for each credit of the reps below them
    in the reporting hierarchy in force on the credit's event date, up to ``levels`` levels."""

    levels: Annotated[int, Field(ge=1)] | Literal["all"] = 1
    roles: list[Identifier] = Field(
        default=["owner", "split"],
        description="roles of the credits that roll up ('territory' rolls territory credits up)",
    )

    @model_validator(mode="after")
    def _roles(self) -> RollUp:
        if not self.roles:
            raise ValueError("a roll-up needs at least one role")
        if "manager" in self.roles:
            raise ValueError("'manager' credits do not roll up again; use 'levels' instead")
        return self


class TerritoryCredit(_Strict):
    """A rep on this plan receives a ``territory`` credit for each credit whose
    ``territory_id`` the rep owns on the credit's event date."""

    roles: list[Identifier] = Field(
        default=["owner", "split"], description="roles of the credits that credit the territory"
    )

    @model_validator(mode="after")
    def _roles(self) -> TerritoryCredit:
        if not self.roles:
            raise ValueError("territory crediting needs at least one role")
        if set(self.roles) & set(DERIVED_ROLES):
            raise ValueError("territory credits come from input credits, not derived ones")
        return self


class Crediting(_Strict):
    """Credits the engine derives for reps on this plan (docs/plans.md, "Crediting")."""

    roll_up: RollUp | None = None
    territory: TerritoryCredit | None = None


class Plan(Effective):
    id: Identifier
    version: int = Field(ge=1)
    name: str
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    fx_pivot: str | None = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="currency through which a deal is converted when the FX table has no "
        "direct rate to the plan's currency (deal → pivot → plan); null: direct rates only",
    )
    period: PeriodType
    proration: bool = True
    measures: dict[Identifier, Measure]
    components: list[Component] = []
    spiffs: list[Spiff] = []
    clawback: Clawback | None = None
    caps: list[Cap] = Field(default=[], description="caps on all components together")
    floors: list[PlanFloor] = Field(
        default=[], description="minimum pay of all components together, per period or year"
    )
    crediting: Crediting | None = None
    pay_on: PayOn = Field(default="booking", description="when components' earnings are paid")

    @model_validator(mode="after")
    def _references(self) -> Plan:
        for name, measure in self.measures.items():
            for part in measure.blend or []:
                target = self.measures.get(part.measure)
                where = ("measures", name, "blend")
                if target is None:
                    raise PathError(
                        where, f"measure {name!r} blends unknown measure {part.measure!r}"
                    )
                if target.blend is not None:
                    raise PathError(
                        where, f"measure {name!r} blends another blend {part.measure!r}"
                    )
        ids = [c.id for c in self.components] + [s.id for s in self.spiffs]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"component/SPIFF ids must be unique: {duplicates}")
        if "draw" in ids:
            raise ValueError("'draw' is reserved for draw lines; give the component another id")
        for key, items in (("components", self.components), ("spiffs", self.spiffs)):
            for index, item in enumerate(items):
                if item.id == PLAN_FLOOR_ID:
                    raise PathError(
                        (key, index, "id"),
                        f"{PLAN_FLOOR_ID!r} is reserved for plan floor lines; choose another id",
                    )
        if self.floors and not self.components:
            raise PathError(
                ("floors",), "a plan floor tops up the plan's components, and this plan has none"
            )
        for index, component in enumerate(self.components):
            if component.measure not in self.measures:
                raise PathError(
                    ("components", index, "measure"),
                    f"component {component.id!r} uses unknown measure {component.measure!r}",
                )
            for ref in [g.component for g in component.modifiers.gates] + [
                m.component for m in component.modifiers.multipliers
            ]:
                if ref is not None and ref not in {c.id for c in self.components}:
                    raise PathError(
                        ("components", index, "modifiers"),
                        f"component {component.id!r} refers to unknown component {ref!r}",
                    )
            if component.quota and component.quota.seasonality is not None:
                expected = {"month": 12, "quarter": 4, "half": 2, "year": 1}[self.period]
                if len(component.quota.seasonality) != expected:
                    raise PathError(
                        ("components", index, "quota", "seasonality"),
                        f"component {component.id!r}: {expected} seasonality weights expected "
                        f"for a {self.period} plan, got {len(component.quota.seasonality)}",
                    )
        for index, component in enumerate(self.components):
            pay_on = component.pay_on or self.pay_on
            if component.trues_up and pay_on != "booking":
                raise PathError(
                    ("components", index, "pay_on"),
                    f"component {component.id!r}: true-ups of year-to-date retroactive tiers "
                    f"are paid at booking; pay on {pay_on} is not supported for them",
                )
        if not self.components and not self.spiffs:
            raise ValueError("a plan needs at least one component or SPIFF")
        return self

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of a plan document, for editors and for review tooling."""
    return Plan.model_json_schema(by_alias=True)
