"""Spark from files to files (``backends/spark_files.py``, ``attain calc --distributed``):
the credits read by Spark, the lines explained on the executors and written by Spark, and
the same lines, payouts and component payouts as ``calculate`` on DuckDB."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from attain.engine import EngineError
from attain.engine import files as engine_files
from attain.engine.backends import spark_files
from attain.engine.backends.spark import spark_schema
from attain.engine.backends.spark_files import calculate_files_on_spark, read_earnings
from attain.engine.cli import main
from attain.engine.files import credit_parts
from attain.engine.inputs import normalise_credits
from attain.engine.results import COMPONENT_PAYOUT_SCHEMA, LINE_SCHEMA, PAYOUT_SCHEMA

from .helpers import CONFORMANCE, duckdb_result, load_case, plans_folder
from .test_conformance import COMPUTED
from .test_files import credit, small_case, write_credits
from .test_spark_backend import spark  # noqa: F401 (the session fixture)

pytestmark = pytest.mark.xdist_group("spark")

SUMS = {"payouts": PAYOUT_SCHEMA, "component_payouts": COMPONENT_PAYOUT_SCHEMA}
# The compiled program is checked on Spark on every worked example (test_spark_backend.py);
# here what differs is around it (credits read by Spark, explanations on the executors,
# Spark's sort and writer, the sums), so one example of each kind of line and input is
# enough: a Spark run from files costs two to eight seconds here (the larger programs, such
# as plan floors or territory roll-ups, take longest to plan).
EXAMPLES = [
    CONFORMANCE / name
    for name in (
        "03_cumulative_split_straddling_deal",
        "06_interpolated_payout_curve",
        "14_clawback_in_period_of_cancellation",
        "24_monthly_plan_splits_and_overlay",
        "30_floor_top_up",
        "33_multi_currency_fx",
        "35_recoverable_draw_recovered",
        "48_ytd_retroactive_true_up",
        "51_pay_on_collection_in_instalments",
    )
]


def run_on_spark(spark, case, out, credits=None, **extra):  # noqa: F811
    return calculate_files_on_spark(
        case.plans,
        credits or case.folder / "credits.csv",
        case.assignments,
        case.quotas,
        out=out,
        spark=spark,
        **case.options(),
        **extra,
    )


@pytest.fixture(scope="module")
def conformance_files_on_spark(spark, tmp_path_factory):  # noqa: F811
    """The examples from files to files on Spark, one after another (two at a time took
    four times as long here: the runs wait on each other's Spark jobs)."""
    root = tmp_path_factory.mktemp("spark-files")

    def run(folder):
        out = root / folder.name / "out"
        written = run_on_spark(spark, load_case(folder), out)
        return out, written

    return {folder: run(folder) for folder in EXAMPLES}


def test_the_examples_are_worked_examples():
    assert set(EXAMPLES) <= set(COMPUTED)


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_worked_example_from_files_on_spark_is_what_duckdb_calculates(
    conformance_files_on_spark, folder
):
    out, written = conformance_files_on_spark[folder]
    expected = duckdb_result(folder)
    lines = read_earnings(out)
    assert lines.schema.equals(LINE_SCHEMA)
    assert lines.equals(expected.lines)
    assert written.rows["earnings"] == expected.lines.num_rows
    for name, schema in SUMS.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.schema.equals(schema), name
        assert table.equals(getattr(expected, name)), name
        assert written.rows[name] == table.num_rows
    assert sorted(p.name for p in out.iterdir()) == [
        "component_payouts.parquet",
        "earnings.parquet",
        "payouts.parquet",
    ]
    assert [p.name for p in out.parent.iterdir()] == ["out"], "scratch space left behind"


def test_explanations_are_made_on_the_executors_in_batches(spark, tmp_path, monkeypatch):  # noqa: F811
    """The lines reach ``explain_batches`` in Arrow batches (here of two lines, so a plan's
    lines are explained in several); the sentences are those of ``calculate``."""
    monkeypatch.setattr(
        spark_files, "_BATCHES", {"spark.sql.execution.arrow.maxRecordsPerBatch": "2"}
    )
    case = load_case(CONFORMANCE / "03_cumulative_split_straddling_deal")
    run_on_spark(spark, case, tmp_path / "out")
    expected = case.run("duckdb").lines
    assert expected.num_rows > 2
    assert read_earnings(tmp_path / "out").equals(expected)


def test_parquet_credits_with_canonical_types_are_read_by_spark_as_they_are(spark, tmp_path):  # noqa: F811
    """A Parquet credits file already typed is not copied: Spark reads it, with the defaults
    of the optional columns left out filled as the check fills them."""
    case = load_case(CONFORMANCE / "24_monthly_plan_splits_and_overlay")
    credits = tmp_path / "credits.parquet"
    pq.write_table(case.credits.drop_columns(["role"]), credits)
    run_on_spark(spark, case, tmp_path / "out", credits=credits)
    without_role = case.credits.drop_columns(["role"])
    expected = load_case(case.folder)
    expected.credits = without_role
    assert read_earnings(tmp_path / "out").equals(expected.run("duckdb").lines)


def test_a_folder_of_parquet_credits_is_read_by_spark(spark, tmp_path):  # noqa: F811
    """Credits as a dataset folder (here Spark's own output): Spark reads every part."""
    case = load_case(CONFORMANCE / "14_clawback_in_period_of_cancellation")
    typed = normalise_credits(case.credits)
    folder = tmp_path / "credits"
    spark.createDataFrame(typed.to_pylist(), spark_schema(typed.schema)).repartition(
        3
    ).write.parquet(str(folder))
    assert len(credit_parts(folder)) >= 2
    run_on_spark(spark, case, tmp_path / "out", credits=folder)
    assert read_earnings(tmp_path / "out").equals(case.run("duckdb").lines)


def test_an_error_leaves_no_output_and_a_previous_run_in_place(spark, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    good = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    run_on_spark(spark, good, out)
    before = read_earnings(out)
    failing = load_case(CONFORMANCE / "26_error_unassigned_credit")
    with pytest.raises(EngineError, match=failing.error):
        run_on_spark(spark, failing, out)
    assert read_earnings(out).equals(before)
    assert sorted(p.name for p in out.iterdir()) == [
        "component_payouts.parquet",
        "earnings.parquet",
        "payouts.parquet",
    ]
    with pytest.raises(EngineError, match=failing.error):
        run_on_spark(spark, failing, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_bad_or_repeated_credits_are_refused_as_on_duckdb(spark, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(engine_files, "BATCH_ROWS", 2)
    source = tmp_path / "credits.csv"
    write_credits(source, [credit(1), credit(2), credit(3), credit(1, deal_id="D9")])
    with pytest.raises(EngineError, match="credits: credit_id 'C1' appears twice"):
        run_on_spark(spark, small_case(), tmp_path / "out", credits=source)
    write_credits(source, [credit(1), credit(2), credit(3), credit(4, amount="12.345")])
    with pytest.raises(EngineError, match=r"credits, row 4, column 'amount': .*decimal places"):
        run_on_spark(spark, small_case(), tmp_path / "out", credits=source)
    assert list(tmp_path.iterdir()) == [source], "output or scratch space left behind"


def test_no_plan_in_force_writes_empty_outputs(spark, tmp_path):  # noqa: F811
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    case.assignments = case.assignments.slice(0, 0)
    case.credits = case.credits.slice(0, 0)
    credits = tmp_path / "credits.parquet"
    pq.write_table(case.credits, credits)
    written = run_on_spark(spark, case, tmp_path / "out", credits=credits)
    assert written.rows == {"earnings": 0, "payouts": 0, "component_payouts": 0}
    assert read_earnings(tmp_path / "out").equals(LINE_SCHEMA.empty_table())


def test_cli_spark_goes_from_files_to_files_and_writes_duckdbs_csv(spark, tmp_path, capsys):  # noqa: F811
    """``attain calc --backend spark`` reads and writes the files through Spark; its CSV
    files are DuckDB's, byte for byte (streamed from the dataset by this process)."""
    case = load_case(CONFORMANCE / "14_clawback_in_period_of_cancellation")
    plans = plans_folder(tmp_path, case.folder)
    credits = tmp_path / "credits.parquet"
    assignments = tmp_path / "assignments.parquet"
    pq.write_table(case.credits, credits)
    pq.write_table(case.assignments, assignments)
    args = [
        "--plans", str(plans), "--credits", str(credits), "--assignments", str(assignments),
        "--period", case.period,
    ]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "duckdb")]) == 0, capsys.readouterr().err
    assert main([*args, "--backend", "spark", "--out", str(tmp_path / "out")]) == 0
    assert "earning lines" in capsys.readouterr().out
    assert read_earnings(tmp_path / "out").equals(case.run("duckdb").lines)
    for name in ("earnings", "payouts", "component_payouts"):
        spark_csv = (tmp_path / "out" / f"{name}.csv").read_bytes()
        assert spark_csv == (tmp_path / "duckdb" / f"{name}.csv").read_bytes(), name
    # CSV only: the dataset is written to the scratch space and leaves with it.
    only_csv = tmp_path / "csv"
    assert main([*args, "--backend", "spark", "--distributed", "--formats", "csv",
                 "--out", str(only_csv)]) == 0  # fmt: skip
    assert sorted(p.name for p in only_csv.iterdir()) == [
        "component_payouts.csv", "earnings.csv", "payouts.csv",
    ]  # fmt: skip
    assert (only_csv / "earnings.csv").read_bytes() == (
        tmp_path / "duckdb/earnings.csv"
    ).read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # --collect: the lines come back through this process, the earnings one Parquet file.
    collected = tmp_path / "collected"
    assert main([*args, "--backend", "spark", "--collect", "--out", str(collected)]) == 0
    for name in ("earnings", "payouts", "component_payouts"):
        assert (collected / f"{name}.csv").read_bytes() == (
            tmp_path / "duckdb" / f"{name}.csv"
        ).read_bytes()
    assert (collected / "earnings.parquet").is_file()
    for extra, message in (
        (["--distributed"], "--distributed needs --backend spark"),
        (["--collect"], "--collect needs --backend spark"),
        (["--backend", "spark", "--distributed", "--collect"], "exclude each other"),
    ):
        assert main([*args, *extra, "--out", str(tmp_path / "bad")]) == 1
        assert message in capsys.readouterr().err
        assert not (tmp_path / "bad").exists()


def test_read_earnings_names_a_missing_dataset(tmp_path):
    with pytest.raises(EngineError, match="no earnings dataset"):
        read_earnings(tmp_path)
    (tmp_path / "earnings.parquet").mkdir()
    assert read_earnings(tmp_path).equals(pa.schema(LINE_SCHEMA).empty_table())
