"""The Spark backend: the same compiled program as DuckDB's, as Spark SQL, on a SparkSession.

``compile_program`` builds the plan's queries as sqlglot expressions; here they are written
in the ``spark`` dialect (``compiler.for_dialect``: the 128-bit integers of the exact rounding
step become ``DECIMAL(38, 0)``) and run by Spark. The session runs with

- ``spark.sql.decimalOperations.allowPrecisionLoss=false``: a decimal product keeps its
  scale (the program never divides decimals: every division is an integer ``DIV`` of exact
  scaled integers, rounded half-even by ``sql.round_half_even_division``);
- ``spark.sql.ansi.enabled=true``: an overflow is an error, never a silent ``NULL``;
- ``spark.sql.session.timeZone=UTC``: dates stay dates.

Inputs go from Arrow to Spark with their exact ``DecimalType`` columns (no float on the way);
the lines come back as Arrow and are explained, sorted and summed by the same code as
DuckDB's (``explain_sql.explain_lines``, ``results.build_result``), so both backends give the
same bytes. ``spark_files.py`` runs the same program (``program_lines``) from files to files
instead, with the credits read and the lines explained and written by Spark.

Each calculation runs in its own ``SparkSession.newSession()`` (its own SQL settings and
temporary views, sharing the caller's SparkContext), so concurrent calculations and the
caller's own settings do not interfere.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ..compiler import compile_program, for_dialect, missing_fx_query, unassigned_query
from ..crediting import TABLES as CREDITING_TABLES
from ..errors import EngineError, RuleError
from ..explain_sql import explain_lines
from ..fx import missing_rate_message
from ..inputs import CheckedCredits, credit_columns
from ..prepare import Prepared
from ..results import LINE_SCHEMA, Result, build_result
from .duckdb import parquet_scan

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DIALECT = "spark"

# SQL settings every calculation needs, whoever built the session.
SESSION_SQL_CONF = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}

# A local session for the CLI and the tests: offline (no packages to fetch), no web UI,
# few shuffle partitions (small data, two cores), quiet logs.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.jars.packages": "",
    "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "attain-spark" / "warehouse"),
    **SESSION_SQL_CONF,
}

# PySpark checks the pandas version on start and in toArrow, though the backend never uses
# pandas (Arrow in, Arrow out).
PANDAS_WARNING = "PySpark does not yet fully support pandas"

OUTPUT_SCHEMA = pa.schema([f for f in LINE_SCHEMA if f.name != "explanation"])


def spark_available() -> str | None:
    """``None`` if PySpark and a Java runtime are there, else why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'attain[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "java")):
        return None
    from shutil import which

    if which("java") is None:
        return "no Java runtime (java on PATH or JAVA_HOME) for Spark"
    return None


LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_logging() -> str:
    """A log4j2 file that shows only errors (Spark's default shows warnings and banners)."""
    folder = Path(tempfile.gettempdir()) / "attain-spark"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "log4j2.properties"
    if not path.exists() or path.read_text() != LOG4J:
        path.write_text(LOG4J)
    return f"-Dlog4j2.configurationFile=file:{path}"


def local_session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """The process's local SparkSession, created on first use: ``local[2]`` unless ``master``
    or ``ATTAIN_SPARK_MASTER`` says otherwise, with ``LOCAL_CONF`` updated by ``conf``.

    If a session is already running in the process, it is returned as it is
    (``calculate_with_spark`` sets the SQL settings it needs on a session of its own).
    """
    problem = spark_available()
    if problem:
        raise EngineError(problem)
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is not None:
        return running
    # Bind to the loopback interface: nothing to reach, no warning about the host name.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (explanations on the executors, spark_files.py) run this interpreter,
    # which has attain and its dependencies, not whichever `python3` is first on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    master = master or os.environ.get("ATTAIN_SPARK_MASTER", "local[2]")
    builder = SparkSession.builder.master(master).appName("attain-engine")
    conf = dict(conf or {})
    # The caller's JVM options are added to the quiet logging, not put in its place.
    java_options = " ".join([_quiet_logging(), conf.pop("spark.driver.extraJavaOptions", "")])
    settings = {**LOCAL_CONF, "spark.driver.extraJavaOptions": java_options.strip(), **conf}
    for key, value in settings.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PANDAS_WARNING)
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_type(name: str, kind: pa.DataType):
    """The Spark type of an Arrow column (decimals keep their precision and scale)."""
    from pyspark.sql import types as T

    if pa.types.is_decimal(kind):
        return T.DecimalType(kind.precision, kind.scale)
    if pa.types.is_date(kind):
        return T.DateType()
    if pa.types.is_boolean(kind):
        return T.BooleanType()
    if pa.types.is_int32(kind):
        return T.IntegerType()
    if pa.types.is_int64(kind):
        return T.LongType()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return T.StringType()
    raise EngineError(f"column {name!r} has a type Spark is not given: {kind}")


def spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, spark_type(f.name, f.type), True) for f in schema])


def _dataframe(session: SparkSession, table: pa.Table) -> DataFrame:
    """An Arrow table as a Spark DataFrame with the same (exact) column types."""
    for field in table.schema:
        if pa.types.is_large_string(field.type) or pa.types.is_null(field.type):
            table = table.set_column(
                table.schema.get_field_index(field.name),
                pa.field(field.name, pa.string()),
                table[field.name].cast(pa.string()),
            )
    return session.createDataFrame(table, schema=spark_schema(table.schema))


def _credits(session: SparkSession, credits) -> DataFrame:
    """The credits: an Arrow table sent from the driver, or the checked credits file
    (``files.check_credits_file``) read by Spark itself, with the same projection as
    DuckDB's (``parquet_scan``: defaults filled where the input file is read as it is)."""
    if not isinstance(credits, CheckedCredits):
        return _dataframe(session, credits)
    session.read.parquet(*credits.files).createOrReplaceTempView(CREDITS_FILE)
    scan = parquet_scan(credits)
    return _sql(session, scan.from_(CREDITS_FILE, copy=False))


def _sql(session: SparkSession, query) -> DataFrame:
    return session.sql(for_dialect(query, DIALECT))


INPUTS = ("credits", "assignments", "targets", "fx", "draws", "payments")
CREDITS_FILE = "credits_file"


@contextlib.contextmanager
def program_lines(prepared: Prepared, session: SparkSession) -> Iterator[DataFrame | None]:
    """Register the inputs, define each step as a view and check; yield the lines (the union
    of the steps' outputs, ``None`` when no plan is in force). The temporary views are
    dropped afterwards, whatever happens."""
    views: list[str] = []
    try:
        for name in INPUTS:
            table = getattr(prepared, name)
            frame = _credits(session, table) if name == "credits" else _dataframe(session, table)
            frame.createOrReplaceTempView(name)
            views.append(name)
        if isinstance(prepared.credits, CheckedCredits):
            views.append(CREDITS_FILE)
        for name in CREDITING_TABLES:
            _dataframe(session, getattr(prepared.crediting, name)).createOrReplaceTempView(name)
            views.append(name)
        steps = compile_program(prepared)
        for step in steps:
            _sql(session, step.query).createOrReplaceTempView(step.name)
            views.append(step.name)
            if step.name == "assigned":
                _check_unassigned(prepared, session)
                _check_fx(prepared, session)
        outputs = [step.output for step in steps if step.output is not None]
        # One job for all plans' lines: the union of the steps' outputs.
        frames = [_sql(session, output) for output in outputs]
        yield functools.reduce(lambda a, b: a.unionAll(b), frames) if frames else None
    finally:
        for name in views:
            session.catalog.dropTempView(name)


def run_program(prepared: Prepared, session: SparkSession) -> pa.Table:
    """The lines of ``prepared``, computed by Spark and collected to the driver as Arrow."""
    with program_lines(prepared, session) as lines:
        if lines is None:
            return OUTPUT_SCHEMA.empty_table()
        with warnings.catch_warnings():
            # toArrow checks the pandas version though it does not use pandas here.
            warnings.filterwarnings("ignore", PANDAS_WARNING)
            table = lines.toArrow()
        return table.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA)


def _check_unassigned(prepared: Prepared, session: SparkSession) -> None:
    if prepared.unassigned != "error":
        return
    rows = _sql(session, unassigned_query()).collect()
    if rows:
        credit_id, rep_id, day, count = rows[0]
        raise RuleError(
            f"{count} credit(s) have no plan assignment on their date, e.g. credit "
            f"{credit_id!r} of rep {rep_id!r} on {day}"
        )


def _foreign_currencies(prepared: Prepared) -> set[str]:
    if "currency" not in prepared.credits.schema.names:
        return set()
    currencies = credit_columns(prepared.credits, ["currency"])["currency"]
    return {c for c in pc.unique(currencies).to_pylist() if c is not None}


def _check_fx(prepared: Prepared, session: SparkSession) -> None:
    currencies = _foreign_currencies(prepared)
    for _, plan in sorted(prepared.plans.items()):
        # The query finds credits whose currency is not the plan's: with none, skip the job.
        if not currencies - {plan.plan.currency}:
            continue
        rows = _sql(session, missing_fx_query(plan)).collect()
        if rows:
            credit_id, currency, day, count, leg_in, leg_out = rows[0]
            detail = f"credit {credit_id!r}; {count} credit(s) lack a rate"
            raise RuleError(missing_rate_message(plan.plan, currency, day, detail, leg_in, leg_out))


def calculate_with_spark(prepared: Prepared, spark: SparkSession | None = None) -> Result:
    """Run ``prepared`` on ``spark`` (default: the local session) and build the Result."""
    base = spark if spark is not None else local_session()
    session = base.newSession()
    for key, value in SESSION_SQL_CONF.items():
        session.conf.set(key, value)
    lines = run_program(prepared, session)
    return build_result(explain_lines(lines))
