from __future__ import annotations

import shutil
from decimal import Decimal

import pyarrow.parquet as pq

from attain.engine.cli import main

from .helpers import CONFORMANCE, plans_folder, read_csv


def test_calc_reads_csv_and_writes_csv_and_parquet(tmp_path, capsys):
    case = CONFORMANCE / "01_marginal_tiers_on_attainment"
    plans = plans_folder(tmp_path, case)
    out = tmp_path / "out"
    code = main(
        [
            "--plans", str(plans),
            "--credits", str(case / "credits.csv"),
            "--assignments", str(case / "assignments.csv"),
            "--quotas", str(case / "quotas.csv"),
            "--period", "2026-Q1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    assert "5 earning lines, 1 payouts" in capsys.readouterr().out
    payouts = read_csv(out / "payouts.csv")
    assert Decimal(payouts[0]["net_payable"]) == Decimal("5100")
    lines = pq.read_table(out / "earnings.parquet")
    assert lines.num_rows == 5
    written = [Decimal(row["amount"]) for row in read_csv(out / "earnings.csv")]
    assert written == lines["amount"].to_pylist()
    assert not list(out.glob(".*.partial"))


def test_calc_reports_engine_errors_and_writes_nothing(tmp_path, capsys):
    case = CONFORMANCE / "23_error_missing_quota"
    plans = plans_folder(tmp_path, case)
    out = tmp_path / "out"
    code = main(
        [
            "--plans", str(plans),
            "--credits", str(case / "credits.csv"),
            "--assignments", str(case / "assignments.csv"),
            "--quotas", str(case / "quotas.csv"),
            "--period", "2026-Q1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 1
    assert "no quota 'revenue' for rep 'R1' in 2026-Q1" in capsys.readouterr().err
    assert not out.exists()


def test_calc_reads_draws(tmp_path, capsys):
    case = CONFORMANCE / "35_recoverable_draw_recovered"
    plans = plans_folder(tmp_path, case)
    out = tmp_path / "out"
    code = main(
        [
            "--plans", str(plans),
            "--credits", str(case / "credits.csv"),
            "--assignments", str(case / "assignments.csv"),
            "--draws", str(case / "draws.csv"),
            "--period", "2026-Q1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    payouts = read_csv(out / "payouts.csv")
    assert [Decimal(p["draws"]) for p in payouts] == [3000, 0, 0]
    assert [Decimal(p["draw_recoveries"]) for p in payouts] == [0, -1000, -2000]
    assert [Decimal(p["net_payable"]) for p in payouts] == [5000, 5000, 7000]


def test_calc_reads_hierarchy_and_territories(tmp_path, capsys):
    roll_up = CONFORMANCE / "38_manager_roll_up_hierarchy_change"
    territory = CONFORMANCE / "39_territory_credit_owner_change"
    for case, reps in (
        (roll_up, ["M1", "M2", "R1", "R2", "V1"]),
        (territory, ["R1", "R2", "R3", "R4"]),
    ):
        plans = tmp_path / case.name / "plans"
        plans.mkdir(parents=True)
        for plan in case.glob("plan*.yaml"):
            shutil.copy(plan, plans / plan.name)
        out = tmp_path / case.name / "out"
        option = (
            ["--hierarchy", str(case / "hierarchy.csv")]
            if case == roll_up
            else ["--territories", str(case / "territories.csv")]
        )
        code = main(
            [
                "--plans", str(plans),
                "--credits", str(case / "credits.csv"),
                "--assignments", str(case / "assignments.csv"),
                *option,
                "--period", "2026-Q1",
                "--out", str(out),
            ]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        payouts = read_csv(out / "payouts.csv")
        expected = read_csv(case / "expected_payouts.csv")
        assert [p["rep_id"] for p in payouts] == reps
        assert [Decimal(p["net_payable"]) for p in payouts] == [
            Decimal(e["net_payable"]) for e in expected
        ]
