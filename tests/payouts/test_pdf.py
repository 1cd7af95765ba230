"""The statement PDF: readable text (checked with pypdf), totals, explanations, page
numbers, a draft marker, and Latin-1-safe text for the core font."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from attain.payouts import services
from attain.payouts.models import ManualAdjustment
from attain.payouts.pdf import latin1, statement_pdf
from attain.payouts.statements import build_statement
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    set_today(monkeypatch, TODAY)


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_header_totals_and_explanations(client, pay_org):
    run = services.start_run(pay_org.users["admin"], "2026-02")
    run = services.approve_run(pay_org.users["finance"], run)
    pay_org.login(client, "wendy")
    url = reverse("payouts:statement_pdf", args=[pay_org.reps["wendy"].pk, "2026-02"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = _text(data)
    assert "Wendy Example" in text
    assert "2026-02" in text
    assert "USD 1,300.00" in text
    assert "Net pay" in text
    assert "Page 1 of 1" in text
    assert "120.0%" in text
    line = run.lines.get(rep=pay_org.reps["wendy"], tier=1)
    first_words = " ".join(latin1(line.explanation).split()[:4])
    assert first_words in " ".join(text.split())
    assert "DRAFT" not in text
    if os.environ.get("ATTAIN_KEEP_PDF"):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "statement.pdf").write_bytes(data)


def test_long_statement_wraps_and_numbers_its_pages(pay_org):
    for i in range(40):
        ManualAdjustment.objects.create(
            rep=pay_org.reps["wendy"],
            amount=Decimal("1.25"),
            reason=f"Adjustment {i} × €5 → fixes the ≥ rule — a long reason " + "word " * 20,
            created_by=pay_org.users["finance"],
        )
    run = services.start_run(pay_org.users["admin"], "2026-02")
    s = build_statement(pay_org.reps["wendy"], "2026-02", run)
    data = statement_pdf(s)
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages >= 2
    text = _text(data)
    assert f"Page {pages} of {pages}" in text
    assert "DRAFT - NOT APPROVED" in text
    assert "x EUR 5 -> fixes the >= rule - a long reason" in " ".join(text.split())
    assert "USD 1,350.00" in text  # 1,300 + 40 x 1.25
    if os.environ.get("ATTAIN_KEEP_PDF"):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "statement-long.pdf").write_bytes(data)


def test_latin1_replaces_what_the_core_font_cannot_show():
    assert latin1("10% × $5 → €3 ≤ 4 · ok") == "10% x $5 -> EUR 3 <= 4 · ok"
    assert latin1("漢") == "?"
