"""The file format of each importable entity: its columns, natural key and row checks.

``docs/import.md`` documents the same formats; ``attain import --list`` prints them from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.apps import apps
from django.db import models

from attain.imports.columns import BOOL, DATE, DECIMAL, ENUM, INT, REF, REFS, STR, Column

ZERO = Decimal(0)
ONE = Decimal(1)

# A row check gets the row's converted values by column name (absent columns are missing)
# and returns (column, reason) pairs.
RowCheck = Callable[[dict[str, object]], list[tuple[str, str]]]


@dataclass
class Entity:
    name: str
    model_label: str
    description: str
    columns: list[Column]
    key: tuple[str, ...]
    row_checks: list[RowCheck] = field(default_factory=list)
    header_aliases: dict[str, str] = field(default_factory=dict)
    # Model attributes every written row gets, on create and on update (e.g. a quota's
    # source is "imported"), whatever their model default.
    constants: dict[str, object] = field(default_factory=dict)
    # The natural key has no unique constraint in the database: changed rows are updated
    # by primary key instead of INSERT ... ON CONFLICT.
    update_by_pk: bool = False
    # An applied import of this entity writes one audit entry (plans, quotas, ...).
    audited: bool = False

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def key_label(self) -> str:
        return " + ".join(self.key)


def _ext_id(help_text: str, example: str) -> Column:
    return Column(
        "external_id",
        STR,
        required=True,
        attname="external_id",
        max_length=64,
        help=help_text,
        example=example,
    )


def _text(name: str, max_length: int, help_text: str = "", example: str = "", **kw) -> Column:
    return Column(
        name,
        STR,
        attname=name,
        max_length=max_length,
        default="",
        help=help_text,
        example=example,
        **kw,
    )


def _money(name: str, help_text: str, example: str, *, required=False, attname=None, **kw):
    kw.setdefault("minimum", ZERO)
    kw.setdefault("default", None if required else ZERO)
    return Column(
        name,
        DECIMAL,
        required=required,
        attname=attname or name,
        places=2,
        max_digits=18,
        help=help_text,
        example=example,
        **kw,
    )


def _date(name: str, help_text: str, example: str, *, required=False) -> Column:
    return Column(name, DATE, required=required, attname=name, help=help_text, example=example)


def _ref(name: str, ref: str, help_text: str, example: str, *, required=True) -> Column:
    return Column(
        name,
        REF,
        required=required,
        attname=f"{name}_id",
        ref=ref,
        max_length=64,
        help=help_text,
        example=example,
    )


def _coordinate(name: str, limit: int, help_text: str, example: str) -> Column:
    return Column(
        name,
        DECIMAL,
        attname=name,
        places=6,
        max_digits=9,
        minimum=Decimal(-limit),
        maximum=Decimal(limit),
        help=help_text,
        example=example,
    )


def _currency() -> Column:
    return Column(
        "currency",
        STR,
        attname="currency",
        max_length=3,
        default="USD",
        help="ISO 4217 code; default USD",
        example="USD",
    )


VALID_FROM = _date("valid_from", "first day in force", "2026-01-01", required=True)
VALID_TO = _date(
    "valid_to", "first day no longer in force (half-open); blank = open-ended", "2026-07-01"
)


def check_valid_to_after_from(row: dict[str, object]) -> list[tuple[str, str]]:
    start, end = row.get("valid_from"), row.get("valid_to")
    if start and end and end <= start:
        return [
            (
                "valid_to",
                f"must be after valid_from ({start}); valid_to is the first day no longer in force",
            )
        ]
    return []


def check_rep_dates(row: dict[str, object]) -> list[tuple[str, str]]:
    problems = []
    hired, left = row.get("hire_date"), row.get("termination_date")
    if hired and left and left < hired:
        problems.append(("termination_date", f"is before hire_date ({hired})"))
    email = row.get("email")
    if email and ("@" not in email or " " in email):
        problems.append(("email", "not an email address"))
    return problems


def check_closed_deal_has_close_date(row: dict[str, object]) -> list[tuple[str, str]]:
    if row.get("status") in {"won", "lost"} and not row.get("close_date"):
        return [("close_date", f"a {row['status']} deal needs a close date")]
    return []


def check_territory_kind(row: dict[str, object]) -> list[tuple[str, str]]:
    kind = row.get("kind")
    rule_fields = ["rule_region", "rule_state", "rule_postcode_prefix", "rule_industry"]
    band = ["rule_potential_min", "rule_potential_max"]
    has_rule = any(row.get(f) for f in rule_fields) or any(row.get(f) is not None for f in band)
    rule_fields += band
    low, high = (row.get(f) for f in band)
    if low is not None and high is not None and high <= low:
        return [("rule_potential_max", f"must be above rule_potential_min ({low})")]
    if kind == "list" and has_rule:
        return [("kind", "a list territory has no rule fields; leave them blank")]
    if kind == "rule" and row.get("accounts"):
        return [("accounts", "only a list territory has an account list (set kind to list)")]
    if kind == "rule" and not has_rule:
        return [
            (
                "kind",
                "a rule territory needs at least one rule field (" + ", ".join(rule_fields) + ")",
            )
        ]
    return []


REPS = Entity(
    "reps",
    "people.Rep",
    "People on the sales org chart who can own deals and be paid.",
    [
        _ext_id("your id for the rep (HRIS or CRM user id)", "R-0042"),
        _text("name", 200, "full name", "Dana Scully", required=True),
        _text("email", 254, "work email; presets match deal owners by it", "dana@example.com"),
        _text("title", 100, "job title", "Account Executive"),
        _date("hire_date", "", "2024-02-01"),
        _date("termination_date", "last day employed", ""),
        _coordinate("home_latitude", 90, "", "37.774900"),
        _coordinate("home_longitude", 180, "", "-122.419400"),
    ],
    key=("external_id",),
    row_checks=[check_rep_dates],
)

TEAMS = Entity(
    "teams",
    "people.Team",
    "Nodes of the sales hierarchy. A parent may be a team in the database or anywhere in "
    "the same file; loops are rejected.",
    [
        _ext_id("your id for the team", "T-WEST"),
        _text("name", 200, "", "West", required=True),
        _text("region", 64, "", "West"),
        Column(
            "parent",
            REF,
            attname="parent_id",
            ref="teams",
            max_length=64,
            help="parent team's external id (in the database or this file); blank = top",
            example="T-SALES",
        ),
    ],
    key=("external_id",),
)

TEAM_MEMBERSHIPS = Entity(
    "team_memberships",
    "people.TeamMembership",
    "Who belongs to (member) or leads (manager) which team, between two dates.",
    [
        _ref("rep", "reps", "rep external id", "R-0042"),
        _ref("team", "teams", "team external id", "T-WEST"),
        Column(
            "role",
            ENUM,
            attname="role",
            choices=("member", "manager"),
            default="member",
            help="default member",
            example="member",
        ),
        VALID_FROM,
        VALID_TO,
    ],
    key=("rep", "team", "role", "valid_from"),
    row_checks=[check_valid_to_after_from],
)

TERRITORIES = Entity(
    "territories",
    "territories.Territory",
    "Named sets of accounts, by rule (every non-empty rule field must match) or by an "
    "explicit account list.",
    [
        _ext_id("your id for the territory", "TER-NORCAL"),
        _text("name", 200, "", "Northern California", required=True),
        Column(
            "kind",
            ENUM,
            attname="kind",
            choices=("rule", "list"),
            default="rule",
            help="default rule",
            example="rule",
        ),
        _text("rule_region", 64, "matches account region (case-insensitive)", "West"),
        _text("rule_state", 64, "matches account state (case-insensitive)", "CA"),
        _text("rule_postcode_prefix", 16, "matches account postcodes starting with it", "94"),
        _text("rule_industry", 100, "matches account industry (case-insensitive)", ""),
        _money(
            "rule_potential_min",
            "matches accounts whose potential is at least this; blank = no lower bound",
            "100000.00",
            default=None,
        ),
        _money(
            "rule_potential_max",
            "matches accounts whose potential is below this; blank = no upper bound",
            "",
            default=None,
        ),
        Column(
            "priority",
            INT,
            attname="priority",
            default=100,
            help="lowest number wins when several rules match; default 100",
            example="10",
        ),
        VALID_FROM,
        VALID_TO,
        Column(
            "accounts",
            REFS,
            ref="accounts",
            help="list territories: account external ids; replaces the list when given",
            example="A-001 A-002",
        ),
    ],
    key=("external_id",),
    row_checks=[check_valid_to_after_from, check_territory_kind],
)

TERRITORY_OWNERS = Entity(
    "territory_owners",
    "territories.TerritoryOwner",
    "Who owns which territory, between two dates.",
    [
        _ref("territory", "territories", "territory external id", "TER-NORCAL"),
        _ref("rep", "reps", "rep external id", "R-0042"),
        VALID_FROM,
        VALID_TO,
    ],
    key=("territory", "rep", "valid_from"),
    row_checks=[check_valid_to_after_from],
)

ACCOUNTS = Entity(
    "accounts",
    "sales.Account",
    "Customers.",
    [
        _ext_id("CRM account id", "A-000123"),
        _text("name", 200, "", "Acme Corp", required=True),
        _text("industry", 100, "", "Manufacturing"),
        _text("region", 64, "", "West"),
        _text("state", 64, "", "CA"),
        _text("postcode", 16, "", "94105"),
        _coordinate("latitude", 90, "", "37.789900"),
        _coordinate("longitude", 180, "", "-122.400700"),
        _money("potential", "estimated yearly revenue potential", "250000.00"),
        _currency(),
    ],
    key=("external_id",),
)

PRODUCTS = Entity(
    "products",
    "sales.Product",
    "What you sell.",
    [
        _ext_id("SKU", "SKU-PRO-1Y"),
        _text("name", 200, "", "Pro plan, 1 year", required=True),
        _text("family", 100, "", "Subscriptions"),
        _money("list_price", "", "1200.00"),
        _money("unit_cost", "", "300.00"),
        _currency(),
    ],
    key=("external_id",),
)

DEALS = Entity(
    "deals",
    "sales.Deal",
    "Opportunities.",
    [
        _ext_id("CRM opportunity id", "D-2026-0001"),
        _text("name", 200, "", "Acme renewal 2026"),
        _ref("account", "accounts", "account external id", "A-000123"),
        _ref("owner", "reps", "rep external id of the deal owner", "R-0042"),
        _text("stage", 64, "your CRM's stage name", "Negotiation"),
        Column(
            "status",
            ENUM,
            attname="status",
            choices=("open", "won", "lost"),
            default="open",
            help="default open",
            example="won",
        ),
        Column(
            "type",
            ENUM,
            attname="deal_type",
            choices=("new", "renewal", "expansion"),
            default="new",
            help="default new",
            example="renewal",
            aliases=(("new business", "new"), ("upsell", "expansion")),
        ),
        _money("amount", "deal value", "48000.00", required=True),
        _currency(),
        _money(
            "margin",
            "gross profit; may be negative; blank = unknown",
            "19200.00",
            minimum=None,
            default=None,
        ),
        Column(
            "units",
            DECIMAL,
            attname="units",
            places=2,
            max_digits=14,
            minimum=ZERO,
            default=ZERO,
            help="seats, licences, ...",
            example="40",
        ),
        _date("created_date", "", "2026-01-15", required=True),
        _date("close_date", "required when status is won or lost", "2026-03-31"),
        _date("cancellation_date", "when a won deal was cancelled (clawback)", ""),
    ],
    key=("external_id",),
    row_checks=[check_closed_deal_has_close_date],
    header_aliases={"deal_type": "type"},
    audited=True,
)

DEAL_LINES = Entity(
    "deal_lines",
    "sales.DealLine",
    "Products on a deal.",
    [
        _ext_id("CRM line item id", "DL-0001-1"),
        _ref("deal", "deals", "deal external id", "D-2026-0001"),
        _ref("product", "products", "product external id (SKU)", "SKU-PRO-1Y"),
        Column(
            "quantity",
            DECIMAL,
            required=True,
            attname="quantity",
            places=2,
            max_digits=14,
            minimum=ZERO,
            minimum_exclusive=True,
            example="40",
            help="",
        ),
        _money("unit_price", "price per unit", "1100.00", required=True),
        _money("unit_cost", "cost per unit", "300.00"),
    ],
    key=("external_id",),
    audited=True,
)

PAYMENTS = Entity(
    "payments",
    "sales.Payment",
    "Invoices, credit notes, payments collected and refunds on deals, in the deal's "
    "currency: what releases (and, for credit notes and refunds, takes back) the earnings "
    "of plans that pay on invoice or on collection.",
    [
        _ext_id("invoice or payment id in your billing system", "INV-2026-0001"),
        _ref("deal", "deals", "deal external id", "D-2026-0001"),
        Column(
            "kind",
            ENUM,
            required=True,
            attname="kind",
            choices=("invoice", "credit_note", "payment", "refund"),
            help="invoice (raised), credit_note (against an invoice), payment (collected) or "
            "refund (paid back)",
            example="invoice",
            aliases=(
                ("receipt", "payment"),
                ("collection", "payment"),
                ("credit note", "credit_note"),
                ("credit memo", "credit_note"),
            ),
        ),
        _date("date", "the day it was raised or collected", "2026-04-15", required=True),
        _money(
            "amount",
            "in the deal's currency",
            "16000.00",
            required=True,
            minimum_exclusive=True,
        ),
    ],
    key=("external_id",),
    audited=True,
)

CREDITS = Entity(
    "credits",
    "sales.Credit",
    "The share of a deal credited to a rep. Owner and split shares of a deal sum to at "
    "most 1; overlay and manager roll-up credits come on top.",
    [
        _ref("deal", "deals", "deal external id", "D-2026-0001"),
        _ref("rep", "reps", "rep external id", "R-0042"),
        Column(
            "role",
            ENUM,
            attname="role",
            choices=("owner", "split", "overlay", "manager"),
            default="owner",
            help="default owner",
            example="split",
            aliases=(("manager roll-up", "manager"), ("rollup", "manager")),
        ),
        Column(
            "share",
            DECIMAL,
            required=True,
            attname="share",
            places=4,
            max_digits=7,
            minimum=ZERO,
            minimum_exclusive=True,
            maximum=ONE,
            help="fraction of the deal: 1 = 100%",
            example="0.5",
        ),
    ],
    key=("deal", "rep", "role"),
    audited=True,
)

ACTIVITIES = Entity(
    "activities",
    "sales.Activity",
    "Calls, meetings and emails.",
    [
        _ext_id("CRM activity id", "ACT-99812"),
        _ref("rep", "reps", "rep external id", "R-0042"),
        Column(
            "kind",
            ENUM,
            required=True,
            attname="kind",
            choices=("call", "meeting", "email"),
            help="",
            example="call",
        ),
        _date("date", "", "2026-02-03", required=True),
        _ref("deal", "deals", "deal external id", "D-2026-0001", required=False),
        _ref("account", "accounts", "account external id", "A-000123", required=False),
        _text("outcome", 64, "", "connected"),
        Column(
            "duration_minutes",
            INT,
            attname="duration_minutes",
            default=0,
            help="default 0",
            example="25",
        ),
    ],
    key=("external_id",),
)


DEAL_STAGES = Entity(
    "deal_stages",
    "sales.DealStageChange",
    "Stage history: the day a deal entered a stage (a CRM stage-history export such as "
    "Salesforce OpportunityHistory or HubSpot deal stage history). Used for stage-to-stage "
    "conversion in coaching.",
    [
        _ref("deal", "deals", "deal external id", "D-2026-0001"),
        _text("stage", 64, "the stage entered (your CRM's stage name)", "Proposal", required=True),
        _date("entered_on", "the day the deal entered the stage", "2026-02-10", required=True),
    ],
    key=("deal", "stage", "entered_on"),
    header_aliases={"deal_id": "deal", "entered": "entered_on", "date": "entered_on"},
)


def check_period(row: dict[str, object]) -> list[tuple[str, str]]:
    from attain.engine.errors import EngineError
    from attain.engine.periods import parse_period

    label = row.get("period")
    if not label:
        return []
    try:
        canonical = parse_period(label).label
    except EngineError as exc:
        try:
            canonical = parse_period(label.upper()).label
        except EngineError:
            return [("period", f"{exc}")]
    if canonical != label:
        return [("period", f"write it as {canonical}")]
    return []


def _is_currency_code(code: str) -> bool:
    return len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()


def check_currency_code(row: dict[str, object]) -> list[tuple[str, str]]:
    code = row.get("currency")
    if code and not _is_currency_code(code):
        return [("currency", "not a currency code: three capital letters such as USD")]
    return []


QUOTAS = Entity(
    "quotas",
    "quotas.Quota",
    "A number per rep, quota name and period that attainment is measured against "
    "(docs/quotas.md). Imported quotas are marked source = imported.",
    [
        _ref("rep", "reps", "rep external id", "R-0042"),
        _text(
            "quota",
            64,
            "the name a plan component refers to (quota: revenue)",
            "revenue",
            required=True,
        ),
        _text("period", 10, "YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM", "2026-Q1", required=True),
        _money("amount", "the quota", "250000.00", required=True),
        _currency(),
    ],
    key=("rep", "quota", "period"),
    row_checks=[check_period, check_currency_code],
    constants={"source": "imported", "updated_by_id": None},
    audited=True,
)

PLAN_ASSIGNMENTS = Entity(
    "plan_assignments",
    "plans.PlanAssignment",
    "Which compensation plan a rep is paid on between two dates, with the target "
    "incentive per pay period and an optional draw.",
    [
        _ref("rep", "reps", "rep external id", "R-0042"),
        _text("plan_id", 64, "the engine plan id (any version)", "ae-2026", required=True),
        VALID_FROM,
        VALID_TO,
        _money(
            "target_incentive",
            "variable pay at 100% attainment, per pay period",
            "15000.00",
            required=True,
        ),
        _currency(),
        _money("draw_per_period", "guaranteed advance per pay period; default 0", "2000.00"),
        Column(
            "draw_recoverable",
            BOOL,
            attname="draw_recoverable",
            default=True,
            help="a recoverable draw is paid back from later earnings; default true",
            example="true",
        ),
    ],
    key=("rep", "plan_id", "valid_from"),
    row_checks=[check_valid_to_after_from, check_currency_code],
    update_by_pk=True,
    audited=True,
)


def check_fx_currencies(row: dict[str, object]) -> list[tuple[str, str]]:
    problems = []
    for name in ("from_currency", "to_currency"):
        code = row.get(name)
        if code and not _is_currency_code(code):
            problems.append((name, "not a currency code: three capital letters such as EUR"))
    if (
        not problems
        and row.get("from_currency")
        and row.get("from_currency") == row.get("to_currency")
    ):
        problems.append(("to_currency", "the same currency as from_currency: a rate needs two"))
    return problems


FX_RATES = Entity(
    "fx_rates",
    "sales.FxRate",
    "Exchange rates for pay runs: 1 from_currency = rate to_currency, in force from "
    "valid_from (to valid_to). A credit in another currency than its plan's is converted at "
    "the rate in force on its deal's close date, directly or through the plan's pivot "
    "currency (USD unless the plan says otherwise); an inverse rate is never derived, so list "
    "each direction you need. Two rates of one pair may not be in force on the same day.",
    [
        _text("from_currency", 3, "the currency converted from", "EUR", required=True),
        _text("to_currency", 3, "the currency converted to", "USD", required=True),
        Column(
            "rate",
            DECIMAL,
            required=True,
            attname="rate",
            places=8,
            max_digits=18,
            minimum=ZERO,
            minimum_exclusive=True,
            help="1 from_currency = rate to_currency",
            example="1.08",
        ),
        VALID_FROM,
        VALID_TO,
    ],
    key=("from_currency", "to_currency", "valid_from"),
    row_checks=[check_valid_to_after_from, check_fx_currencies],
    audited=True,
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in [
        REPS,
        TEAMS,
        TEAM_MEMBERSHIPS,
        TERRITORIES,
        TERRITORY_OWNERS,
        ACCOUNTS,
        PRODUCTS,
        DEALS,
        DEAL_LINES,
        PAYMENTS,
        CREDITS,
        ACTIVITIES,
        DEAL_STAGES,
        QUOTAS,
        PLAN_ASSIGNMENTS,
        FX_RATES,
    ]
}


class UnknownEntity(ValueError):
    pass


def get_entity(name: str) -> Entity:
    entity = ENTITIES.get(name.strip().lower().replace("-", "_"))
    if entity is None:
        raise UnknownEntity(f"unknown entity {name!r}; choose one of {', '.join(ENTITIES)}")
    return entity


def columns_markdown(entity: Entity) -> str:
    """The column table of docs/import.md."""
    lines = ["| column | required | type / format | example | meaning |", "|---|---|---|---|---|"]
    for c in entity.columns:
        example = f"`{c.example}`" if c.example else ""
        lines.append(
            f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.type_label} | {example} "
            f"| {c.help} |"
        )
    return "\n".join(lines)
