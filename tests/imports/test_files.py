"""File-level problems (encoding, delimiter, empty) and the formats we read (CSV, XLSX)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from attain.imports.models import ImportRun
from attain.imports.services import import_file
from attain.sales.models import Deal
from tests.imports.conftest import DEAL_HEADER, deals_csv, snapshot

pytestmark = pytest.mark.django_db

ROW = "N-1,Café deal,A-000,R-WENDY,Closed Won,won,new,1200.50,USD,400,3,2026-01-02,2026-02-03"


def only_error(report) -> str:
    assert len(report.errors) == 1, [str(e) for e in report.errors]
    return str(report.errors[0])


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_accepted_delimiter_is_detected(org, write, delimiter):
    text = deals_csv(ROW).replace(",", delimiter)
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert Deal.objects.get(external_id="N-1").name == "Café deal"


def test_semicolon_file_with_decimal_comma_gets_a_hint(org, write):
    text = deals_csv("N-1,,A-000,R-WENDY,,open,new,1234.56,USD,,,2026-01-02,").replace(",", ";")
    text = text.replace("1234.56", "1234,56")
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert only_error(report) == (
        "deals.csv row 2, column amount, value '1234,56': not a number: use '.' as the decimal "
        "point, not ','"
    )


def test_quoted_delimiter_inside_value(org, write):
    text = deals_csv('N-1,"Acme, Inc. renewal",A-000,R-WENDY,,open,new,5,USD,,,2026-01-02,')
    assert import_file("deals", write("d.csv", text), file_name="d.csv").ok
    assert Deal.objects.get(external_id="N-1").name == "Acme, Inc. renewal"


def test_utf8_bom_and_crlf_are_fine(org, write):
    data = "\ufeff".encode() + deals_csv(ROW).replace("\n", "\r\n").encode("utf-8")
    report = import_file("deals", write("deals.csv", data), file_name="deals.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 1


def test_wrong_encoding_names_line_and_byte(org, write):
    before = snapshot(Deal)
    data = deals_csv(ROW).encode("cp1252")  # 'é' is byte 0xE9 in Windows-1252
    report = import_file("deals", write("deals.csv", data), file_name="deals.csv")
    message = only_error(report)
    assert "deals.csv row 2" in message
    assert "wrong encoding: the file is not valid UTF-8 (byte 0xE9 on line 2" in message
    assert "Re-save it as 'CSV UTF-8'" in message
    assert snapshot(Deal) == before
    assert ImportRun.objects.get(pk=report.run_id).status == "rejected"


def test_utf16_is_a_wrong_encoding(org, write):
    data = deals_csv(ROW).encode("utf-16")
    report = import_file("deals", write("deals.csv", data), file_name="deals.csv")
    assert "wrong encoding: the file is UTF-16" in only_error(report)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(org, write, content):
    before = snapshot(Deal)
    report = import_file("deals", write("deals.csv", content), file_name="deals.csv")
    assert only_error(report) == "deals.csv: empty file: there is no header and no data"
    assert snapshot(Deal) == before


def test_header_only(org, write):
    report = import_file("deals", write("deals.csv", DEAL_HEADER + "\n"), file_name="deals.csv")
    assert only_error(report) == "deals.csv: the file has a header but no data rows"
    assert ImportRun.objects.get(pk=report.run_id).status == "rejected"


def test_wrong_delimiter_in_header(org, write):
    before = snapshot(Deal)
    text = deals_csv(ROW).replace(",", ":")
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    first = str(report.errors[0])
    assert first.startswith("deals.csv row 1")
    assert "wrong delimiter" in first and "it looks separated by ':'" in first
    assert snapshot(Deal) == before


def test_header_and_rows_with_different_delimiters(org, write):
    text = DEAL_HEADER + "\n" + ROW.replace(",", ";") + "\n"
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    message = only_error(report)
    assert "wrong delimiter: the header is separated by comma (,)" in message
    assert "the data rows look separated by semicolon (;)" in message
    assert not Deal.objects.filter(external_id="N-1").exists()


def test_row_with_extra_fields(org, write):
    text = deals_csv("N-1,Acme, Inc,A-000,R-WENDY,,open,new,5,USD,,,2026-01-02,2026-02-01", ROW)
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert only_error(report) == (
        "deals.csv row 2: row has 14 fields but the header has 13; "
        "quote values that contain the delimiter"
    )
    assert not Deal.objects.filter(external_id="N-1").exists()


def test_headers_are_matched_loosely_and_extra_columns_ignored(org, write):
    text = (
        "External ID,Account,Owner,Amount,Created Date,Deal Type,Notes\n"
        "N-1,A-000,R-WENDY,5,2026-01-02,renewal,hello\n"
    )
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert report.ignored_columns == ["Notes"]
    assert Deal.objects.get(external_id="N-1").deal_type == "renewal"


def test_duplicate_header_column(org, write):
    text = (
        "external_id,account,owner,amount,created_date,Amount\nN-1,A-000,R-WENDY,5,2026-01-02,6\n"
    )
    report = import_file("deals", write("deals.csv", text), file_name="deals.csv")
    assert only_error(report) == "deals.csv row 1, column Amount: duplicate column (also column 4)"


def xlsx_bytes(rows, sheet_title="Deals", first_sheet_rows=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if first_sheet_rows is not None:
        sheet.title = "Notes"
        for row in first_sheet_rows:
            sheet.append(row)
        sheet = workbook.create_sheet(sheet_title)
    else:
        sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_ROWS = [
    [
        "external_id",
        "account",
        "owner",
        "amount",
        "margin",
        "created_date",
        "close_date",
        "status",
        "units",
    ],
    [
        "X-1",
        "A-000",
        "R-WENDY",
        1234.5,
        0.1,
        dt.datetime(2026, 1, 2),
        dt.date(2026, 2, 3),
        "won",
        7,
    ],
    ["X-2", "A-001", "R-WILL", Decimal("10"), None, "2026-01-05", None, "open", None],
]


def test_xlsx_import_converts_numbers_and_dates(org, write):
    path = write("deals.xlsx", xlsx_bytes(XLSX_ROWS))
    report = import_file("deals", path, file_name="deals.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 2
    deal = Deal.objects.get(external_id="X-1")
    assert deal.amount == Decimal("1234.50") and deal.margin == Decimal("0.10")
    assert deal.created_date == dt.date(2026, 1, 2) and deal.close_date == dt.date(2026, 2, 3)
    assert deal.units == Decimal("7")
    again = import_file("deals", path, file_name="deals.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_xlsx_named_sheet_and_row_numbers(org, write):
    rows = [
        XLSX_ROWS[0],
        [None] * 9,
        ["X-1", "A-000", "R-GHOST", 5, None, "2026-01-02", None, "open", None],
    ]
    data = xlsx_bytes(rows, first_sheet_rows=[["read me first"]])
    path = write("deals.xlsx", data)
    report = import_file("deals", path, file_name="deals.xlsx", sheet="Deals")
    # the blank spreadsheet row 2 still counts: the bad row is row 3 as Excel shows it
    assert only_error(report).startswith("deals.xlsx row 3, column owner, value 'R-GHOST'")
    report = import_file("deals", path, file_name="deals.xlsx", sheet="Nope")
    assert "no sheet named 'Nope'; the workbook has: Notes, Deals" in only_error(report)


def test_xlsx_that_is_not_a_workbook(org, write):
    report = import_file("deals", write("deals.xlsx", b"not a zip"), file_name="deals.xlsx")
    assert "not a readable XLSX workbook" in only_error(report)


def test_empty_xlsx(org, write):
    report = import_file("deals", write("deals.xlsx", xlsx_bytes([])), file_name="deals.xlsx")
    assert "empty file" in only_error(report)


def test_file_object_upload(org):
    handle = io.BytesIO(deals_csv(ROW).encode())
    report = import_file("deals", handle, file_name="upload.csv", source="upload")
    assert report.ok and report.created == 1
    assert ImportRun.objects.get(pk=report.run_id).source == "upload"
