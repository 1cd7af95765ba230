"""Salesforce and HubSpot exports mapped into deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from attain.imports.services import import_file
from attain.people.models import Rep
from attain.sales.models import Deal
from tests.imports.conftest import snapshot

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def test_salesforce_sample(org):
    path = DATA / "salesforce_opportunities.csv"
    report = import_file("deals", path, file_name=path.name, preset="salesforce")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    assert set(report.ignored_columns) == {"Probability (%)", "Lead Source"}
    won = Deal.objects.get(external_id="0065g00000AbCdEAAV")
    assert won.owner == org.reps["wendy"]  # by name
    assert won.account == org.accounts["wendy"]  # by account name
    assert (won.status, won.deal_type, won.amount) == ("won", "new", Decimal("48000.00"))
    assert won.close_date == dt.date(2026, 3, 31) and won.created_date == dt.date(2026, 1, 15)
    assert won.name == "Wendy Customer - Platform" and won.stage == "Closed Won"
    upgrade = Deal.objects.get(external_id="0065g00000AbCdFAAV")
    assert upgrade.owner == org.reps["will"]  # by email
    assert (upgrade.status, upgrade.deal_type, upgrade.amount) == (
        "open",
        "expansion",
        Decimal("12500.50"),
    )
    lost = Deal.objects.get(external_id="0065g00000AbCdGAAV")
    assert (lost.status, lost.deal_type) == ("lost", "renewal")
    assert lost.created_date == dt.date(2026, 1, 20)
    again = import_file("deals", path, file_name=path.name, preset="salesforce")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_salesforce_stage_decides_status_without_won_closed_columns(org, write):
    text = (
        "Opportunity ID,Opportunity Owner,Account ID,Stage,Amount,Close Date,Created Date\n"
        "S-1,Eddie Example,A-005,Closed Won,100,12/1/2026,11/1/2026\n"
        "S-2,Eddie Example,A-005,Closed Lost,100,12/1/2026,11/1/2026\n"
        "S-3,Eddie Example,A-005,Prospecting,100,,11/1/2026\n"
    )
    report = import_file("deals", write("sf.csv", text), file_name="sf.csv", preset="salesforce")
    assert report.ok, [str(e) for e in report.errors]
    status = dict(
        Deal.objects.filter(external_id__startswith="S-").values_list("external_id", "status")
    )
    assert status == {"S-1": "won", "S-2": "lost", "S-3": "open"}
    assert Deal.objects.get(external_id="S-1").account == org.accounts["eddie"]  # by id


def test_salesforce_errors_use_export_column_names(org, write):
    before = snapshot(Deal)
    text = (
        "Opportunity ID,Opportunity Owner,Account Name,Stage,Type,Amount,Close Date,Created Date\n"
        "S-1,Nobody Known,Eddie Customer Inc,Closed Won,New Business,100,12/1/2026,11/1/2026\n"
        "S-2,Eddie Example,Eddie Customer Inc,Closed Won,Barter,100,13/45/2026,11/1/2026\n"
        "S-3,Eddie Example,Unknown Corp,Closed Won,Renewal,-3,12/1/2026,11/1/2026\n"
    )
    report = import_file("deals", write("sf.csv", text), file_name="sf.csv", preset="salesforce")
    messages = [str(e) for e in report.errors]
    assert messages == [
        "sf.csv row 2, column Opportunity Owner, value 'Nobody Known': unknown owner: no rep "
        "with this external id, email or name in the database",
        "sf.csv row 3, column Close Date, value '13/45/2026': not a date (expected M/D/YYYY "
        "or YYYY-MM-DD)",
        "sf.csv row 3, column Type, value 'Barter': unknown type (expected New Business, "
        "Existing Customer - Upgrade/Replacement/Downgrade or Renewal)",
        "sf.csv row 4, column Amount, value '-3': negative amount: must be 0 or more",
        "sf.csv row 4, column Account Name, value 'Unknown Corp': unknown account: no account "
        "with this external id or name in the database",
    ]
    assert snapshot(Deal) == before


def test_ambiguous_owner_name_is_an_error(org, write):
    Rep.objects.create(external_id="R-WENDY-2", name="Wendy Example")
    text = (
        "Opportunity ID,Opportunity Owner,Account ID,Amount,Created Date\n"
        "S-1,Wendy Example,A-005,100,11/1/2026\n"
        "S-2,wendy@example.com,A-005,100,11/1/2026\n"
    )
    report = import_file("deals", write("sf.csv", text), file_name="sf.csv", preset="salesforce")
    assert [str(e) for e in report.errors] == [
        "sf.csv row 2, column Opportunity Owner, value 'Wendy Example': ambiguous: 2 records "
        "have this name"
    ]


def test_preset_missing_column(org, write):
    text = "Opportunity ID,Account ID,Amount,Created Date\nS-1,A-005,100,11/1/2026\n"
    report = import_file("deals", write("sf.csv", text), file_name="sf.csv", preset="salesforce")
    assert str(report.errors[0]).startswith(
        "sf.csv row 1, column owner: missing required column: the salesforce preset needs "
        "'Opportunity Owner Email'"
    )


def test_hubspot_sample(org):
    path = DATA / "hubspot_deals.csv"
    report = import_file("deals", path, file_name=path.name, preset="hubspot")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3 and report.ignored_columns == ["Pipeline"]
    won = Deal.objects.get(external_id="9876543210")
    assert (won.status, won.deal_type, won.amount, won.owner, won.account) == (
        "won",
        "new",
        Decimal("15000.00"),
        org.reps["wendy"],
        org.accounts["wendy"],
    )
    assert won.close_date == dt.date(2026, 3, 15) and won.created_date == dt.date(2026, 1, 3)
    assert won.stage == "closedwon" and won.name == "Wendy Customer – new seats"
    expansion = Deal.objects.get(external_id="9876543211")
    assert (expansion.status, expansion.deal_type, expansion.amount, expansion.owner) == (
        "open",
        "expansion",
        Decimal("7200.50"),
        org.reps["will"],
    )
    lost = Deal.objects.get(external_id="9876543212")
    assert (lost.status, lost.deal_type) == ("lost", "renewal")
    again = import_file("deals", path, file_name=path.name, preset="hubspot", dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_hubspot_unknown_owner_and_missing_close_date(org, write):
    text = (
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Deal owner,Associated Company\n"
        "1,x,closedwon,5,2026-01-01,Ghost Rep,Will Customer Inc\n"
        "2,y,appointmentscheduled,5,2026-01-01,Will Example,Will Customer Inc\n"
    )
    report = import_file("deals", write("hs.csv", text), file_name="hs.csv", preset="hubspot")
    assert [str(e) for e in report.errors] == [
        "hs.csv row 2, column close_date: a won deal needs a close date",
        "hs.csv row 2, column Deal owner, value 'Ghost Rep': unknown owner: no rep with this "
        "external id, email or name in the database",
    ]
    assert not Deal.objects.filter(external_id__in=["1", "2"]).exists()


def test_salesforce_xlsx_export_with_real_dates_and_numbers(org, write):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Opportunity ID",
            "Opportunity Owner",
            "Account ID",
            "Stage",
            "Amount",
            "Close Date",
            "Created Date",
        ]
    )
    sheet.append(
        [
            "X-1",
            "eddie@example.com",
            "A-005",
            "Closed Won",
            1234.5,
            dt.datetime(2026, 5, 31),
            dt.datetime(2026, 4, 1),
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = write("report.xlsx", buffer.getvalue())
    report = import_file("deals", path, file_name="report.xlsx", preset="salesforce")
    assert report.ok, [str(e) for e in report.errors]
    deal = Deal.objects.get(external_id="X-1")
    assert (deal.amount, deal.close_date, deal.status) == (
        Decimal("1234.50"),
        dt.date(2026, 5, 31),
        "won",
    )
