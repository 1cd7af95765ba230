"""Writes for people: logins, reps, team memberships."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from attain.people.models import Rep, User


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
