"""The result tables: their schema, their one sort order, and payouts summed from lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

MONEY = pa.decimal128(18, 2)

LINE_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("period", pa.string()),
        ("plan_id", pa.string()),
        ("plan_version", pa.int32()),
        ("component_id", pa.string()),
        # earning | true_up | floor | spiff | clawback | draw | draw_recovery | hold |
        # release | hold_reversal
        ("line_kind", pa.string()),
        ("event_date", pa.date32()),
        ("credit_id", pa.string()),
        ("deal_id", pa.string()),
        ("tier", pa.int32()),
        ("basis", pa.string()),
        ("semantic", pa.string()),
        ("evaluation", pa.string()),
        ("rate_kind", pa.string()),
        ("tier_from", pa.decimal128(38, 4)),
        ("tier_to", pa.decimal128(38, 4)),
        ("rate_from", pa.decimal128(38, 6)),
        ("rate", pa.decimal128(38, 6)),
        ("base", pa.decimal128(38, 8)),
        ("period_total", pa.decimal128(38, 8)),
        ("quota", MONEY),
        ("target_incentive", MONEY),
        ("proration", pa.decimal128(9, 6)),
        ("deal_currency", pa.string()),
        ("fx_rate", pa.decimal128(18, 8)),
        # a conversion through the plan's pivot: the pivot and both legs (else empty)
        ("fx_via", pa.string()),
        ("fx_rate_to_via", pa.decimal128(18, 8)),
        ("fx_rate_from_via", pa.decimal128(18, 8)),
        ("multiplier", pa.decimal128(38, 12)),
        ("gated", pa.bool_()),
        ("amount_before_cap", MONEY),
        ("cap_reduction", MONEY),
        ("amount", MONEY),
        ("currency", pa.string()),
        ("explanation", pa.string()),
    ]
)
# How the earnings are written to Parquet. A sentence's minimum and maximum help no reader,
# and the columns with a value of their own on (nearly) every line fall back from dictionary
# encoding after the writer has tried it: skipping both cut the writer's time by a quarter
# (docs/benchmarks.md). Every other column keeps its statistics (a reader filtering on the
# rep, the period or the date skips row groups) and its dictionary.
LINE_PARQUET_OPTIONS = {
    "write_statistics": [name for name in LINE_SCHEMA.names if name != "explanation"],
    "use_dictionary": [
        name
        for name in LINE_SCHEMA.names
        if name
        not in {"explanation", "credit_id", "deal_id", "base", "amount_before_cap", "amount"}
    ],
}

LINE_ORDER = [
    "rep_id",
    "period",
    "plan_id",
    "component_id",
    "event_date",
    "credit_id",
    "line_kind",
    "tier",
    "rate_kind",  # a plan's period and year floor lines share everything before it
]

PAYOUT_COLUMNS = [
    ("earnings", MONEY),
    ("true_ups", MONEY),
    ("floor_top_ups", MONEY),
    ("spiffs", MONEY),
    ("clawbacks", MONEY),
    ("draws", MONEY),
    ("draw_recoveries", MONEY),
    ("held", MONEY),
    ("released", MONEY),
    ("cap_reductions", MONEY),
    ("net_payable", MONEY),
]
# Which line kinds each payout column sums (cap_reductions and net_payable sum every line).
PAYOUT_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("earnings", ("earning",)),
    ("true_ups", ("true_up",)),
    ("floor_top_ups", ("floor",)),
    ("spiffs", ("spiff",)),
    ("clawbacks", ("clawback",)),
    ("draws", ("draw",)),
    ("draw_recoveries", ("draw_recovery",)),
    ("held", ("hold", "hold_reversal")),
    ("released", ("release",)),
)
PAYOUT_SCHEMA = pa.schema([("rep_id", pa.string()), ("period", pa.string()), *PAYOUT_COLUMNS])
COMPONENT_PAYOUT_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("period", pa.string()),
        ("plan_id", pa.string()),
        ("plan_version", pa.int32()),
        ("component_id", pa.string()),
        *PAYOUT_COLUMNS,
    ]
)


@dataclass(frozen=True)
class Result:
    lines: pa.Table
    payouts: pa.Table
    component_payouts: pa.Table


def sort_lines(lines: pa.Table) -> pa.Table:
    lines = lines.select(LINE_SCHEMA.names).cast(LINE_SCHEMA)
    keys = [(name, "ascending", "at_start") for name in LINE_ORDER]
    order = pc.sort_indices(lines, sort_keys=keys)
    return lines.take(order).combine_chunks()


def _summarise(lines: pa.Table, keys: list[str], schema: pa.Schema) -> pa.Table:
    """Sum the lines' amounts per ``keys`` into earnings, SPIFFs, clawbacks, draws and net."""
    zero = pa.scalar(Decimal("0.00"), MONEY)
    kind = lines["line_kind"]
    columns = {key: lines[key] for key in keys}
    for bucket, kinds in PAYOUT_KINDS:
        columns[bucket] = pc.if_else(pc.is_in(kind, pa.array(kinds)), lines["amount"], zero)
    columns["cap_reductions"] = lines["cap_reduction"]
    columns["net_payable"] = lines["amount"]
    sums = [name for name, _ in PAYOUT_COLUMNS]
    grouped = pa.table(columns).group_by(keys).aggregate([(name, "sum") for name in sums])
    renamed = {f"{name}_sum": name for name in sums}
    grouped = grouped.rename_columns([renamed.get(n, n) for n in grouped.column_names])
    order = pc.sort_indices(grouped, sort_keys=[(key, "ascending") for key in keys])
    return grouped.take(order).select(schema.names).cast(schema)


def build_result(lines: pa.Table) -> Result:
    """Sort the lines and sum them into payouts (per rep and period, and per component)."""
    lines = sort_lines(lines)
    payouts = _summarise(lines, ["rep_id", "period"], PAYOUT_SCHEMA)
    components = _summarise(
        lines,
        ["rep_id", "period", "plan_id", "plan_version", "component_id"],
        COMPONENT_PAYOUT_SCHEMA,
    )
    return Result(lines=lines, payouts=payouts, component_payouts=components)
