"""Writes of sales data: create and update deals, with validation and write permissions.

Used by the JSON API (and by the web UI's deal forms). Callers pass plain values; the
service resolves external ids, checks every field and either writes or raises:

- ``DealValidationError``: field-level messages (``errors`` maps field name to messages);
- ``DealPermissionError``: the user may not write this deal.

Who may write a deal: an admin, any deal; a manager, deals owned by a rep in their subtree
(themself included); a rep, deals they own themself; finance, none (read-only).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from attain.audit.services import record, snapshot
from attain.common import MONEY_DIGITS, MONEY_PLACES
from attain.people.models import Rep, User
from attain.people.selectors import visible_rep_ids
from attain.sales.models import Account, Credit, Deal, DealStageChange

# Fields a caller may set, in the order errors are reported.
DEAL_FIELDS = (
    "external_id",
    "name",
    "account",
    "owner",
    "stage",
    "status",
    "deal_type",
    "amount",
    "currency",
    "margin",
    "units",
    "created_date",
    "close_date",
    "cancellation_date",
)
REQUIRED_ON_CREATE = ("external_id", "account", "owner", "amount", "created_date")
UNITS_DIGITS = 14


class DealValidationError(Exception):
    """One or more fields are invalid; ``errors`` maps each field to its messages, each
    written to follow the field name ("amount" + "must not be negative (got -1)")."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items()))


class DealPermissionError(Exception):
    """The user may not create or change this deal."""


def can_write_deals(user: User) -> bool:
    """Whether the user may write any deal at all (finance and anonymous may not)."""
    if not user.is_authenticated:
        return False
    if user.is_admin_role:
        return True
    return user.role in {User.Role.MANAGER, User.Role.REP}


def writable_rep_ids(user: User, as_of: dt.date | None = None) -> set[int] | None:
    """Reps whose deals the user may write; None means every rep."""
    if not can_write_deals(user):
        return set()
    if user.is_admin_role:
        return None
    return visible_rep_ids(user, as_of)


def _check_owner_writable(user: User, owner: Rep, as_of: dt.date | None) -> None:
    allowed = writable_rep_ids(user, as_of)
    if allowed is None or owner.id in allowed:
        return
    if user.role == User.Role.REP:
        raise DealPermissionError("a rep may only write deals they own themself")
    raise DealPermissionError("a manager may only write deals owned by reps in their team")


def account_usable_by(user: User, account: Account, as_of: dt.date | None = None) -> bool:
    """May ``user`` put a deal on ``account``? Admins: any. Others: an account they already
    see (through their subtree's deals or activities) or one in a territory their subtree owns
    on the day."""
    from attain.common import in_force_on
    from attain.people.selectors import today
    from attain.sales.selectors import accounts_visible_to
    from attain.territories.models import TerritoryOwner
    from attain.territories.selectors import territory_for_account

    allowed = writable_rep_ids(user, as_of)
    if allowed is None:
        return True
    day = as_of or today()
    if accounts_visible_to(user, day).filter(pk=account.pk).exists():
        return True
    territory = territory_for_account(account, day)
    return territory is not None and (
        TerritoryOwner.objects.filter(
            in_force_on(day), territory=territory, rep_id__in=allowed
        ).exists()
    )


def _check_account_usable(c: _Checker, user: User, as_of: dt.date | None) -> None:
    account = c.values.get("account")
    if account is not None and not account_usable_by(user, account, as_of):
        # The same words as for an unknown id, so a rep cannot probe for other accounts.
        c.values.pop("account")
        c.fail("account", f"is unknown: no account with external id {account.external_id!r}")


class _Checker:
    """Collects field errors while turning raw values into model values."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.values: dict[str, Any] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, value: Any, max_length: int, *, required: bool = False) -> None:
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.fail(name, "is required")
        elif len(value) > max_length:
            self.fail(name, f"must be at most {max_length} characters")
        else:
            self.values[name] = value

    def choice(self, name: str, value: Any, choices: list[str]) -> None:
        value = "" if value is None else str(value).strip().lower()
        if value not in choices:
            self.fail(name, f"must be one of {', '.join(choices)} (got {value!r})")
        else:
            self.values[name] = value

    def decimal(
        self,
        name: str,
        value: Any,
        *,
        digits: int,
        places: int,
        nullable: bool = False,
        negative_ok: bool = False,
    ) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if nullable:
                self.values[name] = None
            else:
                self.fail(name, "is required")
            return
        number = parse_decimal(value)
        if number is None:
            self.fail(name, f"is not a number: {value!r}")
        elif not negative_ok and number < 0:
            self.fail(name, f"must not be negative (got {number})")
        elif -number.as_tuple().exponent > places:
            self.fail(name, f"must have at most {places} decimal places (got {number})")
        elif abs(number) >= Decimal(10) ** (digits - places):
            self.fail(name, f"is too large (got {number})")
        else:
            self.values[name] = number.quantize(Decimal(1).scaleb(-places))

    def date(self, name: str, value: Any, *, nullable: bool = True) -> None:
        if value is None or value == "":
            if nullable:
                self.values[name] = None
            else:
                self.fail(name, "is required")
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            self.values[name] = value
            return
        try:
            self.values[name] = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(name, f"is not a date in YYYY-MM-DD form: {value!r}")


def parse_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a string, int or Decimal (floats go through ``str``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_fields(data: dict[str, Any]) -> _Checker:
    """Check the given fields one by one (cross-field rules come later)."""
    c = _Checker()
    unknown = sorted(set(data) - set(DEAL_FIELDS))
    for name in unknown:
        c.fail(name, "is not a deal field")
    for name, value in data.items():
        if name == "external_id":
            c.text(name, value, 64, required=True)
        elif name == "name":
            c.text(name, value, 200)
        elif name == "stage":
            c.text(name, value, 64)
        elif name == "status":
            c.choice(name, value, Deal.Status.values)
        elif name == "deal_type":
            c.choice(name, value, Deal.Type.values)
        elif name == "currency":
            code = "" if value is None else str(value).strip().upper()
            if len(code) != 3 or not code.isalpha():
                c.fail(name, f"must be a 3-letter currency code (got {value!r})")
            else:
                c.values[name] = code
        elif name == "amount":
            c.decimal(name, value, digits=MONEY_DIGITS, places=MONEY_PLACES)
        elif name == "margin":
            c.decimal(
                name,
                value,
                digits=MONEY_DIGITS,
                places=MONEY_PLACES,
                nullable=True,
                negative_ok=True,
            )
        elif name == "units":
            c.decimal(name, value, digits=UNITS_DIGITS, places=2)
        elif name == "created_date":
            c.date(name, value, nullable=False)
        elif name in {"close_date", "cancellation_date"}:
            c.date(name, value)
        elif name == "account":
            ext = "" if value is None else str(value).strip()
            account = Account.objects.filter(external_id=ext).first() if ext else None
            if not ext:
                c.fail(name, "is required")
            elif account is None:
                c.fail(name, f"is unknown: no account with external id {ext!r}")
            else:
                c.values[name] = account
        elif name == "owner":
            ext = "" if value is None else str(value).strip()
            owner = Rep.objects.filter(external_id=ext).first() if ext else None
            if not ext:
                c.fail(name, "is required")
            elif owner is None:
                c.fail(name, f"is unknown: no rep with external id {ext!r}")
            else:
                c.values[name] = owner
    return c


def _check_dates(c: _Checker, state: dict[str, Any]) -> None:
    """Rules across fields, on the deal as it would be after the write."""
    created, closed = state.get("created_date"), state.get("close_date")
    cancelled, status = state.get("cancellation_date"), state.get("status")
    if created and closed and closed < created:
        c.fail("close_date", f"must not be before created_date ({closed} < {created})")
    if cancelled:
        start = closed or created
        if start and cancelled < start:
            which = "close_date" if closed else "created_date"
            c.fail("cancellation_date", f"must not be before {which} ({cancelled} < {start})")
    if status in {Deal.Status.WON, Deal.Status.LOST} and not closed:
        c.fail("close_date", f"is required when status is {status}")


def _raise_if_errors(c: _Checker) -> None:
    if c.errors:
        ordered = sorted(
            c.errors.items(),
            key=lambda kv: DEAL_FIELDS.index(kv[0]) if kv[0] in DEAL_FIELDS else 99,
        )
        raise DealValidationError(dict(ordered))


def _move_owner_credit(user: User, deal: Deal, previous_owner_id: int) -> None:
    """When the owner changes, the previous owner's owner credit (if any) follows the deal.

    Credits are otherwise left alone: they come from the credits import (splits, overlays).
    """
    previous = Credit.objects.filter(deal=deal, role=Credit.Role.OWNER, rep_id=previous_owner_id)
    keep = Credit.objects.filter(deal=deal, role=Credit.Role.OWNER, rep_id=deal.owner_id).exists()
    for credit in previous:
        before = snapshot(credit)
        if keep:
            credit.delete()
            record(user, "deleted", credit, before=before, note="deal owner changed")
        else:
            credit.rep_id = deal.owner_id
            credit.save(update_fields=["rep"])
            record(
                user,
                "updated",
                credit,
                before=before,
                after=snapshot(credit),
                note="deal owner changed",
            )


def create_deal(*, user: User, data: dict[str, Any], as_of: dt.date | None = None) -> Deal:
    """Create a deal from raw values (account and owner are external ids).

    A rep or manager login that omits ``owner`` gets themself as owner.
    """
    if not can_write_deals(user):
        raise DealPermissionError("this role may not create deals")
    data = dict(data)
    if not data.get("owner") and not user.is_admin_role:
        me = Rep.objects.filter(user=user).only("external_id").first()
        if me is not None:
            data["owner"] = me.external_id
    c = _check_fields(data)
    for name in REQUIRED_ON_CREATE:
        if name not in data:
            c.fail(name, "is required")
    state = {
        "status": Deal.Status.OPEN,
        "deal_type": Deal.Type.NEW,
        **c.values,
    }
    _check_dates(c, state)
    if "owner" in c.values:
        # Permission before the remaining validation errors: no hints to those who may not write.
        _check_owner_writable(user, c.values["owner"], as_of)
    _check_account_usable(c, user, as_of)
    ext = c.values.get("external_id")
    if ext and Deal.objects.filter(external_id=ext).exists():
        c.fail("external_id", f"is taken: a deal with external id {ext!r} already exists")
    _raise_if_errors(c)
    try:
        with transaction.atomic():
            deal = Deal.objects.create(**state)
            record(user, "created", deal, after=snapshot(deal))
            if deal.stage:
                record_stage_change(deal, deal.stage, deal.created_date)
    except IntegrityError as exc:  # a concurrent create with the same external id
        # The database's own message names tables and constraints: not for the caller.
        message = f"is taken: a deal with external id {ext!r} was saved at the same time"
        raise DealValidationError({"external_id": [message]}) from exc
    return deal


def update_deal(
    *, user: User, deal: Deal, data: dict[str, Any], as_of: dt.date | None = None
) -> Deal:
    """Change the given fields of ``deal``; the caller has already checked it can see it."""
    if not can_write_deals(user):
        raise DealPermissionError("this role may not change deals")
    _check_owner_writable(user, deal.owner, as_of)
    c = _check_fields(data)
    if "external_id" in data and c.values.get("external_id") not in (None, deal.external_id):
        c.fail("external_id", "cannot be changed; it identifies the deal for imports")
    state = {name: getattr(deal, name) for name in DEAL_FIELDS if name not in {"account", "owner"}}
    state.update(c.values)
    _check_dates(c, state)
    if "owner" in c.values:
        _check_owner_writable(user, c.values["owner"], as_of)
    if c.values.get("account") not in (None, deal.account):
        _check_account_usable(c, user, as_of)
    _raise_if_errors(c)
    previous_owner_id = deal.owner_id
    changed = [name for name, value in c.values.items() if getattr(deal, name) != value]
    if not changed:
        return deal
    before = snapshot(deal, changed)
    for name in changed:
        setattr(deal, name, c.values[name])
    with transaction.atomic():
        deal.save(update_fields=[*changed, "updated_at"])
        record(user, "updated", deal, before=before, after=snapshot(deal, changed))
        if "owner" in changed:
            _move_owner_credit(user, deal, previous_owner_id)
        if "stage" in changed and deal.stage:
            from attain.people.selectors import today

            record_stage_change(deal, deal.stage, today())
    return deal


def record_stage_change(deal: Deal, stage: str, entered_on: dt.date) -> DealStageChange:
    """Note that ``deal`` entered ``stage`` on ``entered_on`` (once per deal, stage and day)."""
    change, _ = DealStageChange.objects.get_or_create(deal=deal, stage=stage, entered_on=entered_on)
    return change
