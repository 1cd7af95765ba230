"""The PostgreSQL backend: the same compiled program as DuckDB's, run on a PostgreSQL server.

``compile_program`` builds the plan's queries as sqlglot expressions; here they are written
in the ``postgres`` dialect (``compiler.for_dialect``: the 128-bit integers of the exact
rounding step become ``DECIMAL(38, 0)``, i.e. ``NUMERIC(38, 0)``) and run by PostgreSQL
through psycopg 3. Every calculation

- runs in one transaction that is always rolled back: its tables are ``TEMPORARY`` (private
  to the connection, so concurrent calculations on other connections never see each other's)
  and are gone afterwards, on a connection of its own or on the caller's; ``search_path``
  is ``pg_temp`` alone meanwhile, so no table of the caller's schemas is ever read;
- loads the prepared Arrow inputs with ``COPY … FROM STDIN (FORMAT csv)`` into tables of
  exact types: ``NUMERIC(p, s)`` for decimals, ``DATE``, ``BOOLEAN``, integers (``INTEGERS``)
  and ``TEXT COLLATE "C"``. The ``C`` collation makes every string comparison, ``ORDER BY``
  and window order compare bytes, as DuckDB does, whatever the database's default
  collation (``en_US`` would put ``b`` before ``C``); columns computed from these keep it;
- runs the same checks as DuckDB after the ``assigned`` step (credits without a plan,
  missing FX rates) and fetches the lines with ``COPY (…) TO STDOUT (FORMAT csv)`` into
  Arrow with exact decimals; they are explained, sorted and summed by the same code as
  DuckDB's (``explain_sql.explain_lines``, ``results.build_result``), so both give the same
  bytes.

The server is named by a ``postgresql://`` URL (``database=`` of ``calculate``, or the
``ATTAIN_ENGINE_DATABASE_URL`` environment variable) or given as an open psycopg connection.
PostgreSQL's ``NUMERIC`` is exact and has no 38-digit limit; a value too wide for its column
is an error (``numeric field overflow``), never rounded away.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlglot import exp

from ..compiler import Step, compile_program, for_dialect, missing_fx_query, unassigned_query
from ..crediting import TABLES as CREDITING_TABLES
from ..errors import EngineError, RuleError
from ..explain_sql import explain_lines
from ..fx import missing_rate_message
from ..prepare import Prepared
from ..results import LINE_SCHEMA, Result, build_result

DIALECT = "postgres"
URL_VARIABLE = "ATTAIN_ENGINE_DATABASE_URL"
INPUTS = ("credits", "assignments", "targets", "fx", "draws", "payments")
OUTPUT_SCHEMA = pa.schema([f for f in LINE_SCHEMA if f.name != "explanation"])
# Byte order for strings, as in DuckDB, whatever the database's default collation.
COLLATION = "C"
# Session settings of the calculation's transaction (SET LOCAL: undone with it). With only
# pg_temp on the search path (pg_catalog is always searched), the program's table names mean
# its own temporary tables, never a table of the caller's schemas.
SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO, YMD", "search_path": "pg_temp"}


def database_url(database: str | None = None) -> str:
    """``database``, else ``ATTAIN_ENGINE_DATABASE_URL``; an error if neither is set."""
    url = database or os.environ.get(URL_VARIABLE)
    if not url:
        raise EngineError(
            "the postgres backend needs a database: pass database='postgresql://…' "
            f"(--database-url) or set {URL_VARIABLE}"
        )
    return url


def postgres_available(database: str | None = None) -> str | None:
    """``None`` if a connection to ``database`` (see ``database_url``) opens, else why not."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency of the app
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        url = database_url(database)
        with psycopg.connect(url, connect_timeout=5):
            return None
    except EngineError as error:
        return str(error)
    except psycopg.Error as error:
        return f"cannot connect to PostgreSQL: {str(error).strip()}"


# -- types and tables ----------------------------------------------------------------------------


# The smallest PostgreSQL type holding every value of each Arrow integer (PostgreSQL has no
# unsigned integers).
INTEGERS = {
    pa.int8(): "SMALLINT",
    pa.uint8(): "SMALLINT",
    pa.int16(): "SMALLINT",
    pa.uint16(): "INT",
    pa.int32(): "INT",
    pa.uint32(): "BIGINT",
    pa.int64(): "BIGINT",
    pa.uint64(): "DECIMAL(20, 0)",
}


def column_type(field: pa.Field) -> exp.DataType:
    """The exact PostgreSQL type of an Arrow column."""
    kind = field.type
    if pa.types.is_decimal(kind):
        return exp.DataType.build(f"DECIMAL({kind.precision}, {kind.scale})")
    if pa.types.is_date(kind):
        return exp.DataType.build("DATE")
    if pa.types.is_boolean(kind):
        return exp.DataType.build("BOOLEAN")
    if pa.types.is_integer(kind):
        return exp.DataType.build(INTEGERS[kind])
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return exp.DataType.build("TEXT")
    raise EngineError(f"column {field.name!r} has a type PostgreSQL is not given: {kind}")


def create_input(name: str, schema: pa.Schema) -> exp.Create:
    """``CREATE TEMPORARY TABLE name (…)`` with the exact types of ``schema``."""
    columns = []
    for field in schema:
        kind = column_type(field)
        constraints = []
        if kind.this == exp.DataType.Type.TEXT:
            collate = exp.CollateColumnConstraint(this=exp.to_identifier(COLLATION, quoted=True))
            constraints.append(exp.ColumnConstraint(kind=collate))
        columns.append(
            exp.ColumnDef(
                this=exp.to_identifier(field.name, quoted=True), kind=kind, constraints=constraints
            )
        )
    return exp.Create(
        this=exp.Schema(this=exp.to_table(name), expressions=columns),
        kind="TABLE",
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def _csv_ready(table: pa.Table) -> pa.Table:
    """``table`` with columns of no type (all NULL) as strings and dates as ``date32``
    (written ``YYYY-MM-DD``), for the CSV writer."""
    for index, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            kind = pa.string()
        elif pa.types.is_date64(field.type):
            kind = pa.date32()
        else:
            continue
        table = table.set_column(index, pa.field(field.name, kind), table[index].cast(kind))
    return table


def copy_in(cursor, name: str, table: pa.Table) -> None:
    """``table``'s rows into ``name`` with ``COPY … FROM STDIN (FORMAT csv)``.

    Arrow's CSV writer quotes every string and leaves NULLs unquoted and empty, which is what
    PostgreSQL's CSV format reads as NULL (an empty string stays an empty string); decimals
    are written exactly, dates as ISO dates, booleans as ``true``/``false``.
    """
    from psycopg import sql

    if table.num_rows == 0:
        return
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(name), columns
    )
    with cursor.copy(statement) as copy:
        for batch in _csv_ready(table).to_batches(max_chunksize=65536):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(pa.Table.from_batches([batch]), sink, options)
            copy.write(sink.getvalue().to_pybytes())


def load_inputs(prepared: Prepared, cursor) -> None:
    """The input tables, as temporary tables under the names the compiled program reads."""
    if not isinstance(prepared.credits, pa.Table):
        raise EngineError("the postgres backend takes the credits as an Arrow table")
    tables = {name: getattr(prepared, name) for name in INPUTS}
    tables.update({name: getattr(prepared.crediting, name) for name in CREDITING_TABLES})
    for name, table in tables.items():
        cursor.execute(create_input(name, table.schema).sql(dialect=DIALECT))
        copy_in(cursor, name, table)
        _analyze(cursor, name)


def _analyze(cursor, name: str) -> None:
    # Temporary tables are never analysed by autovacuum: without statistics the planner
    # guesses their sizes, badly for the large ones.
    from psycopg import sql

    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(name)))


def create_step(cursor, step: Step) -> None:
    create = exp.Create(
        this=exp.to_table(step.name),
        kind="TABLE",
        expression=step.query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    cursor.execute(for_dialect(create, DIALECT))
    _analyze(cursor, step.name)


# -- the program -------------------------------------------------------------------------------


def run_program(prepared: Prepared, cursor) -> pa.Table:
    """Load the inputs, create each step's table, check, and fetch the lines."""
    load_inputs(prepared, cursor)
    steps = compile_program(prepared)
    for step in steps:
        create_step(cursor, step)
        if step.name == "assigned":
            _check_unassigned(prepared, cursor)
            _check_fx(prepared, cursor)
    parts = [fetch_arrow(cursor, s.output) for s in steps if s.output is not None]
    if not parts:
        return OUTPUT_SCHEMA.empty_table()
    return pa.concat_tables(parts)


def fetch_arrow(cursor, query: exp.Expression) -> pa.Table:
    """The rows of ``query`` as an Arrow table of ``OUTPUT_SCHEMA``, through
    ``COPY (query) TO STDOUT (FORMAT csv)`` read by Arrow's CSV reader: no Python object per
    value (a million lines would take gigabytes as tuples of ``Decimal``).

    Exact both ways: PostgreSQL writes ``NUMERIC`` in plain digits and Arrow parses them
    into the column's decimal type (a value with more places than the column is an error,
    never rounded); NULL is an unquoted empty field and the empty string a quoted one, which
    the reader keeps apart; booleans are ``t``/``f``.
    """
    from psycopg import sql

    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER true)").format(
        sql.SQL(for_dialect(query, DIALECT))
    )
    chunks = []
    with cursor.copy(statement) as copy:
        for chunk in copy:
            chunks.append(bytes(chunk))
    data = pa.py_buffer(b"".join(chunks))
    table = pacsv.read_csv(
        pa.BufferReader(data),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=OUTPUT_SCHEMA,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    if table.column_names != OUTPUT_SCHEMA.names:
        raise EngineError(f"unexpected columns from PostgreSQL: {table.column_names}")
    return table.cast(OUTPUT_SCHEMA)


def _fetchone(cursor, query: exp.Expression):
    cursor.execute(for_dialect(query, DIALECT))
    return cursor.fetchone()


def _check_unassigned(prepared: Prepared, cursor) -> None:
    if prepared.unassigned != "error":
        return
    row = _fetchone(cursor, unassigned_query())
    if row is not None:
        credit_id, rep_id, day, count = row
        raise RuleError(
            f"{count} credit(s) have no plan assignment on their date, e.g. credit "
            f"{credit_id!r} of rep {rep_id!r} on {day}"
        )


def _check_fx(prepared: Prepared, cursor) -> None:
    for _, plan in sorted(prepared.plans.items()):
        row = _fetchone(cursor, missing_fx_query(plan))
        if row is not None:
            credit_id, currency, day, count, leg_in, leg_out = row
            detail = f"credit {credit_id!r}; {count} credit(s) lack a rate"
            raise RuleError(missing_rate_message(plan.plan, currency, day, detail, leg_in, leg_out))


@contextmanager
def _connection(database) -> Iterator:
    """An open psycopg connection: ``database`` itself if it is one, else a new one to the
    URL (``database_url``), closed afterwards."""
    import psycopg

    if isinstance(database, psycopg.Connection):
        yield database
        return
    url = database_url(database)
    try:
        connection = psycopg.connect(url)
    except psycopg.Error as error:
        raise EngineError(f"cannot connect to PostgreSQL: {str(error).strip()}") from error
    with connection:
        yield connection


@contextmanager
def calculation_cursor(database=None) -> Iterator:
    """A cursor in a transaction (a savepoint on a connection already in one) that is rolled
    back on leaving, with ``SETTINGS`` in force: where ``run_program`` runs.

    ``database`` is a ``postgresql://`` URL, an open ``psycopg.Connection`` (left open, its
    state as it was), or ``None`` for ``ATTAIN_ENGINE_DATABASE_URL``.
    """
    from psycopg import sql

    with (
        _connection(database) as connection,
        connection.transaction(force_rollback=True),
        connection.cursor() as cursor,
    ):
        for name, value in SETTINGS.items():
            cursor.execute(
                sql.SQL("SELECT set_config({}, {}, true)").format(
                    sql.Literal(name), sql.Literal(value)
                )
            )
        yield cursor


def calculate_with_postgres(prepared: Prepared, database=None) -> Result:
    """Run ``prepared`` on PostgreSQL (``database``: see ``calculation_cursor``) and build
    the Result."""
    with calculation_cursor(database) as cursor:
        lines = run_program(prepared, cursor)
    return build_result(explain_lines(lines))
