"""``attain calc``: run the engine on files.

    attain calc --plans DIR --credits FILE --assignments FILE [--quotas FILE] [--fx FILE]
                [--draws FILE] [--hierarchy FILE] [--territories FILE] [--payments FILE]
                --period 2026-Q1 [--as-of DATE] [--backend duckdb|spark|postgres|oracle]
                [--spark-master URL] [--database-url URL] [--unassigned error|ignore]
                [--memory-limit 1GB] [--reps R1,R2 | --reps-file FILE]
                [--formats parquet,csv] [--collect] --out DIR

Inputs are CSV (every column read as text and parsed exactly) or Parquet, chosen by the file
extension. Outputs are ``earnings``, ``payouts`` and ``component_payouts``, each as CSV and
Parquet (``--formats`` chooses one or both), written to temporary files first and then
renamed: a failed run leaves no partial output. Usable on its own as
``python -m attain.engine.cli``.

On DuckDB (the default) the calculation goes from files to files (``files.py``): the credits
are checked batch by batch and the lines stream out sorted, so a book of ten million lines
needs no more memory than ``--memory-limit`` (DuckDB spills beyond it) and a few batches.

``--backend spark`` runs the same compiled SQL on Apache Spark: a local session
(``local[2]``) unless ``--spark-master`` or ``ATTAIN_SPARK_MASTER`` names another master;
it needs ``pip install 'attain[spark]'`` and a Java runtime. Spark reads the credits file
and writes the earnings as a Parquet dataset folder ``earnings.parquet/``
(``backends/spark_files.py``), so no credit or line needs this process's memory; the CSV
files are streamed from that dataset. The output and scratch folders must be reachable
under the same path from this process and the executors. ``--collect`` instead sends the
inputs from this process and brings every line back to it (a cluster without a shared
filesystem, for a book that fits this machine's memory). ``--distributed`` is the default
and is accepted for scripts that name it.

``--backend postgres`` runs the same compiled SQL on PostgreSQL, in temporary tables of one
connection to ``--database-url`` (default: the ``ATTAIN_ENGINE_DATABASE_URL`` environment
variable), e.g. ``postgresql://user@host:5432/db``; nothing is left in the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .calculate import calculate
from .errors import EngineError
from .files import FORMATS, calculate_files, check_formats, credit_parts
from .loader import load_plans
from .results import LINE_PARQUET_OPTIONS


def read_table(path: str | Path) -> pa.Table:
    """A CSV file (every column as text), a Parquet file, or a folder of Parquet files."""
    path = Path(path)
    if not path.exists():
        raise EngineError(f"{path}: no such file")
    if path.is_dir():
        return pa.concat_tables(pq.ParquetFile(part).read() for part in credit_parts(path))
    if path.suffix.lower() == ".parquet":
        return pq.ParquetFile(path).read()  # pq.read_table imports pyarrow.dataset, and pandas
    with path.open(encoding="utf-8") as handle:
        header = handle.readline()
    names = [name.strip() for name in header.rstrip("\r\n").split(",")]
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=True
    )
    return pacsv.read_csv(path, convert_options=options)


def write_outputs(
    tables: dict[str, pa.Table], out: Path, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    writers = {"csv": pacsv.write_csv, "parquet": pq.write_table}
    for name, table in tables.items():
        for fmt in check_formats(formats):
            suffix, writer = f".{fmt}", writers[fmt]
            final = out / f"{name}{suffix}"
            temporary = out / f".{name}{suffix}.partial"
            if fmt == "parquet" and name == "earnings":
                pq.write_table(table, temporary, **LINE_PARQUET_OPTIONS)
            else:
                writer(table, temporary)
            staged.append((temporary, final))
    for temporary, final in staged:
        os.replace(temporary, final)
    return [final for _, final in staged]


def add_calc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plans", required=True, help="folder of plan YAML files")
    parser.add_argument("--credits", required=True, help="credits CSV or Parquet")
    parser.add_argument("--assignments", required=True, help="plan assignments CSV or Parquet")
    parser.add_argument("--quotas", help="quotas CSV or Parquet")
    parser.add_argument("--fx", help="FX rates CSV or Parquet")
    parser.add_argument("--draws", help="draws and guarantees CSV or Parquet")
    parser.add_argument(
        "--hierarchy", help="reporting line (rep_id, manager_id, valid_from, valid_to)"
    )
    parser.add_argument(
        "--territories", help="territory owners (territory_id, rep_id, valid_from, valid_to)"
    )
    parser.add_argument("--payments", help="invoices and payments CSV or Parquet (pay on cash)")
    parser.add_argument("--period", required=True, help="2026, 2026-H1, 2026-Q1 or 2026-03")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="rules in force on (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--backend", choices=["duckdb", "spark", "postgres", "oracle"], default="duckdb"
    )
    parser.add_argument(
        "--spark-master",
        help="Spark master for --backend spark (default local[2], or ATTAIN_SPARK_MASTER)",
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL for --backend postgres (default: ATTAIN_ENGINE_DATABASE_URL)",
    )
    parser.add_argument("--unassigned", choices=["error", "ignore"], default="error")
    parser.add_argument(
        "--memory-limit",
        help="DuckDB's memory limit, e.g. 1GB (beyond it, it spills to disk; duckdb backend)",
    )
    parser.add_argument(
        "--reps",
        help="calculate only these reps, comma-separated (e.g. those whose credits changed; "
        "duckdb backend)",
    )
    parser.add_argument(
        "--reps-file", help="calculate only the reps listed in this file, one id per line"
    )
    parser.add_argument("--formats", help="output files: parquet, csv or parquet,csv (the default)")
    parser.add_argument(
        "--collect",
        action="store_true",
        help="with --backend spark: send the inputs from this process and bring every line "
        "back to it, instead of Spark reading and writing the files itself",
    )
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="with --backend spark: Spark reads the credits file and writes the earnings "
        "(the default)",
    )
    parser.add_argument("--out", required=True, help="output folder")


def _optional(args: argparse.Namespace, name: str) -> pa.Table | None:
    path = getattr(args, name, None)
    return read_table(path) if path else None


def _small_inputs(args: argparse.Namespace) -> dict:
    """Every input but the plans and the credits, with the options, as ``calculate`` takes
    them."""
    return {
        "assignments": read_table(args.assignments),
        "quotas": _optional(args, "quotas"),
        "fx": _optional(args, "fx"),
        "draws": _optional(args, "draws"),
        "hierarchy": _optional(args, "hierarchy"),
        "territories": _optional(args, "territories"),
        "payments": _optional(args, "payments"),
        "period": args.period,
        "as_of": args.as_of,
        "unassigned": args.unassigned,
    }


def _formats(args: argparse.Namespace, default: str = ",".join(FORMATS)) -> tuple[str, ...]:
    names = getattr(args, "formats", None) or default
    return check_formats([name.strip() for name in names.split(",") if name.strip()])


def _reps(args: argparse.Namespace) -> list[str] | None:
    """The reps of ``--reps`` and ``--reps-file`` (a ``rep_id`` header line is allowed), or
    None for every rep."""
    listed = getattr(args, "reps", None)
    path = getattr(args, "reps_file", None)
    if listed is None and path is None:
        return None
    reps = [] if listed is None else listed.split(",")
    if path is not None:
        if not Path(path).exists():
            raise EngineError(f"{path}: no such file")
        lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
        reps += [line for n, line in enumerate(lines) if not (n == 0 and line == "rep_id")]
    return reps


def run_calc(args: argparse.Namespace) -> int:
    try:
        if args.backend != "duckdb" and _reps(args) is not None:
            raise EngineError("--reps and --reps-file need the duckdb backend")
        if args.backend != "spark" and getattr(args, "distributed", False):
            raise EngineError("--distributed needs --backend spark")
        if args.backend != "spark" and getattr(args, "collect", False):
            raise EngineError("--collect needs --backend spark")
        if getattr(args, "distributed", False) and getattr(args, "collect", False):
            raise EngineError("--distributed and --collect exclude each other")
        if args.backend == "spark" and not getattr(args, "collect", False):
            rows = _run_distributed(args)
        elif args.backend == "duckdb":
            # From files to files: the credits are read in batches, the lines stream out.
            written = calculate_files(
                load_plans(args.plans),
                args.credits,
                out=args.out,
                memory_limit=getattr(args, "memory_limit", None),
                formats=_formats(args),
                reps=_reps(args),
                **_small_inputs(args),
            )
            rows = written.rows
        else:
            spark = None
            if args.backend == "spark":
                from .backends.spark import local_session

                spark = local_session(master=args.spark_master)
            result = calculate(
                load_plans(args.plans),
                read_table(args.credits),
                backend=args.backend,
                spark=spark,
                database=getattr(args, "database_url", None),
                **_small_inputs(args),
            )
            tables = {
                "earnings": result.lines,
                "payouts": result.payouts,
                "component_payouts": result.component_payouts,
            }
            write_outputs(tables, Path(args.out), _formats(args))
            rows = {name: table.num_rows for name, table in tables.items()}
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{rows['earnings']} earning lines, {rows['payouts']} payouts written to {args.out}")
    return 0


def _run_distributed(args: argparse.Namespace) -> dict[str, int]:
    """Spark from files to files (backends/spark_files.py)."""
    from .backends.spark import local_session
    from .backends.spark_files import calculate_files_on_spark

    written = calculate_files_on_spark(
        load_plans(args.plans),
        args.credits,
        out=args.out,
        spark=local_session(master=args.spark_master),
        formats=_formats(args),
        **_small_inputs(args),
    )
    return written.rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attain calc", description=__doc__.split("\n")[0])
    add_calc_arguments(parser)
    return run_calc(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
