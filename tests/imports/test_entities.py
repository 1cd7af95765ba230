"""Every entity other than deals: columns, keys, references and their own checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.imports.services import import_file, import_rows
from attain.people.models import Rep, Team, TeamMembership
from attain.sales.models import Account, Activity, Credit, DealLine, Payment, Product
from attain.territories.models import Territory, TerritoryOwner
from tests.imports.conftest import snapshot

pytestmark = pytest.mark.django_db


def run(write, entity: str, text: str, **kwargs):
    name = f"{entity}.csv"
    return import_file(entity, write(name, text), file_name=name, **kwargs)


def errors(report) -> list[str]:
    return [str(e) for e in report.errors]


def counts(report) -> tuple[int, int, int]:
    return report.created, report.updated, report.unchanged


def test_reps(org, write):
    text = (
        "external_id,name,email,title,hire_date,termination_date,home_latitude,home_longitude\n"
        "R-NEW,Nora New,nora@example.com,SDR,2026-02-01,,37.7749,-122.4194\n"
        "R-WILL,Will Example,will@example.com,Senior AE,2025-01-01,,,\n"
    )
    report = run(write, "reps", text)
    assert report.ok, errors(report)
    assert counts(report) == (1, 1, 0)
    assert report.outcomes[1].changed == ("title",)
    nora = Rep.objects.get(external_id="R-NEW")
    assert nora.home_latitude == Decimal("37.774900") and nora.hire_date == dt.date(2026, 2, 1)
    assert Rep.objects.get(external_id="R-WILL").user == org.users["will"]  # login kept
    assert counts(run(write, "reps", text)) == (0, 0, 2)


def test_rep_checks(org, write):
    before = snapshot(Rep)
    text = (
        "external_id,name,email,hire_date,termination_date,home_latitude\n"
        "R-1,A,not-an-email,2026-02-01,2026-01-01,91\n"
    )
    assert errors(run(write, "reps", text)) == [
        "reps.csv row 2, column home_latitude, value '91': out of range: must be -90 or more "
        "and at most 90",
    ]
    text = "external_id,name,email,hire_date,termination_date\nR-1,A,nope,2026-02-01,2026-01-01\n"
    assert errors(run(write, "reps", text)) == [
        "reps.csv row 2, column termination_date, value '2026-01-01': is before hire_date "
        "(2026-02-01)",
        "reps.csv row 2, column email, value 'nope': not an email address",
    ]
    assert snapshot(Rep) == before


def test_teams_with_parent_in_same_file(org, write):
    text = (
        "external_id,name,region,parent\n"
        "T-CENTRAL-1,Central One,Central,T-CENTRAL\n"  # parent defined further down
        "T-CENTRAL,Central,Central,T-SALES\n"
        "T-WEST,West,West,T-CENTRAL\n"  # an existing team moves
    )
    report = run(write, "teams", text)
    assert report.ok, errors(report)
    assert counts(report) == (2, 1, 0)
    assert report.outcomes[2].changed == ("parent",)
    central = Team.objects.get(external_id="T-CENTRAL")
    assert central.parent == org.teams["sales"]
    assert Team.objects.get(external_id="T-CENTRAL-1").parent == central
    assert Team.objects.get(external_id="T-WEST").parent == central
    assert counts(run(write, "teams", text)) == (0, 0, 3)


def test_team_parent_unknown_or_loop(org, write):
    before = snapshot(Team)
    text = "external_id,name,parent\nT-X,X,T-NOWHERE\nT-SALES,Sales,T-EAST\n"
    assert errors(run(write, "teams", text)) == [
        "teams.csv row 2, column parent, value 'T-NOWHERE': unknown parent: no team with this "
        "external id in the database or this file",
        "teams.csv row 3, column parent, value 'T-EAST': parent loop: T-SALES → T-EAST → T-SALES",
    ]
    assert snapshot(Team) == before


def test_team_memberships_effective_dated(org, write):
    text = (
        "rep,team,role,valid_from,valid_to\n"
        "R-WILL,T-WEST,member,2025-01-01,2026-09-01\n"  # existing row gets an end date
        "R-WILL,T-EAST,member,2026-09-01,\n"
        "R-EDDIE,T-EAST,manager,2026-01-01,2026-01-01\n"
    )
    before = snapshot(TeamMembership)
    report = run(write, "team_memberships", text)
    assert errors(report) == [
        "team_memberships.csv row 4, column valid_to, value '2026-01-01': must be after "
        "valid_from (2026-01-01); valid_to is the first day no longer in force"
    ]
    assert snapshot(TeamMembership) == before
    report = run(write, "team_memberships", text.rsplit("R-EDDIE", 1)[0])
    assert report.ok, errors(report)
    assert counts(report) == (1, 1, 0)
    old = TeamMembership.objects.get(rep=org.reps["will"], team=org.teams["west"])
    assert old.valid_to == dt.date(2026, 9, 1)
    assert old.in_force(dt.date(2026, 8, 31)) and not old.in_force(dt.date(2026, 9, 1))
    new = TeamMembership.objects.get(rep=org.reps["will"], team=org.teams["east"])
    assert new.valid_from == dt.date(2026, 9, 1) and new.valid_to is None


def test_team_membership_overlap_is_refused(org, write):
    before = snapshot(TeamMembership)
    # Will is a member of West from 2025-01-01, open-ended; joining East needs West ended.
    text = "rep,team,role,valid_from\nR-WILL,T-EAST,member,2026-09-01\n"
    assert errors(run(write, "team_memberships", text)) == [
        "team_memberships.csv row 2, column valid_from, value '2026-09-01': overlaps R-WILL's "
        "membership of T-WEST from 2025-01-01 (open-ended); a rep is a member of one team at "
        "a time: end that period (valid_to) first"
    ]
    assert snapshot(TeamMembership) == before
    # leading a second team is fine: only member periods are exclusive
    report = run(write, "team_memberships", text.replace("member", "manager"))
    assert report.ok and report.created == 1


def test_team_membership_duplicate_key(org, write):
    text = (
        "rep,team,role,valid_from\n"
        "R-WILL,T-EAST,member,2026-09-01\n"
        "R-WILL,T-EAST,,2026-09-01\n"  # role defaults to member: the same key
    )
    assert errors(run(write, "team_memberships", text)) == [
        "team_memberships.csv row 3, column rep + team + role + valid_from, value "
        "'R-WILL / T-EAST / member / 2026-09-01': duplicate rep + team + role + valid_from in "
        "the file (also on row 2)"
    ]


def test_territories_rule_and_list(org, write):
    text = (
        "external_id,name,kind,rule_region,rule_state,priority,valid_from,accounts\n"
        "TER-W,West rule,rule,West,,10,2026-01-01,\n"
        "TER-KEY,Key accounts,list,,,1,2026-01-01,A-000 A-001;A-002\n"
    )
    report = run(write, "territories", text)
    assert report.ok, errors(report)
    assert counts(report) == (2, 0, 0)
    key = Territory.objects.get(external_id="TER-KEY")
    assert set(key.accounts.values_list("external_id", flat=True)) == {"A-000", "A-001", "A-002"}
    assert Territory.objects.get(external_id="TER-W").priority == 10
    assert counts(run(write, "territories", text)) == (0, 0, 2)
    # the list is replaced, and that counts as an update
    report = run(write, "territories", text.replace("A-000 A-001;A-002", "A-003"))
    assert counts(report) == (0, 1, 1)
    assert report.outcomes[1].changed == ("accounts",)
    assert list(key.accounts.values_list("external_id", flat=True)) == ["A-003"]


def test_territory_checks(org, write):
    text = (
        "external_id,name,kind,rule_state,valid_from,valid_to,accounts\n"
        "TER-1,Nothing,rule,,2026-01-01,,\n"
        "TER-2,Mixed,rule,CA,2026-01-01,,A-000\n"
        "TER-3,List,list,,2026-01-01,,A-000 A-999\n"
        "TER-4,Kind,region,,2026-01-01,,\n"
    )
    assert errors(run(write, "territories", text)) == [
        "territories.csv row 2, column kind, value 'rule': a rule territory needs at least one "
        "rule field (rule_region, rule_state, rule_postcode_prefix, rule_industry, "
        "rule_potential_min, rule_potential_max)",
        "territories.csv row 3, column accounts, value \"('A-000',)\": only a list territory "
        "has an account list (set kind to list)",
        "territories.csv row 4, column accounts, value 'A-999': unknown account(s): no "
        "account with this external id in the database",
        "territories.csv row 5, column kind, value 'region': unknown kind (expected one of "
        "rule, list)",
    ]
    assert not Territory.objects.exists()


def test_territory_potential_band(org, write):
    # The factory accounts all have a potential of 250,000.00: a band from 0 catches them
    # (0 counts as a bound), one from 300,000.00 up catches none.
    text = (
        "external_id,name,rule_potential_min,rule_potential_max,valid_from\n"
        "TER-ALL,Any size,0,,2026-01-01\n"
        "TER-BIG,Big,300000.00,,2026-01-01\n"
        "TER-MID,Mid,100000,250000.01,2026-01-01\n"
    )
    report = run(write, "territories", text)
    assert report.ok, errors(report)
    mid = Territory.objects.get(external_id="TER-MID")
    assert (mid.rule_potential_min, mid.rule_potential_max) == (
        Decimal("100000.00"), Decimal("250000.01")
    )  # fmt: skip
    assert Territory.objects.get(external_id="TER-ALL").rule_potential_max is None
    from attain.territories.selectors import accounts_in

    every = Account.objects.all()
    assert accounts_in(Territory.objects.get(external_id="TER-ALL"), every).count() == 6
    assert accounts_in(Territory.objects.get(external_id="TER-BIG"), every).count() == 0
    assert accounts_in(mid, every).count() == 6
    bad = (
        "external_id,name,rule_potential_min,rule_potential_max,valid_from\nT,Bad,5,5,2026-01-01\n"
    )
    assert errors(run(write, "territories", bad)) == [
        "territories.csv row 2, column rule_potential_max, value '5.00': must be above "
        "rule_potential_min (5.00)"
    ]


def test_territory_owners(org, write):
    Territory.objects.create(
        external_id="TER-W", name="West", rule_region="West", valid_from=dt.date(2025, 1, 1)
    )
    text = (
        "territory,rep,valid_from,valid_to\n"
        "TER-W,R-WENDY,2025-01-01,2026-07-01\n"
        "TER-W,R-WILL,2026-07-01,\n"
    )
    report = run(write, "territory_owners", text)
    assert report.ok, errors(report)
    owners = TerritoryOwner.objects.order_by("valid_from")
    assert [(o.rep.external_id, o.valid_to) for o in owners] == [
        ("R-WENDY", dt.date(2026, 7, 1)),
        ("R-WILL", None),
    ]
    report = run(write, "territory_owners", text.replace("2026-07-01\n", "2026-08-01\n", 1))
    assert counts(report) == (0, 1, 1)
    bad = run(write, "territory_owners", "territory,rep,valid_from\nTER-NO,R-WILL,2026-01-01\n")
    assert errors(bad) == [
        "territory_owners.csv row 2, column territory, value 'TER-NO': unknown territory: no "
        "territory with this external id in the database"
    ]


def test_accounts_and_products(org, write):
    text = (
        "external_id,name,industry,region,state,postcode,latitude,longitude,potential,currency\n"
        "A-100,Acme,Manufacturing,West,CA,94105,37.7899,-122.4007,250000,USD\n"
        "A-000,Vera Customer Inc,Software,West,CA,94100,,,250000.00,EUR\n"
    )
    report = run(write, "accounts", text)
    assert report.ok, errors(report)
    assert counts(report) == (1, 1, 0)
    assert report.outcomes[1].changed == ("currency",)
    assert Account.objects.get(external_id="A-100").potential == Decimal("250000.00")
    text = "external_id,name,family,list_price,unit_cost\nSKU-1,Pro,Subs,1200,300.5\n"
    report = run(write, "products", text)
    assert report.ok and Product.objects.get().unit_cost == Decimal("300.50")
    bad = run(write, "products", "external_id,name,list_price\nSKU-2,X,-1\nSKU-3,Y,1.2.3\n")
    assert errors(bad) == [
        "products.csv row 2, column list_price, value '-1': negative amount: must be 0 or more",
        "products.csv row 3, column list_price, value '1.2.3': not a number (use digits and a "
        "'.' decimal point)",
    ]


def test_deal_lines_reference_deals_in_db(org, write):
    Product.objects.create(external_id="SKU-1", name="Pro", list_price=Decimal("100"))
    text = (
        "external_id,deal,product,quantity,unit_price,unit_cost\n"
        "L-1,D-WENDY-1,SKU-1,10,95.5,40\n"
        "L-2,D-NOPE,SKU-1,0,95.5,40\n"
    )
    assert errors(run(write, "deal_lines", text)) == [
        "deal_lines.csv row 3, column quantity, value '0': must be more than 0",
        "deal_lines.csv row 3, column deal, value 'D-NOPE': unknown deal: no deal with this "
        "external id in the database",
    ]
    assert not DealLine.objects.exists()
    report = run(write, "deal_lines", text.rsplit("L-2", 1)[0])
    assert report.ok, errors(report)
    line = DealLine.objects.get()
    assert line.deal == org.deals["wendy"][0] and line.revenue == Decimal("955.0000")


def test_payments_reference_deals_and_refuse_bad_rows_whole(org, write):
    text = (
        "external_id,deal,kind,date,amount\n"
        "INV-1,D-WENDY-1,invoice,2026-02-10,12000\n"
        "PAY-1,D-WENDY-1,Receipt,2026-02-20,4000.00\n"
        "PAY-2,D-NOPE,payment,2026-02-21,0\n"
        "PAY-3,D-WENDY-1,chargeback,2026-02-30,10\n"
        "CN-1,D-WENDY-1,Credit Note,2026-02-25,500\n"
    )
    assert errors(run(write, "payments", text)) == [
        "payments.csv row 4, column amount, value '0': must be more than 0",
        "payments.csv row 4, column deal, value 'D-NOPE': unknown deal: no deal with this "
        "external id in the database",
        "payments.csv row 5, column kind, value 'chargeback': unknown kind (expected one of "
        "invoice, credit_note, payment, refund)",
        "payments.csv row 5, column date, value '2026-02-30': not a date (expected YYYY-MM-DD)",
    ]
    assert not Payment.objects.exists()  # nothing half-written
    good = text.split("PAY-2", 1)[0] + text.split("\n")[-2] + "\n"
    report = run(write, "payments", good)
    assert report.ok, errors(report)
    assert counts(report) == (3, 0, 0)
    wendy = org.deals["wendy"][0]
    assert [(p.kind, p.date, p.amount) for p in wendy.payments.all()] == [
        ("invoice", dt.date(2026, 2, 10), Decimal("12000.00")),
        ("payment", dt.date(2026, 2, 20), Decimal("4000.00")),
        ("credit_note", dt.date(2026, 2, 25), Decimal("500.00")),
    ]


def test_credits_natural_key_and_share_range(org, write):
    text = (
        "deal,rep,role,share\n"
        "D-WENDY-1,R-WENDY,owner,1\n"  # exists: unchanged
        "D-WENDY-1,R-WALT,manager,1.0\n"
        "D-WENDY-1,R-WILL,overlay,0.25\n"
    )
    report = run(write, "credits", text)
    assert report.ok, errors(report)
    assert counts(report) == (2, 0, 1)
    assert counts(run(write, "credits", text)) == (0, 0, 3)
    report = run(write, "credits", text.replace("0.25", "0.3"))
    assert counts(report) == (0, 1, 2)
    assert Credit.objects.get(rep=org.reps["will"], role="overlay").share == Decimal("0.3000")
    before = snapshot(Credit)
    bad = (
        "deal,rep,role,share\n"
        "D-WILL-1,R-WILL,split,1.5\n"
        "D-WILL-1,R-EDDIE,split,0\n"
        "D-WILL-2,R-WILL,owner,0.6\n"
        "D-WILL-2,R-EDDIE,split,0.6\n"
        "D-WILL-2,R-EDDIE,boss,0.6\n"
        "D-WILL-2,R-EDDIE,split,0.1\n"
    )
    assert errors(run(write, "credits", bad)) == [
        "credits.csv row 2, column share, value '1.5': out of range: must be more than 0 and "
        "at most 1",
        "credits.csv row 3, column share, value '0': out of range: must be more than 0 and at "
        "most 1",
        "credits.csv row 5, column share, value '0.6000': owner and split shares of deal "
        "'D-WILL-2' add up to 1.2000 (more than 1) in this file",
        "credits.csv row 6, column role, value 'boss': unknown role (expected one of owner, "
        "split, overlay, manager)",
        "credits.csv row 7, column deal + rep + role, value 'D-WILL-2 / R-EDDIE / split': "
        "duplicate deal + rep + role in the file (also on row 5)",
    ]
    assert snapshot(Credit) == before


def test_activities(org, write):
    text = (
        "external_id,rep,kind,date,deal,account,outcome,duration_minutes\n"
        "ACT-1,R-WILL,call,2026-02-03,D-WILL-2,A-004,connected,25\n"
        "ACT-2,R-WILL,Meeting,2026-02-04,,,,\n"
    )
    report = run(write, "activities", text)
    assert report.ok, errors(report)
    first = Activity.objects.get(external_id="ACT-1")
    assert (first.deal, first.duration_minutes) == (org.deals["will"][1], 25)
    assert Activity.objects.get(external_id="ACT-2").kind == "meeting"
    bad = run(write, "activities", text.replace("call", "fax").replace(",25", ",-5"))
    assert errors(bad) == [
        "activities.csv row 2, column kind, value 'fax': unknown kind (expected one of call, "
        "meeting, email)",
        "activities.csv row 2, column duration_minutes, value '-5': must be 0 or more",
    ]


def test_import_rows_for_reps(org):
    report = import_rows("reps", [{"external_id": "R-API", "name": "Api Rep", "email": None}])
    assert report.ok and Rep.objects.get(external_id="R-API").email == ""
