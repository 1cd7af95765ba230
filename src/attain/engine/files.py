"""From files to files: the calculation for books too large to hold in Python memory.

``calculate()`` returns Arrow tables, so it holds every credit and every line in memory at
once (about 2 GiB for a million lines). ``calculate_files`` gives the same tables (a test
compares them on every conformance example) without that:

1. the credits are checked batch by batch (the same ``normalise_credits``; error rows count
   from the start of the file) into a scratch Parquet file that DuckDB scans;
2. DuckDB runs the compiled program, keeping its tables within ``memory_limit`` and spilling
   to the scratch folder beyond it;
3. DuckDB also writes each line's sentence (``explain_sql``), sorts the lines and sums the
   payouts; the sorted lines stream out batch by batch into Parquet and CSV.

Outputs are staged under temporary names and renamed at the end: a failed run leaves no
partial output.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlglot import exp

from . import sql as q
from .backends.duckdb import execute_steps, parquet_scan
from .compiler import OUTPUT_COLUMNS, sql_type
from .errors import EngineError, InputError
from .explain_sql import explanation_expression
from .inputs import normalise_credits
from .prepare import prepare
from .results import (
    COMPONENT_PAYOUT_SCHEMA,
    LINE_ORDER,
    LINE_SCHEMA,
    PAYOUT_COLUMNS,
    PAYOUT_KINDS,
    PAYOUT_SCHEMA,
)
from .spec import Plan

DIALECT = "duckdb"
BATCH_ROWS = 500_000  # credits checked per batch
# Lines per batch streamed out: each batch is held three times at once (DuckDB's Arrow
# result, the cast copy, the writers' buffers), next to DuckDB's own memory.
OUTPUT_BATCH_ROWS = 100_000
OUTPUT_NAMES = ("earnings", "payouts", "component_payouts")


@dataclass(frozen=True)
class Written:
    """What a run wrote: row counts per output and the files."""

    rows: dict[str, int]
    files: list[Path]


def calculate_files(
    plans: Iterable[Plan],
    credits: str | Path,
    assignments,
    quotas=None,
    *,
    out: str | Path,
    memory_limit: str | None = None,
    **options,
) -> Written:
    """``calculate(...)`` on DuckDB with the credits read from a CSV or Parquet file and
    ``earnings``, ``payouts`` and ``component_payouts`` written to ``out`` as CSV and Parquet.

    The other inputs are small (per rep) and taken as for ``calculate``, and so are the
    ``options`` (``period``, ``as_of``, ``fx``, ``draws``, ``hierarchy``, ``territories``,
    ``unassigned``). ``memory_limit``
    (DuckDB's syntax, e.g. ``"1GB"``) bounds DuckDB's own memory; beyond it, it spills.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Scratch space (checked credits, DuckDB's spill) next to the output: same disk.
    with tempfile.TemporaryDirectory(prefix=f".{out.name}-scratch-", dir=out.parent) as scratch:
        checked = check_credits_file(Path(credits), Path(scratch) / "credits.parquet")
        prepared = prepare(plans, checked, assignments, quotas, **options)
        config = {"temp_directory": str(Path(scratch) / "spill")}
        if memory_limit:
            config["memory_limit"] = memory_limit
        connection = duckdb.connect(config=config)
        try:
            connection.execute("SET preserve_insertion_order = false")
            _check_unique_credit_ids(checked, connection)
            steps = execute_steps(prepared, connection)
            outputs = [step.output for step in steps if step.output is not None]
            connection.execute(_create_lines(outputs).sql(dialect=DIALECT))
            created = not out.exists()
            out.mkdir(exist_ok=True)
            try:
                return _write(connection, out)
            except BaseException:
                _remove_partial(out, created)
                raise
        finally:
            connection.close()


# -- inputs ------------------------------------------------------------------------------


def check_credits_file(source: Path, target: Path) -> ds.Dataset:
    """Check the credits file batch by batch into ``target``; a dataset over the result."""
    if not source.exists():
        raise EngineError(f"{source}: no such file")
    writer: pq.ParquetWriter | None = None
    first_row = 0
    try:
        for batch in _credit_batches(source):
            table = pa.Table.from_batches([batch])
            try:
                checked = normalise_credits(table)
            except InputError as error:
                row = None if error.row is None else error.row + first_row
                raise InputError(error.table, error.reason, row, error.column) from None
            if writer is None:
                writer = pq.ParquetWriter(target, checked.schema)
            writer.write_table(checked.cast(writer.schema))
            first_row += table.num_rows
        if writer is None:  # an empty file: its columns, no rows
            empty = normalise_credits(_empty_credits(source))
            writer = pq.ParquetWriter(target, empty.schema)
            writer.write_table(empty)
    finally:
        if writer is not None:
            writer.close()
    return ds.dataset(target, format="parquet")


def _credit_batches(source: Path) -> Iterator[pa.RecordBatch]:
    if source.suffix.lower() == ".parquet":
        yield from pq.ParquetFile(source).iter_batches(batch_size=BATCH_ROWS)
        return
    names = _csv_header(source)
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=True
    )
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=64 << 20),
        convert_options=options,
    )
    yield from reader


def _csv_header(source: Path) -> list[str]:
    with source.open(encoding="utf-8") as handle:
        header = handle.readline()
    return [name.strip() for name in header.rstrip("\r\n").split(",")]


def _empty_credits(source: Path) -> pa.Table:
    if source.suffix.lower() == ".parquet":
        return pq.read_schema(source).empty_table()
    return pa.table({name: pa.array([], pa.string()) for name in _csv_header(source)})


def _check_unique_credit_ids(credits: ds.Dataset, connection: duckdb.DuckDBPyConnection) -> None:
    """Each batch was checked on its own; a credit id repeated across batches is found here."""
    repeated = (
        exp.select(q.col("credit_id"))
        .from_(
            exp.Subquery(
                this=parquet_scan(credits), alias=exp.TableAlias(this=exp.to_identifier("c"))
            )
        )
        .group_by(q.col("credit_id"))
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=q.num(1)))
        .order_by(q.col("credit_id"))
        .limit(1)
    )
    row = connection.execute(repeated.sql(dialect=DIALECT)).fetchone()
    if row is not None:
        raise InputError("credits", f"credit_id {row[0]!r} appears twice")


# -- lines and sums ----------------------------------------------------------------------


def _create_lines(outputs: list[exp.Select]) -> exp.Create:
    if outputs:
        query: exp.Query = outputs[0]
        for output in outputs[1:]:
            query = exp.union(query, output, distinct=False)
    else:  # no plan in force: no line
        query = exp.select(
            *(q.alias(q.cast(q.null(), sql_type(f.type)), f.name) for f in OUTPUT_COLUMNS)
        ).where(q.false())
    return exp.Create(
        this=exp.to_table("result_lines"),
        kind="TABLE",
        expression=query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def sorted_lines_query() -> exp.Select:
    """Every line with its sentence, in the one line order (results.LINE_ORDER)."""
    columns = [q.col(f.name) for f in OUTPUT_COLUMNS]
    return (
        exp.select(*columns, exp.alias_(explanation_expression(), "explanation"))
        .from_("result_lines")
        .order_by(*(exp.Ordered(this=q.col(name), nulls_first=True) for name in LINE_ORDER))
    )


def sums_query(keys: list[str]) -> exp.Select:
    """The lines summed per ``keys``, as results._summarise sums them."""
    money = sql_type(PAYOUT_SCHEMA.field("net_payable").type)

    def total(value: exp.Expression, name: str) -> exp.Expression:
        return q.alias(q.cast(exp.Sum(this=value), money), name)

    def of_kinds(kinds: tuple[str, ...]) -> exp.Expression:
        return exp.In(this=q.col("line_kind"), expressions=[q.text(k) for k in kinds])

    sums = [
        total(q.case([(of_kinds(kinds), q.col("amount"))], q.num(0)), name)
        for name, kinds in PAYOUT_KINDS
    ]
    sums.append(total(q.col("cap_reduction"), "cap_reductions"))
    sums.append(total(q.col("amount"), "net_payable"))
    assert [name for name, _ in PAYOUT_COLUMNS] == [s.alias for s in sums]
    return (
        exp.select(*(q.col(k) for k in keys), *sums)
        .from_("result_lines")
        .group_by(*(q.col(k) for k in keys))
        .order_by(*(q.col(k) for k in keys))
    )


def _write(connection: duckdb.DuckDBPyConnection, out: Path) -> Written:
    staged: list[tuple[Path, Path]] = []
    rows: dict[str, int] = {}

    def stage(name: str, suffix: str) -> Path:
        final = out / f"{name}{suffix}"
        temporary = out / f".{name}{suffix}.partial"
        staged.append((temporary, final))
        return temporary

    reader = connection.sql(sorted_lines_query().sql(dialect=DIALECT)).to_arrow_reader(
        OUTPUT_BATCH_ROWS
    )
    rows["earnings"] = _stream(reader, LINE_SCHEMA, stage("earnings", ".parquet"),
                               stage("earnings", ".csv"))  # fmt: skip
    for name, keys, schema in (
        ("payouts", ["rep_id", "period"], PAYOUT_SCHEMA),
        ("component_payouts", ["rep_id", "period", "plan_id", "plan_version", "component_id"],
         COMPONENT_PAYOUT_SCHEMA),
    ):  # fmt: skip
        table = connection.sql(sums_query(keys).sql(dialect=DIALECT)).to_arrow_table()
        table = table.select(schema.names).cast(schema)
        pq.write_table(table, stage(name, ".parquet"))
        pacsv.write_csv(table, stage(name, ".csv"))
        rows[name] = table.num_rows
    for temporary, final in staged:
        os.replace(temporary, final)
    return Written(rows=rows, files=[final for _, final in staged])


def _remove_partial(out: Path, created: bool) -> None:
    for name in OUTPUT_NAMES:
        for suffix in (".parquet", ".csv"):
            (out / f".{name}{suffix}.partial").unlink(missing_ok=True)
    if created and not any(out.iterdir()):
        out.rmdir()


def _stream(reader: pa.RecordBatchReader, schema: pa.Schema, parquet: Path, csv: Path) -> int:
    """Each batch to both files; the two writers run in threads of their own (both release
    the GIL), so the CSV, the slower, no longer waits for the Parquet."""
    count = 0
    with (
        pq.ParquetWriter(parquet, schema) as to_parquet,
        pacsv.CSVWriter(csv, schema) as to_csv,
        _Background(to_parquet.write_table) as parquet_batches,
        _Background(to_csv.write_table) as csv_batches,
    ):
        for batch in reader:
            table = pa.Table.from_batches([batch]).cast(schema)
            parquet_batches.put(table)
            csv_batches.put(table)
            count += table.num_rows
    return count


class _Background:
    """``write`` called on each put table, in order, in a thread; at most ``QUEUED`` tables
    wait (memory stays bounded). The first error is raised in the caller, at the next put
    or on leaving the ``with`` block."""

    QUEUED = 2

    def __init__(self, write) -> None:
        self._write = write
        self._queue: queue.Queue = queue.Queue(self.QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while (table := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(table)
                except BaseException as error:  # noqa: BLE001 - handed to the caller
                    self._error = error

    def put(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(table)

    def __enter__(self) -> _Background:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc_info[0] is None:
            raise self._error
