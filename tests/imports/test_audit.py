"""Imports of what pay is calculated from (deals, deal lines, credits) are audited."""

from __future__ import annotations

import pytest

from attain.audit.models import AuditEntry
from attain.imports.services import import_file

pytestmark = pytest.mark.django_db


def test_credit_and_deal_imports_leave_an_audit_entry(org, tmp_path):
    path = tmp_path / "credits.csv"
    path.write_text("deal,rep,role,share\nD-WENDY-1,R-WILL,split,0.25\n")
    report = import_file("credits", path, user=org.users["admin"])
    assert not report.errors
    entry = AuditEntry.objects.get(action="import.credits")
    assert entry.actor == org.users["admin"]
    assert entry.after["created"] == 1 and entry.after["file"] == "credits.csv"
