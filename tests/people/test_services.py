import datetime as dt

import pytest

from attain.cli import main
from attain.people.models import ApiToken, TeamMembership, User
from attain.people.selectors import team_of, visible_rep_ids
from attain.people.services import MembershipError, UserError, create_login, move_rep_to_team
from attain.people.tokens import create_token, revoke_token, user_for_key

pytestmark = pytest.mark.django_db


def test_move_rep_keeps_history(org):
    will = org.reps["will"]
    move_rep_to_team(will, org.teams["east"], dt.date(2026, 9, 1))
    assert team_of(will, dt.date(2026, 8, 31)) == org.teams["west"]
    assert team_of(will, dt.date(2026, 9, 1)) == org.teams["east"]
    erin_on = {r for r in visible_rep_ids(org.users["erin"], dt.date(2026, 9, 1))}
    assert will.id in erin_on
    assert will.id in visible_rep_ids(org.users["walt"], dt.date(2026, 8, 31))


def test_move_rep_rejects_same_team_and_rewriting_future(org):
    will = org.reps["will"]
    with pytest.raises(MembershipError, match="already a member"):
        move_rep_to_team(will, org.teams["west"], dt.date(2026, 9, 1))
    move_rep_to_team(will, org.teams["east"], dt.date(2026, 9, 1))
    with pytest.raises(MembershipError, match="starting on or after 2026-08-01"):
        move_rep_to_team(will, org.teams["west"], dt.date(2026, 8, 1))
    assert TeamMembership.objects.filter(rep=will).count() == 2


def test_create_login_validates(org):
    with pytest.raises(UserError, match="already exists"):
        create_login(username="admin", password="another-long-pass", role="admin")
    with pytest.raises(UserError, match="must be linked to a rep"):
        create_login(username="newrep", password="another-long-pass", role="rep")
    with pytest.raises(UserError, match="no rep with external id"):
        create_login(username="x", password="another-long-pass", role="rep", rep_external_id="NO")
    with pytest.raises(UserError, match="already has a login"):
        create_login(
            username="x", password="another-long-pass", role="rep", rep_external_id="R-WILL"
        )
    with pytest.raises(UserError, match="unknown role"):
        create_login(username="x", password="another-long-pass", role="boss")
    with pytest.raises(UserError, match="too short"):
        create_login(username="x", password="short", role="finance")
    assert not User.objects.filter(username="x").exists()


def test_createuser_and_createtoken_commands(org, capsys):
    code = main(["createuser", "fiona", "--role", "finance", "--password", "ledger-and-ink-42"])
    assert code == 0
    assert User.objects.get(username="fiona").role == "finance"
    assert main(["createtoken", "fiona", "--name", "payroll"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert user_for_key(key).username == "fiona"
    assert main(["createtoken", "nobody"]) == 1


def test_token_is_stored_as_digest_and_can_be_revoked(org):
    token, key = create_token(org.users["will"], "laptop")
    assert key not in {t.digest for t in ApiToken.objects.all()}
    assert user_for_key(key) == org.users["will"]
    assert user_for_key(key + "x") is None
    revoke_token(token)
    assert user_for_key(key) is None
