"""Deals: the main import, its error cases, idempotence, updates and dry runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.imports.models import ImportRun
from attain.imports.services import import_file, import_rows
from attain.sales.models import Deal
from tests.imports.conftest import deals_csv, snapshot

pytestmark = pytest.mark.django_db

GOOD = deals_csv(
    "N-1,Big one,A-000,R-WENDY,Closed Won,won,new,1200.50,USD,400,3,2026-01-02,2026-02-03",
    "N-2,,A-001,R-WILL,Proposal,open,renewal,99,,,,2026-01-05,",
    "D-WENDY-1,Wendy won deal,A-003,R-WENDY,Closed Won,won,new,12000.00,USD,4800,10,"
    "2026-01-05,2026-02-10",
)


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


def test_import_creates_updates_and_reports(org, write):
    before = Deal.objects.count()
    report = import_file("deals", write("deals.csv", GOOD), file_name="deals.csv")
    assert report.ok, messages(report)
    # D-WENDY-1 exists with the same values (factories) -> unchanged
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 2, 0, 1)
    assert Deal.objects.count() == before + 2
    deal = Deal.objects.get(external_id="N-1")
    assert deal.owner == org.reps["wendy"]
    assert deal.account.external_id == "A-000"
    assert deal.amount == Decimal("1200.50")
    assert deal.margin == Decimal("400.00")
    assert deal.units == Decimal("3")
    assert deal.status == "won" and deal.deal_type == "new"
    assert deal.close_date == dt.date(2026, 2, 3)
    blank = Deal.objects.get(external_id="N-2")
    assert blank.margin is None and blank.close_date is None and blank.currency == "USD"
    assert blank.deal_type == "renewal"
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.status, run.created, run.unchanged, run.source) == ("applied", 2, 1, "cli")


def test_reimport_changes_nothing(org, write):
    path = write("deals.csv", GOOD)
    import_file("deals", path, file_name="deals.csv")
    before = snapshot(Deal)
    again = import_file("deals", path, file_name="deals.csv")
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(Deal) == before  # not even updated_at moved


def test_equal_values_in_other_spelling_are_unchanged(org, write):
    # 12000 vs 12000.00, 'WON' vs 'won', no margin column: still the same deal.
    text = deals_csv(
        "D-WENDY-1,Wendy won deal,A-003,R-WENDY,Closed Won,WON,New,12000,USD,4800.0,10.00,"
        "2026-01-05,2026-02-10"
    )
    report = import_file("deals", write("d.csv", text), file_name="d.csv")
    assert report.ok, messages(report)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_update_detection_names_changed_columns(org, write):
    text = deals_csv(
        "D-WENDY-1,Wendy won deal,A-003,R-WILL,Closed Won,won,new,12500.00,USD,4800,10,"
        "2026-01-05,2026-02-10"
    )
    report = import_file("deals", write("d.csv", text), file_name="d.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert report.outcomes[0].changed == ("owner", "amount")
    deal = Deal.objects.get(external_id="D-WENDY-1")
    assert deal.amount == Decimal("12500.00") and deal.owner == org.reps["will"]


def test_absent_optional_columns_are_left_alone(org, write):
    text = deals_csv(
        "D-WENDY-1,A-003,R-WENDY,13000,2026-01-05",
        header="external_id,account,owner,amount,created_date",
    )
    report = import_file("deals", write("d.csv", text), file_name="d.csv")
    assert report.updated == 1
    deal = Deal.objects.get(external_id="D-WENDY-1")
    assert deal.amount == Decimal("13000.00")
    assert deal.margin == Decimal("4800.00") and deal.stage == "Closed Won"


def test_dry_run_classifies_but_writes_nothing(org, write):
    before = snapshot(Deal)
    report = import_file("deals", write("d.csv", GOOD), file_name="d.csv", dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (2, 0, 1)
    assert [(o.key, o.outcome) for o in report.outcomes] == [
        ("N-1", "created"),
        ("N-2", "created"),
        ("D-WENDY-1", "unchanged"),
    ]
    assert snapshot(Deal) == before
    assert ImportRun.objects.get(pk=report.run_id).status == "dry_run"
    assert "would be created" in report.summary()


def assert_rejected(report, before, *fragments):
    assert not report.ok
    text = "\n".join(messages(report))
    for fragment in fragments:
        assert fragment in text, text
    assert snapshot(Deal) == before
    run = ImportRun.objects.get(pk=report.run_id)
    assert run.status == "rejected" and run.error_count == len(report.errors)
    assert (report.created, report.updated) == (0, 0)


def test_every_bad_row_is_reported_and_nothing_written(org, write):
    before = snapshot(Deal)
    text = deals_csv(
        "N-1,ok row,A-000,R-WENDY,,open,new,10,USD,,,2026-01-02,",  # valid, but not written
        "N-2,,A-000,R-WENDY,,open,new,-5,USD,,,2026-01-02,",
        "N-3,,A-000,R-NOBODY,,open,new,5,USD,,,2026-01-02,",
        "N-4,,A-000,R-WENDY,,open,new,5,USD,,,2026-13-01,",
        "N-1,,A-000,R-WENDY,,open,new,5,USD,,,2026-01-02,",
        "N-6,,A-000,R-WENDY,,pending,new,5,USD,,,2026-01-02,",
        "N-7,,A-000,R-WENDY,,open,barter,5,USD,,,2026-01-02,",
        "N-8,,A-000,R-WENDY,,open,new,12.5x,USD,,,2026-01-02,",
        "N-9,,A-404,R-WENDY,,won,new,5,USD,,,2026-01-02,",
    )
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert_rejected(
        report,
        before,
        "deals.csv row 3, column amount, value '-5': negative amount: must be 0 or more",
        "deals.csv row 4, column owner, value 'R-NOBODY': unknown owner: no rep with this "
        "external id in the database",
        "deals.csv row 5, column created_date, value '2026-13-01': not a date "
        "(expected YYYY-MM-DD)",
        "deals.csv row 6, column external_id, value 'N-1': duplicate external_id in the file "
        "(also on row 2)",
        "row 7, column status, value 'pending': unknown status (expected one of open, won, lost)",
        "row 8, column type, value 'barter': unknown type (expected one of new, renewal, "
        "expansion)",
        "row 9, column amount, value '12.5x': not a number",
        "row 10, column close_date: a won deal needs a close date",
    )
    # a row with several problems gets all of them
    assert [e.column for e in report.errors if e.row == 10] == ["close_date", "account"]
    assert len(report.errors) == 9


def test_unknown_account_reported(org, write):
    before = snapshot(Deal)
    text = deals_csv("N-9,,A-404,R-WENDY,,open,new,5,USD,,,2026-01-02,")
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert_rejected(report, before, "row 2, column account, value 'A-404': unknown account")


def test_missing_required_column(org, write):
    before = snapshot(Deal)
    text = "external_id,account,amount,created_date\nN-1,A-000,5,2026-01-01\n"
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert_rejected(report, before, "deals.csv row 1, column owner: missing required column")


def test_missing_required_value(org, write):
    before = snapshot(Deal)
    text = deals_csv("N-1,,A-000,,,open,new,5,USD,,,2026-01-02,")
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert_rejected(report, before, "row 2, column owner: required value is missing")


def test_too_many_decimal_places_is_an_error_not_rounded(org, write):
    before = snapshot(Deal)
    text = deals_csv("N-1,,A-000,R-WENDY,,open,new,10.005,USD,,,2026-01-02,")
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert_rejected(report, before, "value '10.005': too many decimal places (at most 2)")


def test_import_rows_from_json_values(org):
    rows = [
        {
            "external_id": "J-1",
            "account": "A-000",
            "owner": "R-EDDIE",
            "amount": 0.1,
            "created_date": "2026-03-01",
            "units": 3,
            "margin": None,
        },
        {
            "external_id": "J-2",
            "account": "A-000",
            "owner": "R-EDDIE",
            "amount": Decimal("19.99"),
            "created_date": "2026-03-01",
            "status": "won",
            "close_date": "2026-03-09",
        },
    ]
    report = import_rows("deals", rows)
    assert report.ok, messages(report)
    assert report.created == 2
    assert Deal.objects.get(external_id="J-1").amount == Decimal("0.10")
    assert Deal.objects.get(external_id="J-2").amount == Decimal("19.99")
    assert ImportRun.objects.get(pk=report.run_id).source == "api"
    again = import_rows("deals", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_import_rows_errors_count_items_from_one(org):
    report = import_rows(
        "deals",
        [
            {
                "external_id": "J-1",
                "account": "A-000",
                "owner": "R-EDDIE",
                "amount": -1,
                "created_date": "2026-03-01",
            }
        ],
        file_name="POST /api/deals/bulk",
    )
    assert messages(report) == [
        "POST /api/deals/bulk row 1, column amount, value '-1': negative amount: must be 0 or more"
    ]
    assert not Deal.objects.filter(external_id="J-1").exists()


def test_unknown_entity_and_preset_are_errors(org, write):
    report = import_file("widgets", write("w.csv", "a\n1\n"), file_name="w.csv")
    assert "unknown entity 'widgets'" in messages(report)[0]
    report = import_file("reps", write("w.csv", "a\n1\n"), file_name="w.csv", preset="hubspot")
    assert "preset 'hubspot' imports deals, not reps" in messages(report)[0]
