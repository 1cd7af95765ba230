"""The PostgreSQL backend: the same compiled program as DuckDB's, with byte-identical results.

The server is ``ATTAIN_ENGINE_DATABASE_URL`` (default ``postgresql://root@127.0.0.1:5432/test``,
the CI's). When it cannot be reached the tests are skipped, unless
``ATTAIN_REQUIRE_POSTGRES=1`` (as in CI), where they fail instead. Each calculation works in
temporary tables of its own connection, so parallel test workers do not collide.
"""

from __future__ import annotations

import os

import psycopg
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlglot import exp

from attain.engine import EngineError, calculate
from attain.engine import sql as q
from attain.engine.backends.postgres import URL_VARIABLE, create_input, postgres_available
from attain.engine.cli import main, read_table
from attain.engine.compiler import for_dialect
from attain.engine.conditions import evaluate, parse_condition
from attain.engine.spec import Plan

from .builders import assignments_for, credits_table, make_plan
from .helpers import CONFORMANCE, compare, duckdb_result, load_case, plans_folder
from .test_cash import calculate_cash, cash_cases
from .test_conditions import COLUMNS, condition_query, families, texts, values
from .test_conformance import COMPUTED, FAILING
from .test_properties import arrow_bytes, calculate_random, draw_tables, plan_variants, random_deals

REQUIRED = os.environ.get("ATTAIN_REQUIRE_POSTGRES") == "1"
DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def database() -> str:
    url = os.environ.get(URL_VARIABLE) or DEFAULT_URL
    problem = postgres_available(url)
    if problem:
        if REQUIRED:
            pytest.fail(f"ATTAIN_REQUIRE_POSTGRES=1 but PostgreSQL cannot be used: {problem}")
        pytest.skip(f"PostgreSQL backend not tested ({url}): {problem}")
    return url


def assert_identical(result, duckdb_result) -> None:
    for name in ("lines", "payouts", "component_payouts"):
        ours, theirs = getattr(result, name), getattr(duckdb_result, name)
        assert ours.schema == theirs.schema, name
        assert arrow_bytes(ours) == arrow_bytes(theirs), name


def run_case(case, database):
    return calculate(
        case.plans,
        case.credits,
        case.assignments,
        case.quotas,
        backend="postgres",
        database=database,
        **case.options(),
    )


# -- the conformance suite on PostgreSQL -----------------------------------------------------


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_worked_example_on_postgres_is_identical_to_duckdb(database, folder):
    case = load_case(folder)
    on_postgres = run_case(case, database)
    problems = compare(folder / "expected_lines.csv", on_postgres.lines)
    problems += compare(folder / "expected_payouts.csv", on_postgres.payouts)
    assert not problems, "postgres:\n" + "\n".join(problems)
    assert_identical(on_postgres, duckdb_result(folder))


@pytest.mark.parametrize("folder", FAILING, ids=lambda p: p.name)
def test_example_fails_on_postgres_with_the_same_error(database, folder):
    case = load_case(folder)
    with pytest.raises(EngineError, match=case.error):
        run_case(case, database)


# -- DuckDB and PostgreSQL agree on random inputs ----------------------------------------------


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(plan=plan_variants(), deals=random_deals, draws=draw_tables)
def test_duckdb_and_postgres_agree(database, plan, deals, draws):
    duckdb = calculate_random(plan, deals, draws, "duckdb")
    on_postgres = calculate_random(plan, deals, draws, "postgres", database=database)
    assert_identical(on_postgres, duckdb)


@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(case=cash_cases())
def test_duckdb_and_postgres_agree_on_pay_on_cash(database, case):
    plan, deals, payments = case
    duckdb = calculate_cash(plan, deals, payments, "duckdb")
    on_postgres = calculate_cash(plan, deals, payments, "postgres", database=database)
    assert_identical(on_postgres, duckdb)


@pytest.fixture(scope="module")
def connection(database):
    with psycopg.connect(database, autocommit=True) as connection:
        yield connection


@settings(max_examples=25, deadline=None, derandomize=True)
@given(text=texts, amount=values, margin=values, family=families)
def test_conditions_have_the_same_null_logic_on_postgres(connection, text, amount, margin, family):
    # Three-valued logic: NULL amounts and families through and/or/not/in, as in Python.
    node = parse_condition(text, COLUMNS)
    query = for_dialect(condition_query(node, amount, margin, family), "postgres")
    in_sql = connection.execute(query).fetchone()[0]
    in_python = evaluate(node, {"amount": amount, "margin": margin, "product_family": family})
    assert in_sql == in_python


TYPED_PLAN = """
id: p
version: 1
name: Conditions on typed credit columns
valid_from: 2026-01-01
period: quarter
measures:
  picked:
    source: amount
    where: >-
      seats >= 2 and licences > 10 and signed_on >= date("2026-01-05") and strategic
      and weight > 0.5 and family == "X"
components:
  - id: bonus
    name: Bonus
    measure: picked
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {from: 0, rate: 3}
"""


def test_credit_columns_of_every_arrow_type_conditions_accept(database):
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa

    columns = credits_table([{"amount": 1000 * (i + 1), "day": i} for i in range(6)])
    credits = pa.table(
        {
            **{name: pa.array(values, pa.string()) for name, values in columns.items()},
            "seats": pa.array([1, 2, 3, None, 2, 2], pa.int8()),
            "licences": pa.array([20, 2**64 - 1, 11, 20, None, 20], pa.uint64()),
            "signed_on": pa.array([dt.date(2026, 1, d) for d in (9, 9, 9, 9, 9, 1)], pa.date64()),
            "strategic": pa.array([True, True, True, True, True, None], pa.bool_()),
            "weight": pa.array([Decimal("0.501")] * 5 + [None], pa.decimal128(10, 3)),
            "family": pa.array(["X", "X", "X", "X", "Y", "X"], pa.large_string()),
        }
    )
    # Conditions on extra columns are checked against the credits table's, in prepare.
    args = ([Plan.model_validate(yaml.safe_load(TYPED_PLAN))], credits, assignments_for(["R1"]))
    duckdb = calculate(*args, period="2026-Q1")
    on_postgres = calculate(*args, period="2026-Q1", backend="postgres", database=database)
    # Rows 2 and 3 (C0001, C0002) meet every condition: 3% of 2,000 and of 3,000.
    paid = [(r["credit_id"], str(r["amount"])) for r in on_postgres.lines.to_pylist()]
    assert paid == [("C0001", "60.00"), ("C0002", "90.00")]
    assert_identical(on_postgres, duckdb)


# -- string order does not depend on the database's collation ------------------------------------


@pytest.fixture(scope="session")
def icu_database(database):
    """A database of this worker whose default collation is ICU's English one, where
    ``'b' < 'C'`` (in byte order, as in DuckDB, ``'C' < 'b'``); dropped afterwards."""
    name = f"attain_engine_icu_{os.getpid()}"
    try:
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            admin.execute(
                sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en'"
                ).format(sql.Identifier(name))
            )
    except psycopg.Error as error:
        if REQUIRED:
            pytest.fail(f"ATTAIN_REQUIRE_POSTGRES=1 but no ICU database could be made: {error}")
        pytest.skip(f"cannot create a database with an ICU collation: {error}")
    yield make_conninfo(database, dbname=name)
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_running_order_is_byte_order_whatever_the_database_collation(icu_database):
    with psycopg.connect(icu_database) as connection:
        # The database's own order differs from DuckDB's: the test can tell them apart.
        assert connection.execute("SELECT 'b' < 'C'").fetchone() == (True,)
    # Two deals on one day straddle the 50,000 tier boundary: the running total takes them in
    # credit id order, byte order first C then b (C: 20,000 at 5% = 1,000; b: 30,000 at 5% +
    # 10,000 at 10% = 2,500), where English order would pay b 2,000 and C 1,500.
    plan = make_plan(tiers=[(0, 50000, "5"), (50000, None, "10")])
    deals = [
        {"credit_id": "b", "amount": 40000, "day": 3},
        {"credit_id": "C", "amount": 20000, "day": 3},
    ]
    args = ([plan], credits_table(deals), assignments_for(["R1"]))
    duckdb = calculate(*args, period="2026-Q1")
    on_postgres = calculate(*args, period="2026-Q1", backend="postgres", database=icu_database)
    paid = {(r["credit_id"], r["tier"], str(r["amount"])) for r in on_postgres.lines.to_pylist()}
    assert paid == {("C", 1, "1000.00"), ("b", 1, "1500.00"), ("b", 2, "1000.00")}
    assert_identical(on_postgres, duckdb)


def test_strings_come_back_as_they_are(database):
    # The lines come back as CSV: words a CSV reader may take for NULL, commas, quotes and a
    # line break stay the strings they were.
    odd = ["NA", "NULL", 'a,"b"\nc', "nan", " "]
    deals = [
        {"credit_id": text, "deal_id": f"N/A {i}", "amount": 1000, "day": i, "rep": "N/A"}
        for i, text in enumerate(odd)
    ]
    args = ([make_plan()], credits_table(deals), assignments_for(["N/A"]))
    duckdb = calculate(*args, period="2026-Q1")
    on_postgres = calculate(*args, period="2026-Q1", backend="postgres", database=database)
    assert sorted(on_postgres.lines["credit_id"].to_pylist()) == sorted(odd)
    assert set(on_postgres.lines["rep_id"].to_pylist()) == {"N/A"}
    assert_identical(on_postgres, duckdb)


# -- the connection, the CLI, the dialect ------------------------------------------------------


def test_on_the_callers_connection_nothing_is_left_behind(database):
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    with psycopg.connect(database) as connection:
        connection.execute("CREATE TEMPORARY TABLE mine (x INT)")
        result = run_case(case, connection)
        assert result.lines.num_rows > 0
        assert_identical(result, case.run("duckdb"))
        # The calculation's tables went with its rolled-back transaction; the caller's stayed.
        temporary = connection.execute(
            "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'"
        ).fetchall()
        assert temporary == [("mine",)]
        # A failed calculation leaves the connection usable too.
        failing = load_case(FAILING[0])
        with pytest.raises(EngineError):
            run_case(failing, connection)
        assert connection.execute("SELECT count(*) FROM mine").fetchone() == (0,)


def test_tables_of_the_callers_schemas_are_never_read(database):
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    name = f"attain_engine_shadow_{os.getpid()}"
    schema = sql.Identifier(name)
    with psycopg.connect(database) as connection, connection.transaction(force_rollback=True):
        # The caller's search path puts a schema of its own, with a `credits` table, before
        # the temporary tables.
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        connection.execute(sql.SQL("SET LOCAL search_path = {}, pg_temp").format(schema))
        connection.execute("CREATE TABLE credits (credit_id TEXT)")
        connection.execute("INSERT INTO credits VALUES ('not a credit')")
        result = run_case(case, connection)
        assert_identical(result, case.run("duckdb"))
        # The caller's setting is back once the calculation is over.
        setting = connection.execute("SELECT current_setting('search_path')").fetchone()
        assert setting == (f"{name}, pg_temp",)


def test_no_credits_no_lines(database):
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    args = (case.plans, case.credits.slice(0, 0), case.assignments, case.quotas)
    duckdb = calculate(*args, period=case.period, backend="duckdb")
    on_postgres = calculate(*args, period=case.period, backend="postgres", database=database)
    assert on_postgres.lines.num_rows == 0
    assert_identical(on_postgres, duckdb)


def test_cli_backend_postgres_writes_what_duckdb_writes(database, tmp_path, capsys, monkeypatch):
    case = CONFORMANCE / "33_multi_currency_fx"
    plans = plans_folder(tmp_path, case)
    inputs = {}
    for name in ("credits", "assignments", "fx", "quotas"):
        if (case / f"{name}.csv").exists():
            path = tmp_path / f"{name}.parquet"
            pq.write_table(read_table(case / f"{name}.csv"), path)
            inputs[name] = str(path)
    period = load_case(case).period
    outputs = {}
    runs = {
        "duckdb": ["--backend", "duckdb"],
        "url": ["--backend", "postgres", "--database-url", database],
        "environment": ["--backend", "postgres"],  # ATTAIN_ENGINE_DATABASE_URL
    }
    for label, options in runs.items():
        if label == "environment":
            monkeypatch.setenv(URL_VARIABLE, database)
        else:
            monkeypatch.delenv(URL_VARIABLE, raising=False)
        out = tmp_path / label
        arguments = [f"--{name}={path}" for name, path in inputs.items()]
        code = main(
            ["--plans", str(plans), *arguments, "--period", period, *options, "--out", str(out)]
        )
        assert code == 0, capsys.readouterr().err
        outputs[label] = out
    for name in ("earnings", "payouts", "component_payouts"):
        duck = (outputs["duckdb"] / f"{name}.csv").read_bytes()
        for label in ("url", "environment"):
            assert (outputs[label] / f"{name}.csv").read_bytes() == duck, name
            assert pq.read_table(outputs[label] / f"{name}.parquet").equals(
                pq.read_table(outputs["duckdb"] / f"{name}.parquet")
            )
        assert pacsv.read_csv(outputs["url"] / f"{name}.csv").num_rows > 0


def test_without_a_database_the_backend_says_how_to_name_one(monkeypatch):
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    with pytest.raises(EngineError, match=URL_VARIABLE):
        run_case(case, None)


def test_an_unreachable_database_is_a_clear_error():
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    # Port 1 on the loopback interface: nothing listens there.
    with pytest.raises(EngineError, match="cannot connect to PostgreSQL"):
        run_case(case, "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_postgres_sql_has_no_128_bit_integers_nor_quarter_function():
    day = q.col("day")
    query = exp.select(
        q.alias(q.cast(q.col("x"), q.HUGEINT), "y"), q.alias(exp.Quarter(this=day), "z")
    ).from_("base")
    assert for_dialect(query, "postgres") == (
        "SELECT CAST(x AS DECIMAL(38, 0)) AS y, EXTRACT(QUARTER FROM day) AS z FROM base"
    )


def test_input_tables_have_exact_types_and_byte_order_strings():
    import pyarrow as pa

    schema = pa.schema(
        [
            ("id", pa.string()),
            ("amount", pa.decimal128(18, 2)),
            ("day", pa.date32()),
            ("gated", pa.bool_()),
            ("version", pa.int32()),
            ("nothing", pa.null()),
        ]
    )
    assert create_input("t", schema).sql(dialect="postgres") == (
        'CREATE TEMPORARY TABLE t ("id" TEXT COLLATE "C", "amount" DECIMAL(18, 2), '
        '"day" DATE, "gated" BOOLEAN, "version" INT, "nothing" TEXT COLLATE "C")'
    )
