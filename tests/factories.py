"""A small, hand-made sales org for tests, with one login per role.

    Sales (VP: vera)
    ├── West (manager: walt)  members: wendy, will
    └── East (manager: erin)  members: eddie; wendy moves here on 2026-07-01

Each rep owns two deals (one won, one open) on their own account. Every login's password
is ``PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from attain.people.models import Rep, Team, TeamMembership, User
from attain.sales.models import Account, Credit, Deal

PASSWORD = "correct-horse-battery"
MOVE_DATE = dt.date(2026, 7, 1)
ORG_START = dt.date(2025, 1, 1)


@dataclass
class Org:
    users: dict[str, User] = field(default_factory=dict)
    reps: dict[str, Rep] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    deals: dict[str, list[Deal]] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)

    def login(self, client, username: str) -> None:
        assert client.login(username=username, password=PASSWORD)


def _user(username: str, role: str) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        first_name=username.capitalize(),
        is_staff=role == "admin",
        is_superuser=role == "admin",
    )


def build_org() -> Org:
    org = Org()
    for username, role in [("admin", "admin"), ("finance", "finance")]:
        org.users[username] = _user(username, role)

    sales = Team.objects.create(external_id="T-SALES", name="Sales")
    west = Team.objects.create(external_id="T-WEST", name="West", region="West", parent=sales)
    east = Team.objects.create(external_id="T-EAST", name="East", region="East", parent=sales)
    org.teams = {"sales": sales, "west": west, "east": east}

    people = [
        ("vera", "manager", "VP Sales", sales, "manager"),
        ("walt", "manager", "Regional Manager", west, "manager"),
        ("erin", "manager", "Regional Manager", east, "manager"),
        ("wendy", "rep", "Account Executive", west, "member"),
        ("will", "rep", "Account Executive", west, "member"),
        ("eddie", "rep", "Account Executive", east, "member"),
    ]
    for i, (username, role, title, team, team_role) in enumerate(people):
        user = _user(username, role)
        rep = Rep.objects.create(
            external_id=f"R-{username.upper()}",
            user=user,
            name=f"{username.capitalize()} Example",
            email=f"{username}@example.com",
            title=title,
            hire_date=ORG_START,
        )
        org.users[username] = user
        org.reps[username] = rep
        valid_to = MOVE_DATE if username == "wendy" else None
        TeamMembership.objects.create(
            rep=rep, team=team, role=team_role, valid_from=ORG_START, valid_to=valid_to
        )
        account = Account.objects.create(
            external_id=f"A-{i:03d}",
            name=f"{username.capitalize()} Customer Inc",
            industry="Software",
            region=team.region or "West",
            state="CA",
            postcode=f"9410{i}",
            potential=Decimal("250000.00"),
        )
        org.accounts[username] = account
        won = Deal.objects.create(
            external_id=f"D-{username.upper()}-1",
            name=f"{username.capitalize()} won deal",
            account=account,
            owner=rep,
            stage="Closed Won",
            status=Deal.Status.WON,
            amount=Decimal("12000.00"),
            margin=Decimal("4800.00"),
            units=Decimal("10"),
            created_date=dt.date(2026, 1, 5),
            close_date=dt.date(2026, 2, 10),
        )
        open_ = Deal.objects.create(
            external_id=f"D-{username.upper()}-2",
            name=f"{username.capitalize()} open deal",
            account=account,
            owner=rep,
            stage="Proposal",
            status=Deal.Status.OPEN,
            amount=Decimal("30000.00"),
            created_date=dt.date(2026, 3, 1),
        )
        for deal in (won, open_):
            Credit.objects.create(deal=deal, rep=rep, role=Credit.Role.OWNER, share=Decimal("1"))
        org.deals[username] = [won, open_]
    TeamMembership.objects.create(
        rep=org.reps["wendy"], team=east, role="member", valid_from=MOVE_DATE
    )
    return org
