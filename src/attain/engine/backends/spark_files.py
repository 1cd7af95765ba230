"""Spark from files to files: neither the credits nor the lines pass through the driver.

``calculate(..., backend="spark")`` sends the inputs from the driver's Arrow tables and
collects every line back to the driver to explain, sort and sum them: the driver needs
memory for the whole book. ``calculate_files_on_spark`` is the path for a book that does
not fit one machine:

- the credits file is checked batch by batch, as for DuckDB (``files.check_credits_file``:
  nothing held whole in memory), and **Spark reads it** (the input file itself when its
  columns have the canonical types, else the checked copy);
- the program runs as on ``calculate`` (``spark.program_lines``: the same SQL and checks);
- each line is explained **on the executors**, by the same code as everywhere else
  (``explain_sql.explain_lines`` on each Arrow batch, through ``mapInArrow``), the lines
  are sorted in the one line order (``results.LINE_ORDER``) by Spark, and written by Spark
  as a Parquet dataset: ``OUT/earnings.parquet/`` is a folder of part files which, read in
  the order of their names, hold the lines in that order;
- the payouts and component payouts are summed by Spark (the SQL ``files.sums_query`` runs
  for DuckDB) and, one row per rep and period, written as single files;
- with ``"csv"`` in ``formats``, this process streams the Parquet dataset, part file after
  part file and batch after batch, into one ``earnings.csv`` (the same writer and bytes as
  DuckDB's), and writes the sums as CSV too.

The executors need ``attain`` installed (``pip install 'attain[spark]'``), and the output
and scratch folders (next to ``OUT``) must be reachable under the same path from the driver
and the executors: on a cluster, a shared filesystem. The lines are the same as DuckDB's,
line for line (``tests/engine/test_spark_files.py``). The CSV is not written by Spark,
whose CSV writer formats decimals its own way and writes a folder of parts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import EngineError
from ..explain_sql import explain_lines
from ..files import (
    SUMS,
    Written,
    check_credits_file,
    check_formats,
    check_unique_credit_ids,
    sums_query,
)
from ..prepare import prepare
from ..results import LINE_ORDER, LINE_SCHEMA
from ..spec import Plan
from .spark import (
    OUTPUT_SCHEMA,
    PANDAS_WARNING,
    SESSION_SQL_CONF,
    _sql,
    local_session,
    program_lines,
    spark_schema,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LINES_VIEW = "result_lines"  # the name files.sums_query reads
# Lines per Arrow batch handed to the explanations on an executor: large enough for the
# explanations to be built in DuckDB (explain_sql.SQL_FROM_ROWS) rather than row by row.
BATCH_ROWS = "100000"


def calculate_files_on_spark(
    plans: Iterable[Plan],
    credits: str | Path,
    assignments,
    quotas=None,
    *,
    out: str | Path,
    spark: SparkSession | None = None,
    formats: Sequence[str] = ("parquet",),
    progress: Callable[[str], None] | None = None,
    **options,
) -> Written:
    """``calculate(...)`` on Spark with the credits read by Spark from a CSV or Parquet file
    and ``earnings`` (a Parquet dataset folder), ``payouts`` and ``component_payouts``
    (Parquet files) written to ``out``; with ``"csv"`` in ``formats``, also (or only, without
    ``"parquet"``) each as one CSV file. The other inputs and ``options`` are taken as for
    ``calculate``; ``spark`` is the session to run on (default: the local one)."""
    formats = check_formats(formats)
    done = progress or (lambda phase: None)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}-scratch-", dir=out.parent) as scratch:
        checked = check_credits_file(Path(credits), Path(scratch) / "credits.parquet")
        with contextlib.closing(duckdb.connect()) as connection:
            check_unique_credit_ids(checked, connection)  # each batch was checked alone
        done("check credits")
        prepared = prepare(plans, checked, assignments, quotas, **options)
        done("prepare")
        base = spark if spark is not None else local_session()
        session = base.newSession()
        for key, value in {**SESSION_SQL_CONF, **_BATCHES}.items():
            session.conf.set(key, value)
        created = not out.exists()
        out.mkdir(exist_ok=True)
        staged: list[tuple[Path, Path]] = []
        try:
            with program_lines(prepared, session) as lines:
                rows = _write(session, lines, out, staged, formats, Path(scratch))
            done("calculate and write")
            for temporary, final in staged:
                _replace(temporary, final)
        except BaseException:
            for temporary, _ in staged:
                _remove(temporary)
            if created:
                shutil.rmtree(out, ignore_errors=True)
            raise
    return Written(rows=rows, files=[final for _, final in staged])


_BATCHES = {"spark.sql.execution.arrow.maxRecordsPerBatch": BATCH_ROWS}


def _write(
    session: SparkSession,
    lines: DataFrame | None,
    out: Path,
    staged: list[tuple[Path, Path]],
    formats: tuple[str, ...],
    scratch: Path,
) -> dict[str, int]:
    if "parquet" in formats:
        earnings = _stage(out, "earnings.parquet", staged)
    else:  # written by Spark all the same, as the source of the CSV
        earnings = scratch / "earnings.parquet"
    if lines is None:  # no plan in force: no line
        lines = session.createDataFrame([], spark_schema(OUTPUT_SCHEMA))
    lines = lines.select(*OUTPUT_SCHEMA.names).persist()
    try:
        lines.createOrReplaceTempView(LINES_VIEW)
        # Sorted first, then explained: the sort samples its input to split it into ranges,
        # and sampling the cached lines costs less than explaining them twice. Explaining
        # keeps each partition's order, so the part files stay in line order.
        ordered = lines.orderBy(*(lines[name].asc_nulls_first() for name in LINE_ORDER))
        with warnings.catch_warnings():
            # mapInArrow checks the pandas version though nothing here uses pandas.
            warnings.filterwarnings("ignore", PANDAS_WARNING)
            explained = ordered.mapInArrow(explain_batches, spark_schema(LINE_SCHEMA))
        explained.write.parquet(str(earnings))
        if "csv" in formats:
            _dataset_to_csv(earnings, _stage(out, "earnings.csv", staged))
        rows = {"earnings": lines.count()}
        for name, keys, schema in SUMS:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", PANDAS_WARNING)
                table = _sql(session, sums_query(keys)).toArrow()
            table = table.select(schema.names).cast(schema)
            if "parquet" in formats:
                pq.write_table(table, _stage(out, f"{name}.parquet", staged))
            if "csv" in formats:
                pacsv.write_csv(table, _stage(out, f"{name}.csv", staged))
            rows[name] = table.num_rows
        return rows
    finally:
        session.catalog.dropTempView(LINES_VIEW)
        lines.unpersist()


CSV_BATCH_ROWS = 100_000


def _dataset_to_csv(dataset: Path, target: Path) -> None:
    """The earnings dataset's lines, part file after part file (their line order), into
    one CSV file, a batch at a time: the driver never holds the book."""
    with pacsv.CSVWriter(target, LINE_SCHEMA) as writer:
        for part in _parts(dataset):
            for batch in pq.ParquetFile(part).iter_batches(CSV_BATCH_ROWS):
                writer.write_table(pa.Table.from_batches([batch]).cast(LINE_SCHEMA))


def _parts(dataset: Path) -> list[Path]:
    return sorted(p for p in dataset.iterdir() if p.suffix == ".parquet")


def explain_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """On an executor: each batch of lines with its explanations (``explain_lines``)."""
    for batch in batches:
        lines = pa.Table.from_batches([batch]).cast(OUTPUT_SCHEMA)
        yield from explain_lines(lines).cast(LINE_SCHEMA).to_batches()


def _stage(out: Path, name: str, staged: list[tuple[Path, Path]]) -> Path:
    temporary = out / f".{name}.partial"
    _remove(temporary)
    staged.append((temporary, out / name))
    return temporary


def _replace(temporary: Path, final: Path) -> None:
    """``temporary`` renamed to ``final``, replacing a file or folder of that name."""
    if final.is_dir() and not final.is_symlink():
        shutil.rmtree(final)
    os.replace(temporary, final)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def read_earnings(out: str | Path) -> pa.Table:
    """The earnings a Spark run wrote to ``out``, in line order (its part files in the order
    of their names), with the engine's line schema."""
    folder = Path(out) / "earnings.parquet"
    if not folder.is_dir():
        raise EngineError(f"{folder}: no earnings dataset")
    tables = [pq.ParquetFile(p).read() for p in _parts(folder)]
    if not tables:
        return LINE_SCHEMA.empty_table()
    return pa.concat_tables([t.cast(LINE_SCHEMA) for t in tables])
