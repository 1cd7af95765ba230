"""The upload page: admins only; shows counts, errors and recent runs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attain.imports.models import ImportRun
from attain.sales.models import Deal
from tests.imports.conftest import deals_csv, snapshot

pytestmark = pytest.mark.django_db
URL = "/imports/"


def test_url_name():
    assert reverse("imports:upload") == URL


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["finance", "vera", "walt", "erin", "wendy", "will", "eddie"])
def test_non_admins_get_403(client, org, username):
    org.login(client, username)
    assert client.get(URL).status_code == 403
    upload = SimpleUploadedFile(
        "d.csv", deals_csv("U-1,,A-000,R-WENDY,,open,new,10,USD,,,2026-01-02,").encode()
    )
    response = client.post(URL, {"entity": "deals", "file": upload})
    assert response.status_code == 403
    assert not Deal.objects.filter(external_id="U-1").exists()
    assert not ImportRun.objects.exists()


def post(client, text: str, **fields):
    data = {"entity": "deals", "preset": "", "file": SimpleUploadedFile("deals.csv", text.encode())}
    data.update(fields)
    return client.post(URL, data)


def test_admin_sees_form_and_empty_history(client, org):
    org.login(client, "admin")
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="entity"' in html and 'name="preset"' in html and 'type="file"' in html
    assert 'name="dry_run"' in html
    assert "No imports yet" in html


def test_admin_import_applies_and_lists_run(client, org):
    org.login(client, "admin")
    response = post(client, deals_csv("U-1,,A-000,R-WENDY,,open,new,10,USD,,,2026-01-02,"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 row(s): 1 created, 0 updated, 0 unchanged" in html
    assert Deal.objects.filter(external_id="U-1").exists()
    run = ImportRun.objects.get()
    assert (run.source, run.user, run.status) == ("upload", org.users["admin"], "applied")
    assert "Upload page" in html  # the recent runs table


def test_admin_dry_run(client, org):
    org.login(client, "admin")
    response = post(
        client, deals_csv("U-1,,A-000,R-WENDY,,open,new,10,USD,,,2026-01-02,"), dry_run="on"
    )
    html = response.content.decode()
    assert "1 would be created" in html and "U-1" in html
    assert not Deal.objects.filter(external_id="U-1").exists()


def test_admin_sees_errors_table(client, org):
    before = snapshot(Deal)
    org.login(client, "admin")
    response = post(client, deals_csv("U-1,,A-000,R-NOBODY,,open,new,-1,USD,,,2026-01-02,"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "rejected, 2 error(s)" in html
    assert "<td>deals.csv</td><td>2</td><td>amount</td><td><code>-1</code></td>" in html
    assert "negative amount: must be 0 or more" in html
    assert "unknown owner: no rep with this external id in the database" in html
    assert snapshot(Deal) == before
    assert ImportRun.objects.get().status == "rejected"


def test_preset_for_wrong_entity_is_a_form_error(client, org):
    org.login(client, "admin")
    response = post(client, "external_id,name\nR-1,x\n", entity="reps", preset="salesforce")
    assert "the salesforce preset imports deals" in response.content.decode()
    assert not ImportRun.objects.exists()
