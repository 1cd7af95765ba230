"""From the database to the engine: the input tables of one calculation, and their snapshot.

The engine (``attain.engine``) takes Arrow tables; this module builds them from the OLTP
store, fingerprints them (so a run records exactly what it used) and packs them into a zip of
Parquet files that ``replay`` reads back.

Credits: every credit on a won deal closed in the calculation window's reach and not after
the as-of date. The reach is what the engine reads (``credits_reach``): the window alone for
plans that read nothing of the year to date, from 1 January for those that do, earlier for a
clawback's look-back; from 1 January of the year before when plans pay on cash. A credit's
``event_date`` is its deal's close date; ``amount``, ``margin``, ``units`` and ``currency``
are the deal's (the engine applies ``share``). Extra columns plans may use in conditions:
``product_family`` and ``product_id`` (the deal's largest line), ``deal_type``,
``account_id``, ``industry``, ``region``, ``stage``.

Payments: the invoices and collected payments of those credits' deals up to the as-of date,
for plans that pay on cash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from django.db.models import Q

from attain.engine import EngineError, Plan, parse_plan
from attain.engine.inputs import (
    ASSIGNMENT_COLUMNS,
    CREDIT_COLUMNS,
    FX_COLUMNS,
    PAYMENT_COLUMNS,
    QUOTA_COLUMNS,
)
from attain.engine.periods import Period, parse_period
from attain.engine.prepare import credits_read_from

EXTRA_CREDIT_COLUMNS = (
    "product_family",
    "product_id",
    "deal_type",
    "account_id",
    "industry",
    "region",
    "stage",
)
CREDIT_SCHEMA = pa.schema(
    [(spec.name, spec.type) for spec in CREDIT_COLUMNS]
    + [(name, pa.string()) for name in EXTRA_CREDIT_COLUMNS]
)
ASSIGNMENT_SCHEMA = pa.schema([(spec.name, spec.type) for spec in ASSIGNMENT_COLUMNS])
QUOTA_SCHEMA = pa.schema([(spec.name, spec.type) for spec in QUOTA_COLUMNS])
PAYMENT_SCHEMA = pa.schema([(spec.name, spec.type) for spec in PAYMENT_COLUMNS])
FX_SCHEMA = pa.schema([(spec.name, spec.type) for spec in FX_COLUMNS])


def no_payments() -> pa.Table:
    return PAYMENT_SCHEMA.empty_table()


def no_fx() -> pa.Table:
    return FX_SCHEMA.empty_table()


@dataclass
class EngineInputs:
    """Everything one engine call needs, as plain tables and plan texts."""

    period: str
    as_of: dt.date
    plan_texts: dict[str, str]  # source name → YAML text
    credits: pa.Table
    assignments: pa.Table
    quotas: pa.Table
    revision_ids: list[int] = field(default_factory=list)
    # Invoices and payments of the credits' deals (pay on cash); none in runs recorded
    # before the app had payments.
    payments: pa.Table = field(default_factory=no_payments)
    # Exchange rates (sales.FxRate) for credits in another currency than their plan's; none
    # in runs recorded before the app had rates.
    fx: pa.Table = field(default_factory=no_fx)

    def plans(self) -> list[Plan]:
        return [parse_plan(text, source) for source, text in sorted(self.plan_texts.items())]

    def fingerprint(self) -> str:
        """SHA-256 of the period, as-of date, plan texts and input rows (order-independent
        for rows: tables are sorted before hashing)."""
        digest = hashlib.sha256()
        digest.update(f"{self.period}|{self.as_of.isoformat()}\n".encode())
        for source, text in sorted(self.plan_texts.items()):
            digest.update(f"plan {source}\n".encode())
            digest.update(text.encode())
        for name, table, keys in self._tables():
            digest.update(f"table {name}\n".encode())
            digest.update(_table_bytes(table.sort_by([(k, "ascending") for k in keys])))
        return digest.hexdigest()

    def _tables(self):
        tables = [
            ("credits", self.credits, ["credit_id"]),
            ("assignments", self.assignments, ["rep_id", "valid_from", "plan_id"]),
            ("quotas", self.quotas, ["rep_id", "quota", "period"]),
        ]
        # Only when there are some: the inputs of a run without payments keep the
        # fingerprint and the zip they had before the app had payments.
        if self.payments.num_rows:
            tables.append(("payments", self.payments, ["deal_id", "date", "kind", "amount"]))
        if self.fx.num_rows:  # likewise for runs without exchange rates
            tables.append(("fx", self.fx, ["from_currency", "to_currency", "valid_from"]))
        return tables

    def to_zip(self) -> bytes:
        """The inputs as a zip of Parquet files plus the plan texts, for replay."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            meta = {"period": self.period, "as_of": self.as_of.isoformat()}
            archive.writestr("meta.json", json.dumps(meta, sort_keys=True))
            for source, text in sorted(self.plan_texts.items()):
                archive.writestr(f"plans/{source}", text)
            for name, table, _ in self._tables():
                sink = io.BytesIO()
                pq.write_table(table, sink)
                archive.writestr(f"{name}.parquet", sink.getvalue())
        return buffer.getvalue()

    @classmethod
    def from_zip(cls, data: bytes) -> EngineInputs:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            meta = json.loads(archive.read("meta.json"))
            texts = {
                name.removeprefix("plans/"): archive.read(name).decode()
                for name in archive.namelist()
                if name.startswith("plans/")
            }
            names = set(archive.namelist())
            tables = {
                name: pq.read_table(io.BytesIO(archive.read(f"{name}.parquet")))
                for name in ("credits", "assignments", "quotas", "payments", "fx")
                if f"{name}.parquet" in names
            }
        return cls(
            period=meta["period"],
            as_of=dt.date.fromisoformat(meta["as_of"]),
            plan_texts=texts,
            **tables,
        )


def _table_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return sink.getvalue().to_pybytes()


def current_plan_revisions():
    """The latest revision of every plan document that is not archived."""
    from attain.plans.models import PlanRevision

    latest = {}
    revisions = PlanRevision.objects.filter(document__archived=False).select_related("document")
    for revision in revisions.order_by("document_id", "number"):
        latest[revision.document_id] = revision
    return list(latest.values())


def plan_source(revision) -> str:
    document = revision.document
    return f"{document.plan_id}-v{document.version}-r{revision.number}.yaml"


def credit_rows(
    window: Period, as_of: dt.date, rep_ids: Iterable[int] | None, reach: dt.date
) -> pa.Table:
    from attain.sales.models import Credit, Deal, DealLine

    last_day = min(as_of, window.end - dt.timedelta(days=1))
    credits = Credit.objects.filter(
        deal__status=Deal.Status.WON,
        deal__close_date__gte=reach,
        deal__close_date__lte=last_day,
    )
    if rep_ids is not None:
        credits = credits.filter(rep_id__in=list(rep_ids))
    rows = list(
        credits.order_by("id").values_list(
            "id",
            "deal_id",
            "deal__external_id",
            "rep__external_id",
            "role",
            "share",
            "deal__close_date",
            "deal__amount",
            "deal__margin",
            "deal__units",
            "deal__cancellation_date",
            "deal__currency",
            "deal__deal_type",
            "deal__account__external_id",
            "deal__account__industry",
            "deal__account__region",
            "deal__stage",
        )
    )
    main_product = _main_products({row[1] for row in rows}, DealLine)
    columns: dict[str, list] = {name: [] for name in CREDIT_SCHEMA.names}
    for row in rows:
        (pk, deal_pk, deal_ref, rep_ref, role, share, close, amount, margin, units) = row[:10]
        cancelled = row[10]
        family, product = main_product.get(deal_pk, ("", ""))
        values = {
            "credit_id": str(pk),
            "deal_id": deal_ref,
            "rep_id": rep_ref,
            "role": role,
            "share": share,
            "event_date": close,
            "amount": amount,
            "margin": margin,
            "units": units,
            "cancellation_date": cancelled if cancelled and cancelled <= last_day else None,
            "currency": row[11],
            "product_family": family,
            "product_id": product,
            "deal_type": row[12],
            "account_id": row[13],
            "industry": row[14],
            "region": row[15],
            "stage": row[16],
            # The app writes its own credit rows (splits, overlays, roll-ups), so the engine's
            # territory crediting has nothing to derive from here.
            "territory_id": None,
        }
        for name, value in values.items():
            columns[name].append(value)
    return pa.table(columns, schema=CREDIT_SCHEMA)


def _main_products(deal_ids: set[int], deal_line_model) -> dict[int, tuple[str, str]]:
    """Each deal's largest line's product family and SKU (ties: the lowest line id)."""
    best: dict[int, tuple] = {}
    lines = deal_line_model.objects.filter(deal_id__in=deal_ids).values_list(
        "deal_id", "id", "quantity", "unit_price", "product__family", "product__external_id"
    )
    for deal_id, line_id, quantity, price, family, sku in lines.iterator(chunk_size=5000):
        value = quantity * price
        current = best.get(deal_id)
        if current is None or (value, -line_id) > (current[0], -current[1]):
            best[deal_id] = (value, line_id, family, sku)
    return {deal_id: (v[2], v[3]) for deal_id, v in best.items()}


def credits_reach(plan_texts: dict[str, str], window: Period, as_of: dt.date) -> dt.date:
    """The first close date whose credits the calculation reads: what the engine says its
    plans need (the window alone for plans reading nothing of the year to date, 1 January
    for those that do; earlier for a clawback's reach), else 1 January of the year before
    (plans paying on cash, whose look-back depends on the payments; plans that do not
    resolve, which the calculation itself reports)."""
    fallback = dt.date(window.start.year - 1, 1, 1)
    try:
        plans = [parse_plan(text, source) for source, text in sorted(plan_texts.items())]
    except EngineError:
        return fallback
    start = credits_read_from(plans, window.label, CREDIT_SCHEMA, as_of)
    return fallback if start is None else start


def payment_rows(credits: pa.Table, window: Period, as_of: dt.date) -> pa.Table:
    """The invoices and payments of the credits' deals up to the as-of date (and the
    window's end), each in its deal's currency."""
    from attain.sales.models import Payment

    deals = sorted(set(credits["deal_id"].to_pylist()) - {None})
    last_day = min(as_of, window.end - dt.timedelta(days=1))
    rows = []
    for start in range(0, len(deals), 500):  # SQLite's bound on query parameters
        found = Payment.objects.filter(
            deal__external_id__in=deals[start : start + 500], date__lte=last_day
        ).values_list("deal__external_id", "kind", "date", "amount", "deal__currency")
        rows.extend(found)
    rows.sort()
    return pa.Table.from_pylist(
        [dict(zip(PAYMENT_SCHEMA.names, row, strict=True)) for row in rows],
        schema=PAYMENT_SCHEMA,
    )


def assignment_rows(window: Period, rep_ids: Iterable[int] | None) -> pa.Table:
    from attain.plans.models import PlanAssignment

    assignments = PlanAssignment.objects.filter(valid_from__lt=window.end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=dt.date(window.start.year - 1, 1, 1))
    )
    if rep_ids is not None:
        assignments = assignments.filter(rep_id__in=list(rep_ids))
    rows = assignments.order_by("rep__external_id", "valid_from").values_list(
        "rep__external_id", "plan_id", "valid_from", "valid_to", "target_incentive"
    )
    return pa.Table.from_pylist(
        [dict(zip(ASSIGNMENT_SCHEMA.names, row, strict=True)) for row in rows],
        schema=ASSIGNMENT_SCHEMA,
    )


def quota_rows(window: Period, rep_ids: Iterable[int] | None) -> pa.Table:
    from attain.quotas.models import Quota

    years = range(window.start.year, (window.end - dt.timedelta(days=1)).year + 1)
    in_years = Q()
    for year in years:
        in_years |= Q(period__startswith=str(year))
    quotas = Quota.objects.filter(in_years)
    if rep_ids is not None:
        quotas = quotas.filter(rep_id__in=list(rep_ids))
    rows = quotas.order_by("rep__external_id", "quota", "period").values_list(
        "rep__external_id", "quota", "period", "amount"
    )
    return pa.Table.from_pylist(
        [dict(zip(QUOTA_SCHEMA.names, row, strict=True)) for row in rows], schema=QUOTA_SCHEMA
    )


def fx_rows(window: Period) -> pa.Table:
    """The exchange rates that come into force before the window ends (the engine picks,
    for each credit, the one in force on its event date)."""
    from attain.sales.models import FxRate

    rows = FxRate.objects.filter(valid_from__lt=window.end).values_list(
        "from_currency", "to_currency", "valid_from", "valid_to", "rate"
    )
    return pa.Table.from_pylist(
        [dict(zip(FX_SCHEMA.names, row, strict=True)) for row in rows], schema=FX_SCHEMA
    )


def build_inputs(
    period: str,
    as_of: dt.date | None = None,
    rep_ids: Iterable[int] | None = None,
    extra_credits: list[dict] | None = None,
) -> EngineInputs:
    """The engine inputs for ``period`` from the database, for all reps or ``rep_ids``.

    ``extra_credits`` (rows in the credits format) are added, e.g. a pipeline deal for the
    estimator's what-if.
    """
    window = parse_period(period)
    as_of = as_of or window.end - dt.timedelta(days=1)
    rep_ids = None if rep_ids is None else sorted(set(rep_ids))
    revisions = current_plan_revisions()
    plan_texts = {plan_source(r): r.yaml for r in revisions}
    credits = credit_rows(window, as_of, rep_ids, credits_reach(plan_texts, window, as_of))
    if extra_credits:
        defaults = {name: None for name in CREDIT_SCHEMA.names}
        extra = pa.Table.from_pylist(
            [{**defaults, **row} for row in extra_credits], schema=CREDIT_SCHEMA
        )
        credits = pa.concat_tables([credits, extra])
    return EngineInputs(
        period=window.label,
        as_of=as_of,
        plan_texts=plan_texts,
        credits=credits,
        assignments=assignment_rows(window, rep_ids),
        quotas=quota_rows(window, rep_ids),
        revision_ids=[r.id for r in revisions],
        payments=payment_rows(credits, window, as_of),
        fx=fx_rows(window),
    )
