"""The database writer and `attain demo` against the test database."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.contrib.auth.password_validation import validate_password
from django.db.models import Count, F, Sum

from attain.demo.config import DemoConfig
from attain.demo.logins import LOGIN_SPECS
from attain.demo.services import load
from attain.people.models import Rep, Team, TeamMembership, User
from attain.people.selectors import team_of, visible_rep_ids
from attain.sales.models import Account, Activity, Credit, Deal, DealLine, Product
from attain.territories.models import Territory, TerritoryOwner
from tests.demo.conftest import AS_OF

SMALL = DemoConfig(as_of=AS_OF, reps=20, deals=2_000, accounts=500)
CLI_ARGS = ["--reps", "12", "--deals", "300", "--accounts", "200", "--as-of", "2026-11-27"]


def _counts() -> dict[str, int]:
    models = (Team, Rep, TeamMembership, Account, Product, Deal, DealLine, Credit, Activity,
              Territory, TerritoryOwner, User)  # fmt: skip
    counts = {m.__name__: m.objects.count() for m in models}
    # A reset retires (deactivates) demo logins the append-only audit log refers to.
    counts["User"] = User.objects.filter(is_active=True).count()
    return counts


def _demo(*extra: str) -> int:
    from attain.cli import build_parser

    args = build_parser().parse_args(["demo", *CLI_ARGS, *extra])
    return args.func(args)


@pytest.mark.django_db(transaction=True)
def test_db_writer_small_scale_is_quick_and_consistent():
    started = time.perf_counter()
    data, sinks = load(SMALL, to_db=True, parquet=None)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"2,000 deals took {elapsed:.1f} s"
    counts = _counts()
    assert counts["Deal"] == 2_000
    assert counts["Rep"] == 24 and counts["Account"] == 500 and counts["Product"] == 12
    assert counts["DealLine"] == sinks[0].rows["dealline"]
    assert counts["Activity"] == sinks[0].rows["activity"] > 2_000

    line_sums = DealLine.objects.values("deal").annotate(
        revenue=Sum(F("quantity") * F("unit_price")),
        margin=Sum(F("quantity") * (F("unit_price") - F("unit_cost"))),
    )
    by_deal = {row["deal"]: row for row in line_sums}
    for deal in Deal.objects.all()[:400]:
        assert by_deal[deal.pk]["revenue"] == deal.amount
        assert by_deal[deal.pk]["margin"] == deal.margin
    shares = (
        Credit.objects.filter(role__in=["owner", "split"])
        .values("deal")
        .annotate(total=Sum("share"))
        .values_list("total", flat=True)
    )
    assert set(shares) == {Decimal("1")}
    assert not Deal.objects.filter(status="won", margin__gte=F("amount")).exists()
    assert not Deal.objects.filter(cancellation_date__lte=F("close_date")).exists()
    deal = Deal.objects.select_related("account").order_by("external_id").first()
    assert deal.external_id == "D-00000001"
    assert deal.name.startswith(deal.account.name)
    assert Account.objects.filter(latitude__isnull=True).count() == 0
    assert Rep.objects.annotate(n=Count("memberships")).filter(n=2).exists()
    assert TerritoryOwner.objects.filter(valid_to__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_attain_demo_is_idempotent_and_prints_logins(capsys, client):
    assert _demo() == 0
    out = capsys.readouterr().out
    first = _counts()
    assert first["Deal"] == 300 and first["Team"] == 7
    for _role, username, password, _ in LOGIN_SPECS:
        assert f"{username}  " in out and password in out
    assert "Now run: attain serve" in out

    assert _demo() == 0
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "attain-rep-demo" in out and "Now run: attain serve" in out
    assert _counts() == first

    assert _demo("--reset") == 0
    assert _counts() == first
    assert Deal.objects.filter(external_id="D-00000300").exists()


@pytest.mark.django_db(transaction=True)
def test_demo_logins_work_and_see_the_right_people(client):
    assert _demo() == 0
    for role, username, password, _ in LOGIN_SPECS:
        validate_password(password)
        user = User.objects.get(username=username)
        assert user.role == role
        assert client.login(username=username, password=password)
        client.logout()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not Rep.objects.filter(user__username__in=["admin", "finance"]).exists()

    as_of = AS_OF
    rep = Rep.objects.get(user__username="rep")
    manager = User.objects.get(username="manager")
    vp = User.objects.get(username="vp")
    assert team_of(rep, as_of).parent.name == "West"
    assert rep.id in visible_rep_ids(manager, as_of)
    assert visible_rep_ids(User.objects.get(username="rep"), as_of) == {rep.id}
    west = visible_rep_ids(manager, as_of)
    everyone_active = set(
        TeamMembership.objects.filter(valid_from__lte=as_of)
        .exclude(valid_to__lte=as_of)
        .values_list("rep_id", flat=True)
    )
    assert visible_rep_ids(vp, as_of) == everyone_active
    assert west < everyone_active
    assert Rep.objects.get(user=manager).title == "Regional Sales Manager"


@pytest.mark.django_db(transaction=True)
def test_attain_demo_refuses_to_mix_with_other_data(capsys):
    Rep.objects.create(external_id="X-1", name="Imported Person")
    assert _demo() == 1
    assert "--reset" in capsys.readouterr().err
    assert Deal.objects.count() == 0
    assert _demo("--reset") == 0
    assert not Rep.objects.filter(external_id="X-1").exists()
    assert Deal.objects.count() == 300


@pytest.mark.django_db(transaction=True)
def test_demo_showcase_gives_every_board_page_something_to_show(client):
    from attain.announcements.models import Announcement
    from attain.demo.showcase import BOARD_NAMES
    from attain.leaderboards.models import Board, Competition
    from attain.leaderboards.selectors import board_standings

    assert _demo() == 0
    assert sorted(Board.objects.values_list("name", flat=True)) == sorted(BOARD_NAMES)
    cup = Competition.objects.get()
    assert sorted(cup.teams.values_list("name", flat=True)) == ["Central", "East", "West"]
    assert (cup.start_date.isoformat(), cup.end_date.isoformat()) == ("2026-10-01", "2026-12-31")
    regions = board_standings(Board.objects.get(name="Regions this quarter"), as_of=AS_OF)
    assert [row.name for row in regions.rows] and all(row.value > 0 for row in regions.rows)
    assert Announcement.objects.get().status == "published"
    assert client.login(username="rep", password="attain-rep-demo")
    assert "Margin over volume" in client.get("/").content.decode()

    # A reset clears the showcase along with the org and creates it again.
    assert _demo("--reset") == 0
    assert Board.objects.count() == 3 and Competition.objects.count() == 1
    assert Announcement.objects.count() == 1
