"""``POST /api/webhooks/deals``: a CRM tells Attain that a deal was won.

The request is authenticated by an HMAC-SHA256 signature, never by a user token or session:
the sender puts the Unix time in ``X-Attain-Timestamp`` and signs ``<timestamp>.<raw body>``
into ``X-Attain-Signature: sha256=<hex digest>``, keyed with the secret of a
``WebhookIntegration`` (created and revoked by admins in the Django admin) or with the
``ATTAIN_WEBHOOK_SECRET`` environment variable. A request signed more than
``TOLERANCE`` away from the server's clock is refused, so a captured request cannot be
replayed later (to set a deal back to what it was, say). The payload::

    {"event": "deal.won",
     "deal": {"external_id": "OPP-1", "amount": "12000.00", "close_date": "2026-03-02",
              "owner": "R-0042", "account": "A-0007", "name": "...", ...}}

The deal is upserted by ``external_id`` through the sales services (``create_deal`` /
``update_deal``: the same validation, audit entries and ``post_save`` signal that wakes the
live leaderboards), with status ``won``. Sending the same payload again changes nothing
(answer ``unchanged``), so the sender's retries (signed afresh) are harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict, Field
from pydantic import ValidationError as PydanticError

from attain.api_common import DecimalIn, Message, ValidationErrors, field_name
from attain.leaderboards.models import WebhookIntegration
from attain.people.models import User
from attain.sales.models import Deal
from attain.sales.services import (
    DealPermissionError,
    DealValidationError,
    create_deal,
    update_deal,
)

SIGNATURE_HEADER = "X-Attain-Signature"
TIMESTAMP_HEADER = "X-Attain-Timestamp"
# How far the signing time may be from the server's clock (either way: clocks drift).
TOLERANCE = dt.timedelta(minutes=5)
LAST_DATETIME = 253_402_300_800  # 10000-01-01T00:00:00Z: beyond it no datetime to show
ENV_SECRET = "ATTAIN_WEBHOOK_SECRET"
ENV_USER = "ATTAIN_WEBHOOK_USER"
EVENTS = ("deal.won",)


class WebhookDeal(Schema):
    """The deal as the CRM knows it. Account and owner are Attain external ids. Fields a CRM
    adds that Attain does not know are ignored."""

    model_config = ConfigDict(extra="ignore")

    external_id: str = Field(min_length=1, max_length=64)
    amount: DecimalIn
    close_date: dt.date
    owner: str = Field(min_length=1)
    account: str = Field(min_length=1)
    name: str | None = None
    stage: str | None = None
    deal_type: Literal["new", "renewal", "expansion"] | None = None
    currency: str | None = None
    margin: DecimalIn | None = None
    units: DecimalIn | None = None
    created_date: dt.date | None = None


class WebhookIn(Schema):
    model_config = ConfigDict(extra="ignore")

    event: Literal["deal.won"]
    deal: WebhookDeal


class WebhookOut(Schema):
    status: Literal["created", "updated", "unchanged"]
    deal_id: int
    external_id: str


def _env_secret() -> str:
    return os.environ.get(ENV_SECRET) or getattr(settings, ENV_SECRET, "") or ""


def _env_user() -> User | None:
    username = os.environ.get(ENV_USER) or getattr(settings, ENV_USER, "")
    users = User.objects.filter(is_active=True)
    if username:
        return users.filter(username=username).first()
    return users.filter(Q(is_superuser=True) | Q(role=User.Role.ADMIN)).order_by("id").first()


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """The header value a sender puts in ``X-Attain-Signature`` for ``body`` sent with
    ``X-Attain-Timestamp: <timestamp>``."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class SignatureError(Exception):
    """Why a request is refused (401)."""


def signing_time(header: str | None, now: dt.datetime | None = None) -> str:
    """The ``X-Attain-Timestamp`` value, checked: whole seconds since the Unix epoch,
    within ``TOLERANCE`` of ``now``."""
    if not header:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} (Unix time in seconds)")
    value = header.strip()
    if not value.isascii() or not value.isdigit():
        raise SignatureError(f"{TIMESTAMP_HEADER} must be a Unix time in whole seconds")
    now = now or timezone.now()
    seconds = int(value)
    if abs(seconds - now.timestamp()) > TOLERANCE.total_seconds():
        minutes = int(TOLERANCE.total_seconds() // 60)
        when = (
            f"{dt.datetime.fromtimestamp(seconds, tz=dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
            if seconds < LAST_DATETIME
            else "beyond the year 9999"
        )
        raise SignatureError(
            f"{TIMESTAMP_HEADER} is more than {minutes} minutes from the server's time "
            f"({when}): refused as a possible replay; sign each request when it is sent "
            "(and check the sender's clock)"
        )
    return value


def verify(
    header: str | None, timestamp: str | None, body: bytes
) -> tuple[WebhookIntegration | None, User]:
    """(integration or None for the environment secret, acting user) whose secret signed
    ``timestamp`` and ``body``; ``SignatureError`` if none did or the timestamp is stale."""
    if not header or not header.startswith("sha256="):
        raise SignatureError(f"bad or missing signature ({SIGNATURE_HEADER}: sha256=<hex>)")
    signed_at = signing_time(timestamp)
    found = None
    # Compare with every active secret (there are few), in constant time each.
    for integration in WebhookIntegration.objects.filter(revoked_at__isnull=True).select_related(
        "acts_as"
    ):
        if hmac.compare_digest(sign(integration.secret, body, signed_at), header.strip()):
            found = (integration, integration.acts_as)
    secret = _env_secret()
    env_signed = secret and hmac.compare_digest(sign(secret, body, signed_at), header.strip())
    if found is None and env_signed:
        user = _env_user()
        if user is not None:
            found = (None, user)
    if found is None:
        raise SignatureError(
            f"bad signature: {SIGNATURE_HEADER} must be sha256=<hex> of HMAC-SHA256 of "
            f"'<{TIMESTAMP_HEADER}>.<raw body>' with an active secret"
        )
    return found


def _problem(loc: list, msg: str, kind: str = "value_error") -> dict[str, Any]:
    loc = list(loc)
    return {"field": field_name(loc), "msg": msg, "loc": loc, "type": kind}


def _invalid(problems: list[dict[str, Any]]):
    return 422, {"detail": problems}


def _payload_errors(exc: PydanticError) -> list[dict[str, Any]]:
    return [
        _problem(["body", *e.get("loc", ())], str(e.get("msg", "is invalid")), str(e["type"]))
        for e in exc.errors()
    ]


def _service_errors(errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        _problem(["body", "deal", name], f"{name} {message}")
        for name, messages in errors.items()
        for message in messages
    ]


def _fields(deal: WebhookDeal) -> dict[str, Any]:
    data = deal.model_dump(exclude_none=True)
    data["status"] = Deal.Status.WON
    return data


def upsert_won_deal(user: User, deal: WebhookDeal) -> tuple[str, Deal]:
    """Create or update the deal by external id, as won. Raises the sales services' errors."""
    data = _fields(deal)
    existing = Deal.objects.filter(external_id=deal.external_id).first()
    if existing is None:
        data.setdefault("created_date", deal.close_date)
        try:
            return "created", create_deal(user=user, data=data)
        except DealValidationError as exc:
            existing = Deal.objects.filter(external_id=deal.external_id).first()
            if existing is None or "external_id" not in exc.errors:
                raise
            # Created meanwhile by a concurrent delivery of the same event: update instead.
    data.pop("external_id")
    data.pop("created_date", None)  # kept from when the deal was first seen
    before = existing.updated_at
    updated = update_deal(user=user, deal=existing, data=data)
    return ("unchanged" if updated.updated_at == before else "updated"), updated


def build_router() -> Router:
    router = Router()

    @router.post(
        "webhooks/deals",
        auth=None,
        response={
            200: WebhookOut,
            201: WebhookOut,
            401: Message,
            403: Message,
            422: ValidationErrors,
        },
        tags=["webhooks"],
        summary="A deal was won in the CRM (signed webhook)",
    )
    def deal_webhook(request):
        """Upsert a won deal by ``external_id``. Signed with HMAC-SHA256 over
        ``<X-Attain-Timestamp>.<raw body>`` (``X-Attain-Signature: sha256=<hex>``), the
        timestamp within five minutes of the server's time. 201 created, 200 updated or
        unchanged (a retry), 401 bad signature or stale timestamp, 422 invalid payload (each
        bad field named)."""
        body = request.body
        try:
            integration, user = verify(
                request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER), body
            )
        except SignatureError as exc:
            return 401, {"detail": str(exc)}
        if integration is not None:
            WebhookIntegration.objects.filter(pk=integration.pk).update(last_used_at=timezone.now())
        try:
            raw = json.loads(body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            return _invalid([_problem(["body"], f"is not JSON: {exc}", "json_invalid")])
        if isinstance(raw, dict) and raw.get("event") not in EVENTS and "event" in raw:
            msg = f"event must be one of {', '.join(EVENTS)} (got {raw.get('event')!r})"
            return _invalid([_problem(["body", "event"], msg)])
        try:
            payload = WebhookIn.model_validate(raw)
        except PydanticError as exc:
            return _invalid(_payload_errors(exc))
        try:
            outcome, deal = upsert_won_deal(user, payload.deal)
        except DealPermissionError as exc:
            return 403, {"detail": f"the integration's user may not write this deal: {exc}"}
        except DealValidationError as exc:
            return _invalid(_service_errors(exc.errors))
        answer = {"status": outcome, "deal_id": deal.pk, "external_id": deal.external_id}
        return (201 if outcome == "created" else 200), answer

    return router


router = build_router()
