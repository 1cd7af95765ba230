"""Writes for people: logins, reps, team memberships."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from attain.people.models import Rep, Team, TeamMembership, User


class UserError(Exception):
    """A login could not be created; the message says why."""


@transaction.atomic
def create_login(
    *, username: str, password: str, role: str, rep_external_id: str | None = None
) -> User:
    if role not in User.Role.values:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(User.Role.values)}")
    if User.objects.filter(username=username).exists():
        raise UserError(f"a user named {username!r} already exists")
    rep = None
    if rep_external_id:
        rep = Rep.objects.filter(external_id=rep_external_id).first()
        if rep is None:
            raise UserError(f"no rep with external id {rep_external_id!r}")
        if rep.user_id is not None:
            raise UserError(f"rep {rep_external_id!r} already has a login")
    elif role in {User.Role.REP, User.Role.MANAGER}:
        raise UserError(f"a {role} login must be linked to a rep (--rep EXTERNAL_ID)")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise UserError(" ".join(exc.messages)) from exc
    user = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    if rep is not None:
        rep.user = user
        rep.save(update_fields=["user"])
    return user


class MembershipError(Exception):
    """A team change would break the effective-dated history; the message says why."""


@transaction.atomic
def move_rep_to_team(rep: Rep, team: Team, on: dt.date) -> TeamMembership:
    """Make ``rep`` a member of ``team`` from ``on``, closing the membership in force then.

    History before ``on`` is left as it was, so reports for earlier dates keep the old team.
    """
    current = list(
        TeamMembership.objects.select_for_update().filter(
            rep=rep, role=TeamMembership.Role.MEMBER, valid_to__isnull=True
        )
    )
    later = TeamMembership.objects.filter(
        rep=rep, role=TeamMembership.Role.MEMBER, valid_from__gte=on
    )
    if later.exists():
        raise MembershipError(
            f"{rep} already has a team membership starting on or after {on.isoformat()}"
        )
    for membership in current:
        if membership.team_id == team.id:
            raise MembershipError(f"{rep} is already a member of {team}")
        membership.valid_to = on
        membership.save(update_fields=["valid_to"])
    return TeamMembership.objects.create(
        rep=rep, team=team, role=TeamMembership.Role.MEMBER, valid_from=on
    )
