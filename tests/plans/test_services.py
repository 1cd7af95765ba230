from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEntry
from attain.plans import services
from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision
from tests.plans.conftest import PLAN, assignment, plan_text

pytestmark = pytest.mark.django_db


def test_a_new_plan_creates_the_document_and_revision_1(org):
    admin = org.users["admin"]
    result = services.save_plan(admin, PLAN, "first")
    doc = result.document
    assert (doc.plan_id, doc.version, doc.name) == ("ae", 1, "Account Executive")
    assert doc.valid_from == dt.date(2026, 1, 1) and doc.valid_to is None
    assert result.created and result.changed
    rev = result.revision
    assert (rev.number, rev.author, rev.comment) == (1, admin, "first")
    assert rev.sha256 == services.sha256_of(PLAN) and rev.yaml == PLAN
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("created", admin)
    assert entry.object_type == "plans.PlanDocument"
    assert entry.before is None and entry.after["revision"] == 1
    assert entry.after["sha256"] == rev.sha256 and entry.note == "first"


def test_each_save_is_the_next_revision_and_refreshes_the_document(org):
    admin = org.users["admin"]
    doc = services.save_plan(admin, PLAN).document
    edited = plan_text(("name: Account Executive", "name: AE 2026"), ("rate: 5", "rate: 6"))
    second = services.save_plan(admin, edited, "moved tier", document=doc)
    third = services.save_plan(admin, edited.replace("rate: 8", "rate: 9"), document=doc)
    assert [second.revision.number, third.revision.number] == [2, 3]
    doc.refresh_from_db()
    assert doc.name == "AE 2026"
    assert doc.current == third.revision
    entries = AuditEntry.objects.filter(action="revised").order_by("id")
    assert [(e.before["revision"], e.after["revision"]) for e in entries] == [(1, 2), (2, 3)]
    assert entries[0].before["name"] == "Account Executive"
    assert entries[0].after["name"] == "AE 2026"


def test_saving_the_same_text_is_a_no_op(org):
    admin = org.users["admin"]
    doc = services.save_plan(admin, PLAN).document
    result = services.save_plan(admin, PLAN.replace("\n", "\r\n") + "\n\n", document=doc)
    assert not result.changed and result.revision.number == 1
    assert "No changes" in result.message
    assert PlanRevision.objects.count() == 1 and AuditEntry.objects.count() == 1


def test_validation_errors_carry_path_reason_and_line(org):
    bad = plan_text(("semantic: marginal", "semantic: sideways"))
    with pytest.raises(services.PlanYamlError) as caught:
        services.save_plan(org.users["admin"], bad)
    error = caught.value
    assert error.path == "components[0].rate_tables[0].semantic"
    assert "marginal" in error.reason  # the allowed values
    assert error.line == bad.splitlines().index("        semantic: sideways") + 1
    assert isinstance(error, ValidationError)
    assert error.path in error.messages[0] and f"line {error.line}" in error.messages[0]
    assert not PlanDocument.objects.exists() and not AuditEntry.objects.exists()


def test_yaml_syntax_errors_have_a_line(org):
    with pytest.raises(services.PlanYamlError) as caught:
        services.save_plan(org.users["admin"], PLAN.replace("measures:", "measures: [", 1))
    assert caught.value.line is not None and "not valid YAML" in caught.value.reason


def test_empty_text_is_refused(org):
    with pytest.raises(services.PlanYamlError, match="empty"):
        services.save_plan(org.users["admin"], "  \n")


def test_editing_cannot_change_id_or_version(org):
    admin = org.users["admin"]
    doc = services.save_plan(admin, PLAN).document
    with pytest.raises(services.PlanYamlError) as caught:
        services.save_plan(admin, PLAN.replace("id: ae", "id: sdr"), document=doc)
    assert caught.value.path == "id" and caught.value.line == 1
    with pytest.raises(services.PlanYamlError) as caught:
        services.save_plan(admin, PLAN.replace("version: 1", "version: 2"), document=doc)
    assert caught.value.path == "version" and "cannot change" in caught.value.reason
    assert PlanRevision.objects.count() == 1


def test_a_new_plan_with_an_existing_id_and_version_is_refused(org):
    admin = org.users["admin"]
    services.save_plan(admin, PLAN)
    with pytest.raises(services.PlanYamlError, match="already exists"):
        services.save_plan(admin, PLAN.replace("rate: 8", "rate: 9"))
    second = services.save_plan(
        admin, PLAN.replace("version: 1", "version: 2").replace("2026-01-01", "2027-01-01")
    )
    assert second.created and second.document.version == 2


@pytest.mark.parametrize("who", ["finance", "walt", "will"])
def test_only_admins_save_or_archive(org, who):
    user = org.users[who]
    with pytest.raises(PermissionDenied):
        services.save_plan(user, PLAN)
    doc = services.save_plan(org.users["admin"], PLAN).document
    with pytest.raises(PermissionDenied):
        services.save_plan(user, PLAN, document=doc)
    with pytest.raises(PermissionDenied):
        services.set_archived(user, doc, True)
    with pytest.raises(PermissionDenied):
        services.create_assignment(user, assignment(org))


def test_archive_and_unarchive_are_audited(org):
    admin = org.users["admin"]
    doc = services.save_plan(admin, PLAN).document
    services.set_archived(admin, doc, True)
    services.set_archived(admin, doc, True)  # no change, no entry
    services.set_archived(admin, doc, False)
    doc.refresh_from_db()
    assert not doc.archived
    entries = list(AuditEntry.objects.exclude(action="created").order_by("id"))
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("archived", {"archived": False}, {"archived": True}),
        ("unarchived", {"archived": True}, {"archived": False}),
    ]


# Assignments ------------------------------------------------------------------------------


def test_create_update_end_assignment_are_audited(plan_org):
    admin = plan_org.users["admin"]
    a = services.create_assignment(admin, assignment(plan_org))
    assert a.target_incentive == Decimal("10000.00")
    data = services.data_of(a)
    data.target_incentive = Decimal("12000.50")
    services.update_assignment(admin, a, data)
    services.end_assignment(admin, a, dt.date(2026, 7, 1))
    a.refresh_from_db()
    assert a.valid_to == dt.date(2026, 7, 1) and a.target_incentive == Decimal("12000.50")
    entries = list(AuditEntry.objects.filter(object_type="plans.PlanAssignment").order_by("id"))
    assert [e.action for e in entries] == ["created", "updated", "ended"]
    assert entries[0].before is None and entries[0].after["target_incentive"] == "10000.00"
    assert entries[1].before["target_incentive"] == "10000.00"
    assert entries[1].after["target_incentive"] == "12000.50"
    assert entries[2].before["valid_to"] is None and entries[2].after["valid_to"] == "2026-07-01"


def test_overlapping_assignments_of_one_rep_are_refused(plan_org):
    admin = plan_org.users["admin"]
    services.create_assignment(admin, assignment(plan_org, valid_to=dt.date(2026, 7, 1)))
    with pytest.raises(ValidationError) as caught:
        services.create_assignment(admin, assignment(plan_org, valid_from=dt.date(2026, 6, 30)))
    assert "cannot overlap" in caught.value.message_dict["valid_from"][0]
    # half-open: starting on the first day off the old one is fine; another rep is fine
    services.create_assignment(admin, assignment(plan_org, valid_from=dt.date(2026, 7, 1)))
    services.create_assignment(admin, assignment(plan_org, rep="will"))
    with pytest.raises(ValidationError):  # open-ended before an existing one overlaps
        services.create_assignment(admin, assignment(plan_org, valid_from=dt.date(2025, 1, 1)))
    assert PlanAssignment.objects.count() == 3


def test_ending_cannot_extend_into_the_next_assignment(plan_org):
    admin = plan_org.users["admin"]
    first = services.create_assignment(admin, assignment(plan_org, valid_to=dt.date(2026, 4, 1)))
    services.create_assignment(admin, assignment(plan_org, valid_from=dt.date(2026, 4, 1)))
    with pytest.raises(ValidationError):
        services.end_assignment(admin, first, dt.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        services.end_assignment(admin, first, dt.date(2026, 1, 1))  # not after the start


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"plan_id": "nope"}, "plan_id"),
        ({"target_incentive": Decimal("-1")}, "target_incentive"),
        ({"draw_per_period": Decimal("-0.01")}, "draw_per_period"),
        ({"target_incentive": Decimal("1.005")}, "target_incentive"),
        ({"currency": "dollars"}, "currency"),
        ({"valid_to": dt.date(2025, 12, 31)}, "valid_to"),
    ],
)
def test_assignment_validation(plan_org, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.create_assignment(plan_org.users["admin"], assignment(plan_org, **overrides))
    assert field in caught.value.message_dict
    assert (
        not PlanAssignment.objects.exists()
        and not AuditEntry.objects.filter(object_type="plans.PlanAssignment").exists()
    )


def test_upsert_assignments_all_or_nothing(plan_org):
    admin = plan_org.users["admin"]
    rows = [
        {"rep": "R-WENDY", "plan_id": "ae", "valid_from": "2026-01-01", "target_incentive": "5000"},
        {"rep": "R-WILL", "plan_id": "ae", "valid_from": "2026-01-01", "target_incentive": "6000"},
    ]
    report = services.upsert_assignments(admin, rows)
    assert report.ok and (report.created, report.updated) == (2, 0)
    rows[0]["target_incentive"] = "5500"
    report = services.upsert_assignments(admin, [*rows, {"rep": "R-NOBODY", "plan_id": "ae"}])
    assert report.errors and report.errors[0][0] == 3 and "R-NOBODY" in report.errors[0][1]
    assert PlanAssignment.objects.get(rep__external_id="R-WENDY").target_incentive == 5000
    report = services.upsert_assignments(admin, rows)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    with pytest.raises(PermissionDenied):
        services.upsert_assignments(plan_org.users["finance"], rows)
