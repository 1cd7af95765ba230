"""Input tables: checked and cast to one canonical Arrow schema before any calculation.

Decimal columns accept Arrow decimals, integers or text (as read from CSV); binary floats
are refused, because a float cannot hold most cents exactly. Errors name the table, the
1-based data row and the column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .conditions import ValueType
from .errors import InputError


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: pa.DataType
    required: bool = True
    nullable: bool = False
    default: object = None


MONEY = pa.decimal128(18, 2)
SHARE = pa.decimal128(9, 4)
UNITS = pa.decimal128(18, 2)

CREDIT_COLUMNS = (
    ColumnSpec("credit_id", pa.string()),
    ColumnSpec("deal_id", pa.string()),
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("role", pa.string(), required=False, default="owner"),
    ColumnSpec("share", SHARE),
    ColumnSpec("event_date", pa.date32()),
    ColumnSpec("amount", MONEY),
    ColumnSpec("margin", MONEY, required=False, nullable=True),
    ColumnSpec("units", UNITS, required=False, default=Decimal("0")),
    ColumnSpec("cancellation_date", pa.date32(), required=False, nullable=True),
    ColumnSpec("currency", pa.string(), required=False, nullable=True),
    ColumnSpec("territory_id", pa.string(), required=False, nullable=True),
)
CREDIT_SPECS = {spec.name: spec for spec in CREDIT_COLUMNS}
FX_RATE = pa.decimal128(18, 8)
FX_COLUMNS = (
    ColumnSpec("from_currency", pa.string()),
    ColumnSpec("to_currency", pa.string()),
    ColumnSpec("valid_from", pa.date32()),
    ColumnSpec("valid_to", pa.date32(), required=False, nullable=True),
    ColumnSpec("rate", FX_RATE),
)
QUOTA_COLUMNS = (
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("quota", pa.string()),
    ColumnSpec("period", pa.string()),
    ColumnSpec("amount", MONEY),
)
ASSIGNMENT_COLUMNS = (
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("plan_id", pa.string()),
    ColumnSpec("valid_from", pa.date32()),
    ColumnSpec("valid_to", pa.date32(), required=False, nullable=True),
    ColumnSpec("target_incentive", MONEY, required=False, default=Decimal("0")),
)


def _parse_text(value: str, target: pa.DataType) -> object:
    if pa.types.is_decimal(target):
        number = Decimal(value)
        if not number.is_finite():
            raise InvalidOperation
        return number
    if pa.types.is_date(target):
        return dt.date.fromisoformat(value)
    return value


def _fit_decimal(value: Decimal, target: pa.Decimal128Type) -> Decimal:
    quantum = Decimal(1).scaleb(-target.scale)
    fitted = value.quantize(quantum)
    if fitted != value:
        raise ValueError(f"{value} has more than {target.scale} decimal places")
    if len(fitted.as_tuple().digits) > target.precision:
        raise ValueError(f"{value} has more than {target.precision} digits")
    return fitted


def _fast_path(table_name: str, spec: ColumnSpec, column: pa.ChunkedArray) -> pa.Array | None:
    """Vectorised conversion of an already typed column; None when a row needs a closer look."""
    source = column.type
    same_kind = source == spec.type or (
        pa.types.is_decimal(spec.type)
        and (pa.types.is_decimal(source) or pa.types.is_integer(source))
    )
    if not same_kind:
        return None
    try:
        array = pc.cast(column, spec.type).combine_chunks()  # a safe cast: no silent loss
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if array.null_count and not spec.nullable:
        if spec.default is None:
            return None
        array = pc.fill_null(array, pa.scalar(spec.default, spec.type))
    return array


def _convert_column(table_name: str, spec: ColumnSpec, column: pa.ChunkedArray) -> pa.Array:
    source = column.type
    if not pa.types.is_floating(source):
        fast = _fast_path(table_name, spec, column)
        if fast is not None:
            return fast
    if pa.types.is_floating(source):
        raise InputError(
            table_name, "is a binary float column; give exact decimals or text", column=spec.name
        )
    if source == spec.type:
        values = column.to_pylist()
    elif pa.types.is_string(source) or pa.types.is_large_string(source):
        values = []
        for index, text in enumerate(column.to_pylist()):
            text = None if text is None or text.strip() == "" else text.strip()
            try:
                values.append(None if text is None else _parse_text(text, spec.type))
            except (InvalidOperation, ValueError):
                raise InputError(
                    table_name, f"{text!r} is not a valid {spec.type}", index + 1, spec.name
                ) from None
    elif pa.types.is_date(spec.type) and pa.types.is_timestamp(source):
        raise InputError(table_name, "is a timestamp; give a date", column=spec.name)
    else:
        values = column.to_pylist()
    checked = []
    for index, value in enumerate(values):
        if value is None:
            if spec.nullable:
                checked.append(None)
                continue
            if spec.default is not None:
                checked.append(spec.default)
                continue
            raise InputError(table_name, "is empty", index + 1, spec.name)
        if pa.types.is_decimal(spec.type):
            try:
                value = _fit_decimal(Decimal(value), spec.type)
            except (ValueError, TypeError) as error:
                raise InputError(table_name, str(error), index + 1, spec.name) from None
        elif pa.types.is_string(spec.type) and not isinstance(value, str):
            value = str(value)
        elif pa.types.is_date(spec.type) and not isinstance(value, dt.date):
            raise InputError(table_name, f"{value!r} is not a date", index + 1, spec.name)
        checked.append(value)
    return pa.array(checked, type=spec.type)


def _value_type(arrow_type: pa.DataType) -> ValueType | None:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_decimal(arrow_type) or pa.types.is_integer(arrow_type):
        return "number"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    return None


def _filled(spec: ColumnSpec, rows: int) -> pa.Array:
    """A missing optional column: its default (or null) on every row, built by Arrow (a
    Python list of half a million ``Decimal('0')`` took a tenth of a second per batch)."""
    return pa.repeat(pa.scalar(spec.default, spec.type), rows)


def normalise(
    table_name: str, table: pa.Table, columns: tuple[ColumnSpec, ...], keep_extra: bool = False
) -> pa.Table:
    """``table`` with the canonical columns first (cast and checked), extra columns after."""
    arrays: dict[str, pa.Array] = {}
    for spec in columns:
        if spec.name in table.column_names:
            arrays[spec.name] = _convert_column(table_name, spec, table.column(spec.name))
        elif spec.required:
            raise InputError(table_name, "is missing", column=spec.name)
        else:
            arrays[spec.name] = _filled(spec, table.num_rows)
    if keep_extra:
        known = {spec.name for spec in columns}
        for name in table.column_names:
            if name in known:
                continue
            column = table.column(name)
            if pa.types.is_floating(column.type):
                raise InputError(table_name, "is a binary float column", column=name)
            if _value_type(column.type) is None:
                raise InputError(table_name, f"has unsupported type {column.type}", column=name)
            arrays[name] = column.combine_chunks()
    return pa.table(arrays)


# Names the compiled query adds to each credit row; an extra input column may not take them.
RESERVED_CREDIT_COLUMNS = {"plan_id", "period", "clawed", "cancel_period"}


def normalise_credits(credits: pa.Table, *, unique_ids: bool = True) -> pa.Table:
    """The credits cast and checked. ``unique_ids=False`` leaves the check that no credit id
    appears twice to the caller (files.py checks a whole file at once, in DuckDB)."""
    for name in credits.column_names:
        if name in RESERVED_CREDIT_COLUMNS:
            raise InputError("credits", "is a reserved name; rename the column", column=name)
    table = normalise("credits", credits, CREDIT_COLUMNS, keep_extra=True)
    if pc.any(pc.less_equal(table["share"], pa.scalar(Decimal("0"), SHARE))).as_py():
        row = pc.index(pc.less_equal(table["share"], pa.scalar(Decimal("0"), SHARE)), True)
        raise InputError("credits", "share must be above 0", row.as_py() + 1, "share")
    if not unique_ids:
        return table
    counts = pc.value_counts(table["credit_id"])
    repeated = counts.filter(pc.greater(pc.struct_field(counts, "counts"), 1))
    if len(repeated):
        first = pc.min(pc.struct_field(repeated, "values")).as_py()
        raise InputError("credits", f"credit_id {first!r} appears twice")
    return table


def credit_condition_columns(credits: pa.Table) -> dict[str, ValueType]:
    """Columns a plan condition may refer to, with their value types."""
    columns: dict[str, ValueType] = {}
    for field in credits.schema:
        value_type = _value_type(field.type)
        if value_type is not None:
            columns[field.name] = value_type
    return columns


def normalise_quotas(quotas: pa.Table | None) -> pa.Table:
    if quotas is None:
        quotas = pa.table({c.name: pa.array([], pa.string()) for c in QUOTA_COLUMNS})
    return normalise("quotas", quotas, QUOTA_COLUMNS)


def normalise_fx(fx: pa.Table | None) -> pa.Table:
    """FX rates: 1 ``from_currency`` = ``rate`` ``to_currency``, effective-dated."""
    if fx is None:
        fx = pa.table({c.name: pa.array([], pa.string()) for c in FX_COLUMNS})
    table = normalise("fx", fx, FX_COLUMNS)
    rows = table.to_pylist()
    for index, row in enumerate(rows):
        if row["rate"] <= 0:
            raise InputError("fx", "rate must be above 0", index + 1, "rate")
        if row["valid_to"] is not None and row["valid_to"] <= row["valid_from"]:
            raise InputError("fx", "valid_to must be after valid_from", index + 1, "valid_to")
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_pair.setdefault((row["from_currency"], row["to_currency"]), []).append(row)
    for (source, target), pair in by_pair.items():
        pair.sort(key=lambda r: r["valid_from"])
        for earlier, later in zip(pair, pair[1:], strict=False):
            if earlier["valid_to"] is None or later["valid_from"] < earlier["valid_to"]:
                raise InputError(
                    "fx",
                    f"two {source}→{target} rates are in force on {later['valid_from']}",
                )
    return table


DRAW_KINDS = ("recoverable", "non_recoverable")
DRAW_COLUMNS = (
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("valid_from", pa.date32()),
    ColumnSpec("valid_to", pa.date32(), required=False, nullable=True),
    ColumnSpec("amount", MONEY),
    ColumnSpec("kind", pa.string()),
    ColumnSpec("currency", pa.string(), required=False, nullable=True),
)


def normalise_draws(draws: pa.Table | None) -> pa.Table:
    """Draws: an amount per pay period, recoverable or not, effective-dated per rep."""
    if draws is None:
        draws = pa.table({c.name: pa.array([], pa.string()) for c in DRAW_COLUMNS})
    table = normalise("draws", draws, DRAW_COLUMNS)
    rows = table.to_pylist()
    for index, row in enumerate(rows):
        if row["kind"] not in DRAW_KINDS:
            raise InputError(
                "draws", f"kind must be 'recoverable' or 'non_recoverable', not {row['kind']!r}",
                index + 1, "kind",
            )  # fmt: skip
        if row["amount"] < 0:
            raise InputError("draws", "amount must not be negative", index + 1, "amount")
        if row["valid_to"] is not None and row["valid_to"] <= row["valid_from"]:
            raise InputError("draws", "valid_to must be after valid_from", index + 1, "valid_to")
    by_rep: dict[str, list[dict]] = {}
    for row in rows:
        by_rep.setdefault(row["rep_id"], []).append(row)
    for rep_id, own in by_rep.items():
        own.sort(key=lambda r: r["valid_from"])
        for earlier, later in zip(own, own[1:], strict=False):
            if earlier["valid_to"] is None or later["valid_from"] < earlier["valid_to"]:
                raise InputError(
                    "draws", f"two draws of rep {rep_id!r} are in force on {later['valid_from']}"
                )
    return table


# An invoice adds to what a deal has invoiced and a credit note takes from it; a payment adds
# to what it has collected and a refund takes from it (docs/plans.md, "Pay on cash").
PAYMENT_KINDS = ("invoice", "credit_note", "payment", "refund")
PAYMENT_COLUMNS = (
    ColumnSpec("deal_id", pa.string()),
    ColumnSpec("kind", pa.string()),
    ColumnSpec("date", pa.date32()),
    ColumnSpec("amount", MONEY),
    ColumnSpec("currency", pa.string(), required=False, nullable=True),
)


def normalise_payments(payments: pa.Table | None) -> pa.Table:
    """Invoices, credit notes, collected payments and refunds per deal, in the deal's
    currency (for pay on cash); every amount above 0, its kind giving its sign."""
    if payments is None or payments.num_columns == 0:  # none, or an empty list of rows
        payments = pa.table({c.name: pa.array([], pa.string()) for c in PAYMENT_COLUMNS})
    table = normalise("payments", payments, PAYMENT_COLUMNS)
    for index, row in enumerate(table.to_pylist()):
        if row["kind"] not in PAYMENT_KINDS:
            raise InputError(
                "payments",
                f"kind must be one of {', '.join(PAYMENT_KINDS)}, not {row['kind']!r}",
                index + 1, "kind",
            )  # fmt: skip
        if row["amount"] <= 0:
            raise InputError("payments", "amount must be above 0", index + 1, "amount")
    return table


def normalise_assignments(assignments: pa.Table) -> pa.Table:
    table = normalise("assignments", assignments, ASSIGNMENT_COLUMNS)
    for index, row in enumerate(table.to_pylist()):
        if row["valid_to"] is not None and row["valid_to"] <= row["valid_from"]:
            raise InputError(
                "assignments", "valid_to must be after valid_from", index + 1, "valid_to"
            )
    return table


HIERARCHY_COLUMNS = (
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("manager_id", pa.string()),
    ColumnSpec("valid_from", pa.date32()),
    ColumnSpec("valid_to", pa.date32(), required=False, nullable=True),
)
TERRITORY_COLUMNS = (
    ColumnSpec("territory_id", pa.string()),
    ColumnSpec("rep_id", pa.string()),
    ColumnSpec("valid_from", pa.date32()),
    ColumnSpec("valid_to", pa.date32(), required=False, nullable=True),
)


def _no_overlaps(table_name: str, rows: list[dict], key: str, what: str) -> None:
    """Refuse two rows of the same ``key`` in force on one day (rows numbered as given)."""
    by_key: dict[str, list[tuple[int, dict]]] = {}
    for index, row in enumerate(rows):
        if row["valid_to"] is not None and row["valid_to"] <= row["valid_from"]:
            raise InputError(table_name, "valid_to must be after valid_from", index + 1, "valid_to")
        by_key.setdefault(row[key], []).append((index + 1, row))
    for value, own in by_key.items():
        own.sort(key=lambda item: item[1]["valid_from"])
        for (first, earlier), (second, later) in zip(own, own[1:], strict=False):
            if earlier["valid_to"] is None or later["valid_from"] < earlier["valid_to"]:
                raise InputError(
                    table_name,
                    f"{what.format(value)} on {later['valid_from']} (rows {first} and {second})",
                    max(first, second),
                )


def normalise_hierarchy(hierarchy: pa.Table | None) -> pa.Table:
    """The reporting line, effective-dated: one manager per rep and day, nobody their own.

    Cycles through several reps are found when the chain is built (``crediting``)."""
    if hierarchy is None:
        hierarchy = pa.table({c.name: pa.array([], pa.string()) for c in HIERARCHY_COLUMNS})
    table = normalise("hierarchy", hierarchy, HIERARCHY_COLUMNS)
    rows = table.to_pylist()
    for index, row in enumerate(rows):
        if row["rep_id"] == row["manager_id"]:
            raise InputError(
                "hierarchy", f"rep {row['rep_id']!r} reports to themselves", index + 1, "manager_id"
            )
    _no_overlaps("hierarchy", rows, "rep_id", "rep {!r} has two managers")
    return table


def normalise_territories(territories: pa.Table | None) -> pa.Table:
    """Who owns each territory, effective-dated: one owner per territory and day."""
    if territories is None:
        territories = pa.table({c.name: pa.array([], pa.string()) for c in TERRITORY_COLUMNS})
    table = normalise("territories", territories, TERRITORY_COLUMNS)
    _no_overlaps("territories", table.to_pylist(), "territory_id", "territory {!r} has two owners")
    return table


def as_table(value: pa.Table | Mapping[str, list] | list[dict] | None) -> pa.Table | None:
    """Accept an Arrow table, a dict of columns or a list of row dicts."""
    if value is None or isinstance(value, pa.Table):
        return value
    if isinstance(value, Mapping):
        return pa.table(dict(value))
    return pa.Table.from_pylist(list(value))


@dataclass(frozen=True)
class CheckedCredits:
    """Credits already checked, batch by batch, in a Parquet file (files.py): DuckDB scans
    the file; Python reads only the few columns it needs. (Not an Arrow dataset: importing
    ``pyarrow.dataset`` imports pandas, a quarter of a second of every run.)

    ``schema`` is the checked credits' (``normalise_credits``): canonical columns first, then
    the extra ones. With ``as_input``, the file is the input itself, whose columns had the
    canonical types already: a missing optional column reads as its default, and so does a
    null where the column has a default (``filled_columns``); otherwise the file was written
    by the check and holds ``schema`` as is."""

    path: Path
    schema: pa.Schema
    as_input: bool = False
    # The Parquet files holding the credits when ``path`` is a folder of them (a dataset,
    # read in this order); else empty and ``path`` is the file.
    parts: tuple[Path, ...] = ()

    @classmethod
    def of(cls, path: Path) -> CheckedCredits:
        return cls(path, pq.read_schema(path))

    @property
    def files(self) -> list[str]:
        return [str(part) for part in self.parts] if self.parts else [str(self.path)]

    def filled_columns(self) -> list[tuple[str, ColumnSpec | None, bool]]:
        """Per column of ``schema``: its spec (None for an extra column) and whether the
        file holds it."""
        in_file = set(pq.read_schema(self.files[0]).names)
        return [(name, CREDIT_SPECS.get(name), name in in_file) for name in self.schema.names]

    def _read(self, columns: list[str]) -> pa.Table:
        tables = [pq.ParquetFile(path).read(columns=columns) for path in self.files]
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)

    def to_table(self, columns: list[str] | None = None) -> pa.Table:
        names = self.schema.names if columns is None else columns
        if not self.as_input:
            return self._read(names)
        filled = {name: (spec, present) for name, spec, present in self.filled_columns()}
        read = self._read([n for n in names if filled[n][1]])
        arrays = {}
        for name in names:
            spec, present = filled[name]
            if not present:
                arrays[name] = _filled(spec, read.num_rows)
            elif spec is not None and spec.default is not None and not spec.nullable:
                arrays[name] = pc.fill_null(read[name], pa.scalar(spec.default, spec.type))
            else:
                arrays[name] = read[name]
        return pa.table(arrays)


Credits = pa.Table | CheckedCredits


def credit_columns(credits: Credits, names: list[str]) -> pa.Table:
    """Only these columns of the credits (present ones), from a table or from the checked
    credits file that ``files.py`` scans."""
    present = [name for name in names if name in credits.schema.names]
    if isinstance(credits, pa.Table):
        return credits.select(present)
    return credits.to_table(columns=present)
