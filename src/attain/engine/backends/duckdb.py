"""The DuckDB backend: in-process, on Arrow tables, one fresh connection per calculation."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from sqlglot import exp

from .. import sql as q
from ..compiler import Step, compile_program, missing_fx_query, sql_type, unassigned_query
from ..crediting import TABLES as CREDITING_TABLES
from ..errors import RuleError
from ..explain_sql import explain_lines
from ..fx import missing_rate_message
from ..inputs import CheckedCredits
from ..prepare import Prepared
from ..results import LINE_SCHEMA, Result, build_result

DIALECT = "duckdb"


def parquet_scan(credits: CheckedCredits) -> exp.Select:
    """The checked credits from their Parquet file: ``SELECT *`` of a file the check wrote;
    of the input file itself (``as_input``), each column as ``normalise_credits`` would give
    it, a missing optional one as its default and a null as the default where it has one."""
    files = exp.Array(expressions=[q.text(path) for path in credits.files])
    scan = exp.Anonymous(this="read_parquet", expressions=[files])
    if not credits.as_input:
        return exp.select(exp.Star()).from_(scan)
    columns = []
    for name, spec, present in credits.filled_columns():
        if spec is None:
            columns.append(q.col(name))
            continue
        default = q.null() if spec.default is None else q.text(str(spec.default))
        value = q.cast(default, sql_type(spec.type))
        if present:
            fills = spec.default is not None and not spec.nullable
            value = q.coalesce(q.col(name), value) if fills else q.col(name)
        columns.append(q.alias(value, name))
    return exp.select(*columns).from_(scan)


def execute_steps(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> list[Step]:
    """Create each step's table on ``connection`` (checking assignments and FX on the way)."""
    register_inputs(prepared, connection)
    steps = compile_program(prepared)
    for step in steps:
        create_step(connection, step)
        if step.name == "assigned":
            check_assigned(prepared, connection)
    return steps


def register_inputs(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> None:
    """The input tables under the names the compiled program reads."""
    if isinstance(prepared.credits, CheckedCredits):
        # The checked credits file (files.py): DuckDB's own Parquet reader streams it within
        # DuckDB's memory limit, where an Arrow dataset scan would read ahead outside it.
        view = exp.Create(
            this=exp.to_table("credits"), kind="VIEW", expression=parquet_scan(prepared.credits)
        )
        connection.execute(view.sql(dialect=DIALECT))
    else:
        connection.register("credits", prepared.credits)
    connection.register("assignments", prepared.assignments)
    connection.register("targets", prepared.targets)
    connection.register("fx", prepared.fx)
    connection.register("draws", prepared.draws)
    for name in CREDITING_TABLES:
        connection.register(name, getattr(prepared.crediting, name))
    connection.register("payments", prepared.payments)


def create_step(connection: duckdb.DuckDBPyConnection, step: Step) -> None:
    connection.execute(create_step_sql(step))


def create_step_sql(step: Step) -> str:
    """``CREATE TEMPORARY TABLE <step> AS <its query>`` in DuckDB's SQL."""
    create = exp.Create(
        this=exp.to_table(step.name),
        kind="TABLE",
        expression=step.query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    return create.sql(dialect=DIALECT)


def check_assigned(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> None:
    """After the ``assigned`` step: every credit has a plan (unless allowed) and an FX rate."""
    _check_unassigned(prepared, connection)
    _check_fx(prepared, connection)


def run_program(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> pa.Table:
    steps = execute_steps(prepared, connection)
    parts = [
        connection.sql(s.output.sql(dialect=DIALECT)).to_arrow_table()
        for s in steps
        if s.output is not None
    ]
    schema = pa.schema([f for f in LINE_SCHEMA if f.name != "explanation"])
    if not parts:
        return schema.empty_table()
    return pa.concat_tables([p.cast(schema) for p in parts])


def _check_unassigned(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> None:
    if prepared.unassigned != "error":
        return
    row = connection.execute(unassigned_query().sql(dialect=DIALECT)).fetchone()
    if row is not None:
        credit_id, rep_id, day, count = row
        raise RuleError(
            f"{count} credit(s) have no plan assignment on their date, e.g. credit "
            f"{credit_id!r} of rep {rep_id!r} on {day}"
        )


def _check_fx(prepared: Prepared, connection: duckdb.DuckDBPyConnection) -> None:
    for _, plan in sorted(prepared.plans.items()):
        row = connection.execute(missing_fx_query(plan).sql(dialect=DIALECT)).fetchone()
        if row is not None:
            credit_id, currency, day, count, leg_in, leg_out = row
            detail = f"credit {credit_id!r}; {count} credit(s) lack a rate"
            raise RuleError(missing_rate_message(plan.plan, currency, day, detail, leg_in, leg_out))


def calculate_with_duckdb(prepared: Prepared) -> Result:
    connection = duckdb.connect()
    try:
        lines = run_program(prepared, connection)
    finally:
        connection.close()
    return build_result(explain_lines(lines))
