"""The deal_stages entity (CRM stage history) and the stage changes a deals import records."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.imports.services import import_file, import_rows
from attain.sales.models import DealStageChange
from tests.imports.conftest import snapshot

pytestmark = pytest.mark.django_db


def run(write, entity: str, text: str, **kwargs):
    name = f"{entity}.csv"
    return import_file(entity, write(name, text), file_name=name, **kwargs)


def history(external_id: str) -> list[tuple[str, dt.date]]:
    return list(
        DealStageChange.objects.filter(deal__external_id=external_id)
        .order_by("entered_on", "stage")
        .values_list("stage", "entered_on")
    )


def test_deal_stages_import_creates_then_changes_nothing(org, write):
    text = (
        "deal,stage,entered_on\n"
        "D-WENDY-1,Prospecting,2026-01-05\n"
        "D-WENDY-1,Proposal,2026-01-20\n"
        "D-WENDY-1,Closed Won,2026-02-10\n"
    )
    report = run(write, "deal_stages", text)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert history("D-WENDY-1") == [
        ("Prospecting", dt.date(2026, 1, 5)),
        ("Proposal", dt.date(2026, 1, 20)),
        ("Closed Won", dt.date(2026, 2, 10)),
    ]
    again = run(write, "deal_stages", text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_deal_stages_aliases_and_api_rows(org, write):
    text = "Deal ID,Stage,Date\nD-WILL-2,Qualification,2026-03-04\n"
    assert run(write, "deal_stages", text).ok
    report = import_rows(
        "deal_stages", [{"deal": "D-WILL-2", "stage": "Proposal", "entered_on": "2026-03-09"}]
    )
    assert report.ok
    assert history("D-WILL-2") == [
        ("Qualification", dt.date(2026, 3, 4)),
        ("Proposal", dt.date(2026, 3, 9)),
    ]


def test_deal_stages_errors_name_row_column_and_value(org, write):
    before = snapshot(DealStageChange)
    text = (
        "deal,stage,entered_on\n"
        "D-NOPE,Proposal,2026-01-20\n"
        "D-WENDY-1,,2026-01-20\n"
        "D-WENDY-1,Proposal,20/01/2026\n"
        "D-WENDY-1,Proposal,2026-01-21\n"
        "D-WENDY-1,Proposal,2026-01-21\n"
    )
    report = run(write, "deal_stages", text)
    messages = [str(e) for e in report.errors]
    assert len(messages) == 4, messages
    assert messages[0].startswith(
        "deal_stages.csv row 2, column deal, value 'D-NOPE': unknown deal"
    )
    assert messages[1].startswith("deal_stages.csv row 3, column stage")
    assert messages[2].startswith("deal_stages.csv row 4, column entered_on, value '20/01/2026'")
    assert "duplicate deal + stage + entered_on in the file (also on row 5)" in messages[3]
    assert snapshot(DealStageChange) == before  # nothing written


def test_missing_required_column(org, write):
    report = run(write, "deal_stages", "deal,stage\nD-WENDY-1,Proposal\n")
    assert [str(e) for e in report.errors] == [
        "deal_stages.csv row 1, column entered_on: missing required column"
    ]


def test_deals_import_records_a_stage_change(org, write, monkeypatch):
    monkeypatch.setattr("attain.people.selectors.today", lambda: dt.date(2026, 4, 2))
    header = "external_id,account,owner,stage,amount,created_date"
    text = f"{header}\nD-WENDY-2,A-001,R-WENDY,Negotiation,30000.00,2026-03-01\n"
    text += "D-NEW-1,A-001,R-WENDY,Prospecting,1000.00,2026-03-15\n"
    report = run(write, "deals", text)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (1, 1)
    assert history("D-WENDY-2") == [("Negotiation", dt.date(2026, 4, 2))]
    assert history("D-NEW-1") == []  # when it reached its stage is not in the export
    # Unchanged on a re-import; amount-only changes record nothing.
    assert run(write, "deals", text.replace("30000.00", "31000.00")).ok
    assert history("D-WENDY-2") == [("Negotiation", dt.date(2026, 4, 2))]
