"""Both write paths give the same result, and a failure mid-write leaves nothing behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError

from attain.imports import engine
from attain.imports.models import ImportRun
from attain.imports.report import STORED_ERRORS_CAP
from attain.imports.services import import_file
from attain.people.models import Team
from attain.sales.models import Deal
from attain.territories.models import Territory
from tests.imports.conftest import deals_csv, snapshot

pytestmark = pytest.mark.django_db

TEXT = deals_csv(
    "W-1,new,A-000,R-WENDY,,open,new,10.10,USD,,,2026-01-02,",
    "D-WENDY-1,Wendy won deal,A-003,R-WILL,Closed Won,won,new,12000.00,USD,4800,10,"
    "2026-01-05,2026-02-10",
)


@pytest.mark.parametrize("writer", ["sql", "orm"])
def test_writers_agree(org, write, monkeypatch, writer):
    monkeypatch.setattr(engine, "WRITER", writer)
    before = Deal.objects.get(external_id="D-WENDY-1").updated_at
    report = import_file("deals", write("d.csv", TEXT), file_name="d.csv")
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    created = Deal.objects.get(external_id="W-1")
    assert (created.amount, created.currency, created.margin) == (Decimal("10.10"), "USD", None)
    updated = Deal.objects.get(external_id="D-WENDY-1")
    assert updated.owner == org.reps["will"] and updated.updated_at > before
    again = import_file("deals", write("d.csv", TEXT), file_name="d.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_failure_after_the_first_statement_rolls_everything_back(org, write, monkeypatch):
    before_teams = snapshot(Team)

    def boom(shape, rows):
        raise DatabaseError("disk full")

    monkeypatch.setattr(engine, "_write_after", boom)
    text = "external_id,name,parent\nT-NEW,New,T-SALES\nT-WEST,West renamed,T-SALES\n"
    report = import_file("teams", write("teams.csv", text), file_name="teams.csv")
    assert [str(e) for e in report.errors] == [
        "teams.csv: the database refused the import, nothing was written: disk full"
    ]
    assert snapshot(Team) == before_teams  # the teams upsert itself was rolled back
    assert ImportRun.objects.get(pk=report.run_id).status == "rejected"
    assert not Territory.objects.exists()


def test_stored_errors_are_capped_but_counted(org, write):
    rows = [f"E-{i},,A-000,R-WENDY,,open,new,-1,USD,,,2026-01-02," for i in range(1200)]
    report = import_file("deals", write("d.csv", deals_csv(*rows)), file_name="d.csv")
    assert len(report.errors) == 1200  # the report keeps every error
    run = ImportRun.objects.get(pk=report.run_id)
    assert run.error_count == 1200 and len(run.errors) == STORED_ERRORS_CAP
    assert run.errors[0] == {
        "file": "d.csv",
        "row": 2,
        "column": "amount",
        "value": "-1",
        "reason": "negative amount: must be 0 or more",
    }
