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

import collections
import contextlib
import functools
import itertools
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlglot import exp

from . import sql as q
from .backends.duckdb import (
    check_assigned,
    create_step,
    create_step_sql,
    parquet_scan,
    register_inputs,
)
from .compiler import OUTPUT_COLUMNS, Step, compile_program, sql_type
from .errors import EngineError, InputError
from .explain_sql import CACHED_TEMPLATE_SETS, explained_query
from .inputs import CREDIT_SPECS, CheckedCredits, normalise_credits
from .prepare import prepare
from .results import (
    COMPONENT_PAYOUT_SCHEMA,
    LINE_ORDER,
    LINE_PARQUET_OPTIONS,
    LINE_SCHEMA,
    PAYOUT_COLUMNS,
    PAYOUT_KINDS,
    PAYOUT_SCHEMA,
)
from .spec import Plan
from .templates import Template, templates_of, templates_query

DIALECT = "duckdb"
BATCH_ROWS = 500_000  # credits checked per batch
# Lines per batch streamed out: each batch is held three times at once (DuckDB's Arrow
# result, the cast copy, the writers' buffers), next to DuckDB's own memory.
OUTPUT_BATCH_ROWS = 100_000
OUTPUT_NAMES = ("earnings", "payouts", "component_payouts")
FORMATS = ("parquet", "csv")


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The output formats asked for, in the order of ``FORMATS``; an unknown or empty
    choice is an error."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise EngineError(
            f"output formats must be one or more of {', '.join(FORMATS)}; got "
            f"{', '.join(formats) or 'none'}"
        )
    return tuple(f for f in FORMATS if f in formats)


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
    chunk_credits: int | None = None,
    formats: Sequence[str] = FORMATS,
    reps: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    **options,
) -> Written:
    """``calculate(...)`` on DuckDB with the credits read from a CSV or Parquet file and
    ``earnings``, ``payouts`` and ``component_payouts`` written to ``out`` as CSV and Parquet.

    The other inputs are small (per rep) and taken as for ``calculate``, and so are the
    ``options`` (``period``, ``as_of``, ``fx``, ``draws``, ``hierarchy``, ``territories``,
    ``unassigned``). ``memory_limit`` (DuckDB's syntax, e.g. ``"1GB"``) bounds DuckDB's own
    memory; beyond it, it spills. The reps are calculated in chunks of consecutive rep ids
    holding about ``chunk_credits`` credited transactions each (default ``CHUNK_CREDITS``).
    ``formats`` names the files written for each output (``parquet``, ``csv`` or both).
    ``reps``, if given, limits the calculation to those reps (say, the reps whose credits
    changed since the last run): their lines and payouts are those of a run over every rep,
    since their teams' credits, roll-ups and gates are still read from the whole book.
    ``progress``, if given, is called with the name of each phase as it ends.
    """
    formats = check_formats(formats)
    selected = None if reps is None else _selected_reps(reps)
    done = progress or (lambda phase: None)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Scratch space (checked credits, DuckDB's spill) next to the output: same disk.
    with tempfile.TemporaryDirectory(prefix=f".{out.name}-scratch-", dir=out.parent) as scratch:
        checked = check_credits_file(Path(credits), Path(scratch) / "credits.parquet")
        done("check credits")
        prepared = prepare(plans, checked, assignments, quotas, **options)
        done("prepare")
        config = {"temp_directory": str(Path(scratch) / "spill")}
        if memory_limit:
            config["memory_limit"] = memory_limit
        connection = duckdb.connect(config=config)
        try:
            connection.execute("SET preserve_insertion_order = false")
            check_unique_credit_ids(checked, connection)
            steps = compile_program(prepared)
            register_inputs(prepared, connection)
            if selected is not None:
                _check_reps_assigned(selected, prepared.assignments)
                connection.register(SELECTED_REPS, selected)
            assigned, plan_steps = steps[0], steps[1:]
            _create_in_rep_order(connection, assigned, selected is not None)
            check_assigned(prepared, connection)
            chunks = rep_chunks(connection, chunk_credits or CHUNK_CREDITS)
            _set_aside_per_rep_tables(connection, prepared)
            done("assign")
            created = not out.exists()
            out.mkdir(exist_ok=True)
            try:
                # Written out once: the SQL of a plan runs to hundreds of kilobytes.
                creates = [create_step_sql(step) for step in plan_steps]
                results = [step.output for step in plan_steps if step.output is not None]
                create_lines = _create_lines(results).sql(dialect=DIALECT)
                with _Outputs(out, formats) as outputs:
                    for low, high in chunks:
                        _restrict_to_reps(connection, low, high, selected is not None)
                        connection.execute("DROP VIEW IF EXISTS result_lines")
                        for step, create in zip(plan_steps, creates, strict=True):
                            connection.execute(f"DROP TABLE IF EXISTS {step.name}")
                            connection.execute(create)
                        connection.execute(create_lines)
                        outputs.add(connection)
                        done("calculate and write a chunk of reps")
                    return outputs.finish()
            except BaseException:
                _remove_partial(out, created)
                raise
        finally:
            connection.close()


# -- chunks of reps ----------------------------------------------------------------------

# Credited transactions per chunk of reps: each chunk's lines are calculated, sorted and
# written on their own, so DuckDB's tables stay near this size whatever the book's.
CHUNK_CREDITS = 1_000_000
# Tables the plans' steps read per rep; each chunk sees the rows of its own reps. (Team
# totals read every credit and the hierarchy, so a chunk's reps see their whole teams.)
PER_REP_TABLES = ("assigned", "targets", "draws")


def rep_chunks(
    connection: duckdb.DuckDBPyConnection, chunk_credits: int
) -> list[tuple[str | None, str | None]]:
    """Ranges ``[low, high)`` of rep ids (``None``: unbounded) of about ``chunk_credits``
    credits each, together covering every rep id. Lines are ordered by rep id first, so
    the chunks' sorted lines, one after another, are the sorted lines of the whole."""
    per_rep = connection.execute(
        "SELECT rep_id, count(*) FROM assigned WHERE rep_id IS NOT NULL "
        "GROUP BY rep_id ORDER BY rep_id"
    ).fetchall()
    bounds: list[str | None] = [None]
    held = 0
    for rep_id, count in per_rep:
        if held and held + count > chunk_credits:
            bounds.append(rep_id)
            held = 0
        held += count
    bounds.append(None)
    return list(itertools.pairwise(bounds))


def _create_in_rep_order(
    connection: duckdb.DuckDBPyConnection, assigned: Step, selected: bool
) -> None:
    """The ``assigned`` step (of the selected reps only, if some were), stored in rep order:
    each chunk reads its reps' credits through a view, and DuckDB's per-block minimum and
    maximum let it skip the blocks of other reps instead of scanning the whole book."""
    query = exp.select(exp.Star()).from_(
        exp.alias_(exp.Subquery(this=assigned.query), "a", table=True)
    )
    if selected:
        query = query.where(_is_selected(), copy=False)
    ordered = Step(assigned.name, query.order_by(q.col("rep_id")), assigned.output)
    connection.execute("SET preserve_insertion_order = true")
    try:
        create_step(connection, ordered)
    finally:
        connection.execute("SET preserve_insertion_order = false")


SELECTED_REPS = "selected_reps"


def _selected_reps(reps: Iterable[str]) -> pa.Table:
    names = sorted({str(rep).strip() for rep in reps} - {""})
    if not names:
        raise EngineError("reps: no rep id given")
    return pa.table({"rep_id": pa.array(names, pa.string())})


def _check_reps_assigned(selected: pa.Table, assignments: pa.Table) -> None:
    known = set(assignments["rep_id"].to_pylist())
    unknown = [rep for rep in selected["rep_id"].to_pylist() if rep not in known]
    if unknown:
        shown = ", ".join(repr(rep) for rep in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise EngineError(f"reps: no plan assignment for {shown}{more}")


def _is_selected() -> exp.Expression:
    return q.col("rep_id").isin(exp.select(q.col("rep_id")).from_(SELECTED_REPS))


def _set_aside_per_rep_tables(connection: duckdb.DuckDBPyConnection, prepared) -> None:
    connection.execute("ALTER TABLE assigned RENAME TO all_assigned")
    for name in PER_REP_TABLES[1:]:
        connection.unregister(name)
        connection.register(f"all_{name}", getattr(prepared, name))


def _restrict_to_reps(
    connection: duckdb.DuckDBPyConnection, low: str | None, high: str | None, selected: bool
) -> None:
    rep = q.col("rep_id")
    within = q.and_(
        None if low is None else exp.GTE(this=rep, expression=q.text(low)),
        None if high is None else exp.LT(this=rep.copy(), expression=q.text(high)),
        _is_selected() if selected else None,
    )
    for name in PER_REP_TABLES:
        view = exp.Create(
            this=exp.to_table(name),
            kind="VIEW",
            replace=True,
            expression=exp.select(exp.Star()).from_(f"all_{name}").where(within.copy()),
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        connection.execute(view.sql(dialect=DIALECT))


# -- inputs ------------------------------------------------------------------------------


def check_credits_file(source: Path, target: Path) -> CheckedCredits:
    """Check the credits file batch by batch into ``target``, and read them from there; or,
    for a Parquet file whose columns have the canonical types already, read them from the
    file itself (``_check_in_place``: nothing written).

    Two batches are checked at once (Arrow's kernels release the GIL) while the Parquet
    writer, in a thread of its own, writes the ones before; the first bad row of the file is
    still the one reported. That no credit id appears twice is checked over the whole file
    afterwards, by DuckDB (``check_unique_credit_ids``)."""
    if not source.exists():
        raise EngineError(f"{source}: no such file")
    parts = credit_parts(source)
    if all(_canonically_typed(part) for part in parts):
        return _check_in_place(source, parts)
    with contextlib.ExitStack() as stack:
        checking = stack.enter_context(ThreadPoolExecutor(max_workers=CHECKERS))
        stack.callback(checking.shutdown, cancel_futures=True)  # on an error: stop checking
        writer: pq.ParquetWriter | None = None
        written: _Background | None = None
        pending: collections.deque[tuple[str, int, Future]] = collections.deque()

        def write_next() -> None:
            nonlocal writer, written
            checked = _checked(*pending.popleft())
            if writer is None:
                writer = stack.enter_context(
                    pq.ParquetWriter(target, checked.schema, **SCRATCH_PARQUET)
                )
                written = stack.enter_context(_Background(writer.write_table))
            written.put(checked.cast(writer.schema))

        for label, first_row, table in _credit_batches(source, parts):
            pending.append((label, first_row, checking.submit(_check_batch, table)))
            if len(pending) >= CHECKERS:
                write_next()
        while pending:
            write_next()
        if writer is None:  # an empty file: its columns, no rows
            empty = normalise_credits(_empty_credits(parts[0]))
            stack.enter_context(pq.ParquetWriter(target, empty.schema)).write_table(empty)
    return CheckedCredits.of(target)


def credit_parts(source: Path) -> list[Path]:
    """The files holding the credits: ``source`` itself, or for a folder (a Parquet dataset,
    as Spark and other tools write one) its ``*.parquet`` files in name order, leaving out
    names starting with ``.`` or ``_`` (markers such as ``_SUCCESS``). Every part must have
    the same columns."""
    if not source.is_dir():
        return [source]
    parts = sorted(
        p
        for p in source.iterdir()
        if p.suffix.lower() == ".parquet" and not p.name.startswith((".", "_")) and p.is_file()
    )
    if not parts:
        raise EngineError(f"{source}: no Parquet file (*.parquet) in this folder")
    first = pq.read_schema(parts[0])
    for part in parts[1:]:
        if not pq.read_schema(part).equals(first):
            raise EngineError(
                f"{part}: its columns or their types differ from those of {parts[0].name}; "
                "every file of a credits folder must have the same"
            )
    return parts


def _canonically_typed(source: Path) -> bool:
    """A Parquet file whose credit columns already have the canonical types: checking it
    changes no value but for the defaults of empty optional columns, which DuckDB can fill
    as it reads (``CheckedCredits.as_input``), so no checked copy need be written."""
    if source.suffix.lower() != ".parquet":
        return False
    schema = pq.read_schema(source)
    return all(
        field.type == CREDIT_SPECS[field.name].type
        for field in schema
        if field.name in CREDIT_SPECS
    )


def _check_in_place(source: Path, parts: list[Path]) -> CheckedCredits:
    """Every batch of ``parts`` checked (two at once), nothing written: the credits are read
    from the input files themselves."""
    schema = normalise_credits(pq.read_schema(parts[0]).empty_table(), unique_ids=False).schema
    with ThreadPoolExecutor(max_workers=CHECKERS) as checking:
        pending: collections.deque[tuple[str, int, Future]] = collections.deque()
        try:
            for label, first_row, table in _credit_batches(source, parts):
                pending.append((label, first_row, checking.submit(_check_batch, table)))
                if len(pending) >= CHECKERS:
                    _checked(*pending.popleft())
            while pending:
                _checked(*pending.popleft())
        finally:
            for _, _, future in pending:
                future.cancel()
    in_folder = tuple(parts) if source.is_dir() else ()
    return CheckedCredits(source, schema, as_input=True, parts=in_folder)


def _checked(label: str, first_row: int, future: Future) -> pa.Table:
    """The checked batch, or its error naming the file (``label``) and the row counted from
    the top of that file."""
    try:
        return future.result()
    except InputError as error:
        row = None if error.row is None else error.row + first_row
        raise InputError(label, error.reason, row, error.column) from None


CHECKERS = 2  # credits batches checked at once
# The checked credits are scratch, read once by DuckDB: written plain, without compression
# or dictionaries, which cost the writer more time than the smaller file saves the reader.
SCRATCH_PARQUET = {"compression": "none", "use_dictionary": False}


def _check_batch(table: pa.Table) -> pa.Table:
    return normalise_credits(table, unique_ids=False)


def _credit_batches(source: Path, parts: list[Path]) -> Iterator[tuple[str, int, pa.Table]]:
    """(the name errors give the file, its row before the batch's first, the batch) for each
    batch of the credits: ``credits`` for a file, ``credits, file <part>`` in a folder."""
    for part in parts:
        label = f"credits, file {part.name}" if source.is_dir() else "credits"
        first_row = 0
        for batch in _file_batches(part):
            yield label, first_row, pa.Table.from_batches([batch])
            first_row += batch.num_rows


def _file_batches(source: Path) -> Iterator[pa.RecordBatch]:
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


def check_unique_credit_ids(credits: CheckedCredits, connection: duckdb.DuckDBPyConnection) -> None:
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
    # A view: the steps' tables are already stored, and the lines are read twice (sorted
    # and explained, then summed); copying them into one more table cost more than that.
    return exp.Create(
        this=exp.to_table("result_lines"),
        kind="VIEW",
        replace=True,
        expression=query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


@functools.lru_cache(maxsize=CACHED_TEMPLATE_SETS)
def sorted_lines_sql(templates: tuple[Template, ...]) -> str:
    """``sorted_lines_query`` in DuckDB's SQL, built once per set of templates (the chunks
    of a run have the same few): the sentences make it about 100 kB, which took sqlglot
    half a second to write out."""
    return sorted_lines_query(templates).sql(dialect=DIALECT)


def sorted_lines_query(templates: tuple[Template, ...]) -> exp.Query:
    """Every line of ``templates`` with its sentence, in the one line order
    (results.LINE_ORDER)."""
    columns = [q.col(f.name) for f in OUTPUT_COLUMNS]
    explained = explained_query(exp.select(*columns).from_("result_lines"), templates)
    return (
        exp.select(exp.Star())
        .from_(explained.subquery("l"))
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


class _Outputs:
    """The three outputs, staged under temporary names: the lines stream into Parquet and
    CSV chunk after chunk; the sums of each chunk are kept (one row per rep and period) and
    written at the end; ``finish`` renames the files into place."""

    def __init__(self, out: Path, formats: tuple[str, ...]) -> None:
        self._out = out
        self._formats = formats
        self._staged: list[tuple[Path, Path]] = []
        self._sums: dict[str, list[pa.Table]] = {name: [] for name, _, _ in SUMS}
        self._lines = 0
        self._stack = contextlib.ExitStack()

    def _stage(self, name: str, suffix: str) -> Path:
        final = self._out / f"{name}{suffix}"
        temporary = self._out / f".{name}{suffix}.partial"
        self._staged.append((temporary, final))
        return temporary

    def __enter__(self) -> _Outputs:
        # Each writer in a thread of its own (both release the GIL): the CSV, the slower,
        # no longer waits for the Parquet, nor DuckDB for either.
        self._writers = []
        for fmt in self._formats:
            path = self._stage("earnings", f".{fmt}")
            if fmt == "parquet":
                writer = pq.ParquetWriter(path, LINE_SCHEMA, **LINE_PARQUET_OPTIONS)
            else:
                writer = pacsv.CSVWriter(path, LINE_SCHEMA)
            self._stack.enter_context(writer)
            self._writers.append(self._stack.enter_context(_Background(writer.write_table)))
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.__exit__(*exc_info)

    def add(self, connection: duckdb.DuckDBPyConnection) -> None:
        """The lines of ``result_lines``, sorted, and their sums."""
        templates = templates_of(connection.execute(templates_query("result_lines")).fetchall())
        reader = connection.sql(sorted_lines_sql(templates)).to_arrow_reader(OUTPUT_BATCH_ROWS)
        for batch in reader:
            table = pa.Table.from_batches([batch]).cast(LINE_SCHEMA)
            for writer in self._writers:
                writer.put(table)
            self._lines += table.num_rows
        for name, keys, schema in SUMS:
            table = connection.sql(sums_query(keys).sql(dialect=DIALECT)).to_arrow_table()
            self._sums[name].append(table.select(schema.names).cast(schema))

    def finish(self) -> Written:
        self._stack.close()  # every line written and the files closed, or the error raised
        rows = {"earnings": self._lines}
        for name, _, schema in SUMS:
            table = pa.concat_tables(self._sums[name]) if self._sums[name] else schema.empty_table()
            if "parquet" in self._formats:
                pq.write_table(table, self._stage(name, ".parquet"))
            if "csv" in self._formats:
                pacsv.write_csv(table, self._stage(name, ".csv"))
            rows[name] = table.num_rows
        for temporary, final in self._staged:
            os.replace(temporary, final)
        return Written(rows=rows, files=[final for _, final in self._staged])


SUMS = (
    ("payouts", ["rep_id", "period"], PAYOUT_SCHEMA),
    ("component_payouts", ["rep_id", "period", "plan_id", "plan_version", "component_id"],
     COMPONENT_PAYOUT_SCHEMA),
)  # fmt: skip


def _remove_partial(out: Path, created: bool) -> None:
    for name in OUTPUT_NAMES:
        for suffix in (".parquet", ".csv"):
            (out / f".{name}{suffix}.partial").unlink(missing_ok=True)
    if created and not any(out.iterdir()):
        out.rmdir()


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
