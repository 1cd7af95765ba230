"""An admin imports deals through the upload page (built in attain.imports) and sees the
result; the data-health home page then shows the run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]

HEADER = "external_id,name,account,owner,status,type,amount,currency,created_date,close_date\n"
GOOD = HEADER + (
    "D-UP-1,Uploaded renewal,A-003,R-WENDY,won,renewal,15000.00,USD,2026-01-10,2026-02-12\n"
    "D-UP-2,Uploaded expansion,A-004,R-WILL,open,expansion,8000.50,USD,2026-02-01,\n"
)
BAD = HEADER + (
    "D-UP-3,Fine row,A-003,R-WENDY,open,new,100.00,USD,2026-02-01,\n"
    "D-UP-4,Negative,A-003,R-WENDY,open,new,-5.00,USD,2026-02-01,\n"
    "D-UP-5,Nobody owns it,A-003,R-NOBODY,open,new,10.00,USD,2026-02-01,\n"
)


def upload(page, name: str, content: str) -> None:
    page.locator("nav.mainnav").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import data")
    page.select_option("select[name=entity]", "deals")
    page.uncheck("input[name=dry_run]")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}],
    )
    page.locator("form.import-form button[type=submit]").click()
    expect(page.locator("#import-result")).to_be_visible()


def test_admin_uploads_deals_and_sees_created_count(page, e2e_org):
    from attain.sales.models import Deal

    log_in(page, "admin")
    upload(page, "deals.csv", GOOD)
    result = page.locator("#import-result table").first
    expect(result.locator("thead th").nth(1)).to_have_text("created")
    expect(result.locator("tbody td").nth(0)).to_have_text("2")  # rows
    expect(result.locator("tbody td").nth(1)).to_have_text("2")  # created
    screenshot(page, "import-ok")
    assert Deal.objects.get(external_id="D-UP-1").owner == e2e_org.reps["wendy"]
    page.locator("nav.mainnav").get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("last-import")).to_contain_text("deals.csv")
    expect(page.get_by_test_id("last-import")).to_contain_text("2 created")


def test_admin_upload_with_bad_rows_shows_the_error_table(page, e2e_org):
    from attain.sales.models import Deal

    before = Deal.objects.count()
    log_in(page, "admin")
    upload(page, "bad-deals.csv", BAD)
    errors = page.locator("#import-result table.errors")
    expect(errors).to_be_visible()
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("amount")
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("-5.00")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text("R-NOBODY")
    screenshot(page, "import-errors")
    assert Deal.objects.count() == before  # atomic: the good row was not written either
    page.locator("nav.mainnav").get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("R-NOBODY")
    screenshot(page, "home-admin-after-failed-import")
