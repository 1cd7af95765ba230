"""`attain import` exit codes and output."""

from __future__ import annotations

from pathlib import Path

import pytest

from attain.cli import main
from attain.imports.models import ImportRun
from attain.sales.models import Deal
from tests.imports.conftest import deals_csv

pytestmark = pytest.mark.django_db(transaction=True)
DATA = Path(__file__).parent / "data"
GOOD = deals_csv("C-1,cli deal,A-000,R-WENDY,,open,new,10,USD,,,2026-01-02,")
BAD = deals_csv(
    "C-1,cli deal,A-000,R-WENDY,,open,new,-10,USD,,,2026-01-02,",
    "C-2,cli deal,A-000,R-WENDY,,open,new,10,USD,,,02/01/2026,",
)


def test_import_ok_exits_0_and_prints_summary(org, write, capsys):
    assert main(["import", "deals", str(write("deals.csv", GOOD))]) == 0
    out = capsys.readouterr().out
    assert "deals from deals.csv: 1 row(s): 1 created, 0 updated, 0 unchanged" in out
    assert Deal.objects.filter(external_id="C-1").exists()
    assert ImportRun.objects.get().source == "cli"


def test_import_errors_exit_1_one_line_each(org, write, capsys):
    assert main(["import", "deals", str(write("deals.csv", BAD))]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "deals.csv row 2, column amount, value '-10': negative amount: must be 0 or more"
    )
    assert err[1] == (
        "deals.csv row 3, column created_date, value '02/01/2026': not a date (expected YYYY-MM-DD)"
    )
    assert "rejected, 2 error(s) in 2 row(s); nothing was written" in err[2]
    assert not Deal.objects.filter(external_id__startswith="C-").exists()


def test_dry_run_lists_changes_and_writes_nothing(org, write, capsys):
    assert main(["import", "deals", str(write("deals.csv", GOOD)), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "row 2: C-1 would be created" in out
    assert "1 would be created" in out and "dry run: nothing was written" in out
    assert not Deal.objects.filter(external_id="C-1").exists()
    assert ImportRun.objects.get().status == "dry_run"


def test_preset_flag(org, capsys):
    path = DATA / "hubspot_deals.csv"
    assert main(["import", "deals", str(path), "--preset", "hubspot"]) == 0
    assert "(preset hubspot): 3 row(s): 3 created" in capsys.readouterr().out


def test_missing_file_and_usage(org, tmp_path, capsys):
    assert main(["import", "deals", str(tmp_path / "nope.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["import"]) == 2


def test_list_entities(db, capsys):
    assert main(["import", "--list"]) == 0
    out = capsys.readouterr().out
    for name in [
        "reps",
        "teams",
        "team_memberships",
        "territories",
        "territory_owners",
        "accounts",
        "products",
        "deals",
        "deal_lines",
        "payments",
        "credits",
        "activities",
    ]:
        assert f"\n{name}  (key:" in "\n" + out
    assert "salesforce" in out and "hubspot" in out
