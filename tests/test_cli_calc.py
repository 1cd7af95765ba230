import csv
import shutil
from pathlib import Path

from attain.cli import main

EXAMPLE = Path(__file__).parent / "engine" / "conformance" / "01_marginal_tiers_on_attainment"


def test_attain_calc_writes_the_hand_checked_payout(tmp_path, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(EXAMPLE / "plan.yaml", plans / "plan.yaml")
    out = tmp_path / "out"
    code = main(
        [
            "calc",
            "--plans", str(plans),
            "--credits", str(EXAMPLE / "credits.csv"),
            "--assignments", str(EXAMPLE / "assignments.csv"),
            "--quotas", str(EXAMPLE / "quotas.csv"),
            "--period", "2026-Q1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    with open(out / "payouts.csv", newline="") as f:
        (payout,) = list(csv.DictReader(f))
    # 50,000 × 2% + 50,000 × 5% + 20,000 × 8% (see the example's README)
    assert (payout["rep_id"], payout["net_payable"]) == ("R1", "5100.00")


def test_attain_calc_reports_a_bad_period(tmp_path, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(EXAMPLE / "plan.yaml", plans / "plan.yaml")
    code = main(
        [
            "calc",
            "--plans", str(plans),
            "--credits", str(EXAMPLE / "credits.csv"),
            "--assignments", str(EXAMPLE / "assignments.csv"),
            "--period", "2026-Q5",
            "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 1
    assert "2026-Q5" in capsys.readouterr().err
