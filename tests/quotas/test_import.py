"""Importing quotas and plan assignments from CSV: a good file, a bad file (every error
names file, row, column and reason), an idempotent re-import, source and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.audit.models import AuditEntry
from attain.imports.services import import_file
from attain.plans.models import PlanAssignment
from attain.quotas.models import Quota

pytestmark = pytest.mark.django_db

GOOD = """rep,quota,period,amount,currency
R-WILL,revenue,2026-Q1,90000.00,USD
R-WILL,revenue,2026-Q2,95000,USD
R-WENDY,revenue,2026,400000.50,
R-EDDIE,margin,2026-03,1000,EUR
"""

BAD = """rep,quota,period,amount,currency
R-WILL,revenue,2026-Q5,90000.00,USD
R-NOBODY,revenue,2026-Q1,1,USD
R-WILL,revenue,2026-q2,-5,usd
R-WILL,,2026-Q3,1.234,USD
R-EDDIE,revenue,2026-Q1,2,USD
R-EDDIE,revenue,2026-Q1,3,USD
"""


@pytest.fixture
def csv(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_a_good_file_imports_then_reimports_unchanged(org, csv):
    admin = org.users["admin"]
    report = import_file("quotas", csv("quotas.csv", GOOD), user=admin)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    wendy = Quota.objects.get(rep=org.reps["wendy"])
    assert (wendy.period, wendy.amount, wendy.currency, wendy.source) == (
        "2026",
        Decimal("400000.50"),
        "USD",
        "imported",
    )
    entries = AuditEntry.objects.filter(action="import.quotas")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_type == "imports.ImportRun" and entry.object_id == str(report.run_id)
    assert entry.after["created"] == 4 and entry.actor == admin

    again = import_file("quotas", csv("quotas.csv", GOOD), user=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert Quota.objects.count() == 4
    assert AuditEntry.objects.filter(action="import.quotas").count() == 1  # nothing changed


def test_an_import_updates_an_entered_quota_and_marks_it_imported(org, csv):
    Quota.objects.create(
        rep=org.reps["will"], quota="revenue", period="2026-Q1", amount=Decimal("1.00")
    )
    report = import_file("quotas", csv("quotas.csv", GOOD), user=org.users["admin"])
    assert (report.created, report.updated) == (3, 1)
    will_q1 = Quota.objects.get(rep=org.reps["will"], period="2026-Q1")
    assert (will_q1.amount, will_q1.source) == (Decimal("90000.00"), "imported")


def test_a_bad_file_names_every_problem_and_writes_nothing(org, csv):
    report = import_file("quotas", csv("bad.csv", BAD), user=org.users["admin"])
    assert not report.ok
    found = {(e.file, e.row, e.column) for e in report.errors}
    assert found == {
        ("bad.csv", 2, "period"),
        ("bad.csv", 3, "rep"),
        ("bad.csv", 4, "amount"),
        ("bad.csv", 5, "quota"),
        ("bad.csv", 5, "amount"),
        ("bad.csv", 7, "rep + quota + period"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "no rep with this external id" in reasons[(3, "rep")]
    assert "negative amount" in reasons[(4, "amount")]
    assert "too many decimal places" in reasons[(5, "amount")]
    assert "duplicate" in reasons[(7, "rep + quota + period")]
    assert not Quota.objects.exists()
    assert not AuditEntry.objects.exists()
    # Once the amount is fine, the period spelling and currency are checked too.
    fixed = BAD.splitlines()[0] + "\nR-WILL,revenue,2026-q2,5,usd\n"
    report = import_file("quotas", csv("bad2.csv", fixed))
    reasons = {e.column: e.reason for e in report.errors}
    assert reasons["period"] == "write it as 2026-Q2"
    assert "three capital letters" in reasons["currency"]


ASSIGNMENTS = (
    "rep,plan_id,valid_from,valid_to,target_incentive,currency,draw_per_period,draw_recoverable\n"
    """R-WILL,ae-2026,2026-01-01,,15000.00,USD,2000,yes
R-WENDY,ae-2026,2026-01-01,2026-07-01,15000.00,USD,,
"""
)


@pytest.fixture
def ae_plan(db):
    from attain.plans.models import PlanDocument

    return PlanDocument.objects.create(
        plan_id="ae-2026", version=1, name="AE 2026", valid_from=dt.date(2026, 1, 1)
    )


def test_plan_assignments_import_update_and_reimport(org, csv, ae_plan):
    admin = org.users["admin"]
    report = import_file("plan_assignments", csv("a.csv", ASSIGNMENTS), user=admin)
    assert report.ok, report.errors
    assert report.created == 2
    wendy = PlanAssignment.objects.get(rep=org.reps["wendy"])
    assert (wendy.valid_to, wendy.draw_per_period, wendy.draw_recoverable) == (
        dt.date(2026, 7, 1),
        Decimal("0.00"),
        True,
    )
    again = import_file("plan_assignments", csv("a.csv", ASSIGNMENTS), user=admin)
    assert again.unchanged == 2
    # No unique constraint on the natural key: a changed row is updated by primary key.
    changed = ASSIGNMENTS.replace("2000,yes", "2500,no")
    report = import_file("plan_assignments", csv("a.csv", changed), user=admin)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    will = PlanAssignment.objects.get(rep=org.reps["will"])
    assert (will.draw_per_period, will.draw_recoverable) == (Decimal("2500.00"), False)
    assert PlanAssignment.objects.count() == 2
    assert AuditEntry.objects.filter(action="import.plan_assignments").count() == 2


def test_plan_assignment_needs_a_known_plan_and_no_overlap(org, csv, ae_plan):
    unknown = ASSIGNMENTS.replace("R-WENDY,ae-2026", "R-WENDY,nope-2026")
    report = import_file("plan_assignments", csv("a.csv", unknown))
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "plan_id", "nope-2026")]
    assert "no plan with this id" in report.errors[0].reason
    overlapping = ASSIGNMENTS + "R-WILL,ae-2026,2026-06-01,,1.00,USD,,\n"
    report = import_file("plan_assignments", csv("b.csv", overlapping))
    (error,) = report.errors
    assert (error.row, error.column) == (4, "valid_from")
    assert "overlaps R-WILL's assignment to ae-2026 from 2026-01-01 (open-ended)" in error.reason
    assert not PlanAssignment.objects.exists()


def test_plan_assignment_errors(org, csv, ae_plan):
    bad = ASSIGNMENTS.replace("2026-07-01", "2025-12-01").replace(",yes", ",maybe")
    report = import_file("plan_assignments", csv("a.csv", bad))
    found = {(e.row, e.column): e.reason for e in report.errors}
    assert "must be after valid_from" in found[(3, "valid_to")]
    assert "not true or false" in found[(2, "draw_recoverable")]
    assert not PlanAssignment.objects.exists()
