"""The Spark backend: the same compiled program as DuckDB's, with byte-identical results.

One local SparkSession (``local[2]``, one shuffle partition) serves the whole file. Without
PySpark or Java the tests are skipped, unless ``ATTAIN_REQUIRE_SPARK=1`` (as in CI), where
they fail instead.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from sqlglot import exp

from attain.engine import EngineError, calculate
from attain.engine import sql as q
from attain.engine.backends.spark import SESSION_SQL_CONF, spark_available
from attain.engine.cli import main, read_table
from attain.engine.compiler import for_dialect

from .builders import assignments_for, credits_table
from .helpers import CONFORMANCE, compare, duckdb_result, load_case
from .test_cash import calculate_cash, cash_cases
from .test_conformance import COMPUTED, FAILING
from .test_properties import (
    arrow_bytes,
    calculate_random,
    draw_tables,
    plan_variants,
    random_deals,
)

REQUIRED = os.environ.get("ATTAIN_REQUIRE_SPARK") == "1"
# Under pytest-xdist (`--dist loadgroup`, as dev.py runs it) every Spark test goes to the same
# worker, so the suite starts one JVM, not one per worker.
pytestmark = pytest.mark.xdist_group("spark")


# Test data is tiny, so the JVM spends its time planning and compiling, not computing:
# - one shuffle partition keeps the number of Spark tasks low, and without adaptive execution
#   Spark does not re-plan each of the many small stages (~18% less time per example);
# - expressions are interpreted instead of compiled to Java bytecode (Spark's own test
#   setting; the same results by Spark's contract) and the JVM collects garbage on one
#   thread: the Spark tests took 225 CPU-seconds instead of 280 (2 min 32 s instead of
#   2 min 37 s alone), CPU they share with the rest of the suite on two cores. Production
#   sessions keep Spark's defaults (``LOCAL_CONF``); the benchmark runs with them.
TEST_CONF = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC",
}


@pytest.fixture(scope="session")
def spark():
    problem = spark_available()
    if problem:
        if REQUIRED:
            pytest.fail(f"ATTAIN_REQUIRE_SPARK=1 but Spark cannot run: {problem}")
        pytest.skip(f"Spark backend not tested: {problem}")
    from attain.engine.backends.spark import local_session

    session = local_session(conf=TEST_CONF)
    yield session
    session.stop()


def assert_identical(spark_result, duckdb_result) -> None:
    for name in ("lines", "payouts", "component_payouts"):
        ours, theirs = getattr(spark_result, name), getattr(duckdb_result, name)
        assert ours.schema == theirs.schema, name
        assert arrow_bytes(ours) == arrow_bytes(theirs), name


# -- the conformance suite on Spark ------------------------------------------------------------


def run_on_spark(spark, folder):
    return load_case(folder).run("spark", spark=spark)


@pytest.fixture(scope="session")
def conformance_on_spark(spark):
    """Every worked example, calculated on Spark two at a time (one per core: Spark plans
    one query while it runs another). Each calculation has a session of its own, so this
    also checks that concurrent calculations do not interfere."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {folder: pool.submit(run_on_spark, spark, folder) for folder in COMPUTED}
    return futures


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_worked_example_on_spark_is_identical_to_duckdb(conformance_on_spark, folder):
    on_spark = conformance_on_spark[folder].result()
    problems = compare(folder / "expected_lines.csv", on_spark.lines)
    problems += compare(folder / "expected_payouts.csv", on_spark.payouts)
    assert not problems, "spark:\n" + "\n".join(problems)
    assert_identical(on_spark, duckdb_result(folder))


@pytest.mark.parametrize("folder", FAILING, ids=lambda p: p.name)
def test_example_fails_on_spark_with_the_same_error(spark, folder):
    case = load_case(folder)
    with pytest.raises(EngineError, match=case.error):
        case.run("spark")


# -- DuckDB and Spark agree on random inputs ---------------------------------------------------


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(plan=plan_variants(), deals=random_deals, draws=draw_tables)
def test_duckdb_and_spark_agree(spark, plan, deals, draws):
    duckdb = calculate_random(plan, deals, draws, "duckdb")
    on_spark = calculate_random(plan, deals, draws, "spark", spark=spark)
    assert_identical(on_spark, duckdb)


@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(case=cash_cases())
def test_duckdb_and_spark_agree_on_pay_on_cash(spark, case):
    plan, deals, payments = case
    duckdb = calculate_cash(plan, deals, payments, "duckdb")
    on_spark = calculate_cash(plan, deals, payments, "spark", spark=spark)
    assert_identical(on_spark, duckdb)


def test_no_credits_no_lines_and_the_callers_session_left_as_it_was(spark):
    key = "spark.sql.decimalOperations.allowPrecisionLoss"
    before = spark.conf.get(key)
    spark.conf.set(key, "true")  # the caller's choice; the calculation sets its own
    try:
        case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
        credits = case.credits.slice(0, 0)
        args = (case.plans, credits, case.assignments, case.quotas)
        duckdb = calculate(*args, period=case.period, backend="duckdb")
        on_spark = calculate(*args, period=case.period, backend="spark", spark=spark)
        assert on_spark.lines.num_rows == 0
        assert_identical(on_spark, duckdb)
        # Each calculation runs in a session of its own: the caller's settings and temporary
        # views are untouched.
        assert spark.conf.get(key) == "true"
        assert not [t for t in spark.catalog.listTables() if t.isTemporary]
    finally:
        spark.conf.set(key, before)


# -- the session, the CLI, the dialect -----------------------------------------------------------


def test_cli_backend_spark_reads_parquet_and_writes_what_duckdb_writes(spark, tmp_path, capsys):
    case = CONFORMANCE / "14_clawback_in_period_of_cancellation"
    plans = tmp_path / "plans"
    plans.mkdir()
    for plan in case.glob("plan*.yaml"):
        shutil.copy(plan, plans / plan.name)
    inputs = {}
    for name in ("credits", "assignments"):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(read_table(case / f"{name}.csv"), path)
        inputs[name] = str(path)
    period = load_case(case).period
    outputs = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / backend
        code = main(
            [
                "--plans", str(plans),
                "--credits", inputs["credits"],
                "--assignments", inputs["assignments"],
                "--period", period,
                "--backend", backend,
                "--out", str(out),
            ]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        outputs[backend] = out
    for name in ("earnings", "payouts", "component_payouts"):
        duck = (outputs["duckdb"] / f"{name}.csv").read_bytes()
        assert (outputs["spark"] / f"{name}.csv").read_bytes() == duck, name
        assert pacsv.read_csv(outputs["spark"] / f"{name}.csv").num_rows > 0
        assert pq.read_table(outputs["spark"] / f"{name}.parquet").equals(
            pq.read_table(outputs["duckdb"] / f"{name}.parquet")
        )


def test_spark_sql_has_no_128_bit_integers_nor_parenthesised_atoms():
    # Spark reads ``FROM base WHERE (TRUE)`` as a column alias list: the atom loses its
    # parentheses in the Spark dialect (DuckDB's SQL is unchanged).
    query = (
        exp.select(q.alias(q.cast(q.col("x"), q.HUGEINT), "y")).from_("base").where(q.or_(q.true()))
    )
    spark_sql = for_dialect(query, "spark")
    assert spark_sql == "SELECT CAST(x AS DECIMAL(38, 0)) AS y FROM base WHERE TRUE"
    assert for_dialect(query, "duckdb") == "SELECT CAST(x AS INT128) AS y FROM base WHERE (TRUE)"


def test_session_settings_keep_decimals_exact():
    assert SESSION_SQL_CONF["spark.sql.decimalOperations.allowPrecisionLoss"] == "false"
    assert SESSION_SQL_CONF["spark.sql.ansi.enabled"] == "true"


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="spark"):
        calculate([], credits_table([]), assignments_for([]), period="2026-Q1", backend="x")
