"""Submitting forecast calls. A call is never changed afterwards: a new call supersedes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attain.audit.services import record, snapshot
from attain.common import DEFAULT_CURRENCY, MONEY_DIGITS, MONEY_PLACES
from attain.forecasts import selectors
from attain.forecasts.models import ForecastCall
from attain.people import selectors as people
from attain.people.models import Rep, User

NOTE_LENGTH = 2000
LARGEST = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES) - Decimal("0.01")


def _amount(name: str, value) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({name: f"{value!r} is not a number"}) from error
    if not amount.is_finite():
        raise ValidationError({name: f"{value!r} is not a number"})
    if amount < 0:
        raise ValidationError({name: "must not be negative"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({name: "has more than two decimal places"})
    if amount > LARGEST:
        raise ValidationError({name: f"must be at most {LARGEST:,}"})
    return amount.quantize(Decimal("0.01"))


def submit_call(
    *,
    by: User | None,
    rep: Rep,
    scope: str,
    period: str,
    commit,
    best_case,
    note: str = "",
    at: dt.datetime | None = None,
) -> ForecastCall:
    """Record ``rep``'s call for ``period`` (a month or a quarter that has not ended).

    ``by`` must be the rep's own login (and, for a team call, a manager leading a team);
    ``by=None`` is the system (the demo generator), which may also date a call in the past
    with ``at``. Raises PermissionDenied or ValidationError (by field); writes nothing then.
    """
    if at is None:
        at, day = timezone.now(), people.today()
    else:
        day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
    if scope not in ForecastCall.Scope.values:
        raise ValidationError({"scope": f"{scope!r} is not one of {', '.join(ForecastCall.Scope)}"})
    if by is not None and not selectors.may_call(by, rep, scope, day):
        if scope == ForecastCall.Scope.TEAM:
            raise PermissionDenied("Only a manager calls for the team they lead.")
        raise PermissionDenied("A rep's call is theirs to make: only they submit it.")
    try:
        window = selectors.forecast_period(period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from error
    if window.has_ended(day):
        raise ValidationError({"period": f"{window.title} has ended: call a current period"})
    errors = {}
    amounts = {}
    for name, value in (("commit", commit), ("best_case", best_case)):
        try:
            amounts[name] = _amount(name, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors and amounts["best_case"] < amounts["commit"]:
        errors["best_case"] = ["must be at least the commit"]
    if len(note) > NOTE_LENGTH:
        errors["note"] = [f"must be at most {NOTE_LENGTH} characters"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        call = ForecastCall.objects.create(
            rep=rep,
            scope=scope,
            period=window.label,
            commit=amounts["commit"],
            best_case=amounts["best_case"],
            currency=DEFAULT_CURRENCY,
            note=note.strip(),
            submitted_by=by,
            submitted_at=at,
        )
        record(by, "forecast.call", call, after=snapshot(call))
    return call
