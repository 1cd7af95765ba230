"""API: accounts and deals, scoped by the same selectors as the web UI.

A record outside the caller's scope answers 404, exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from attain.api_common import Message, PageIn, ValidationErrors, field_errors, paginate
from attain.imports import services as imports
from attain.people.models import Rep
from attain.sales.models import Deal
from attain.sales.schemas import (
    AccountOut,
    AccountPage,
    BulkDealRow,
    BulkDealsIn,
    BulkDealsOut,
    DealCreateIn,
    DealDetailOut,
    DealPage,
    DealType,
    DealUpdateIn,
    Status,
)
from attain.sales.selectors import (
    accounts_visible_to,
    deals_visible_to,
    search_accounts,
    search_deals,
)
from attain.sales.services import (
    DealPermissionError,
    DealValidationError,
    create_deal,
    update_deal,
)

router = Router()

READ_ERRORS = {401: Message, 404: Message}
WRITE_ERRORS = {401: Message, 403: Message, 404: Message, 422: ValidationErrors}


# Accounts ---------------------------------------------------------------------------------


@router.get(
    "accounts",
    response={200: AccountPage, 401: Message},
    tags=["accounts"],
    summary="List accounts",
)
def list_accounts(
    request,
    page: Query[PageIn],
    q: str = "",
    region: str = "",
    industry: str = "",
    state: str = "",
):
    """Accounts on which the caller can see a deal or an activity (all, for admin and finance).

    ``q`` matches name, external id or postcode prefix; ``region``, ``industry`` and ``state``
    match exactly.
    """
    accounts = search_accounts(
        accounts_visible_to(request.auth),
        q=q,
        region=region.strip(),
        industry=industry.strip(),
        state=state.strip(),
    )
    return paginate(accounts.order_by("name", "id"), page)


@router.get(
    "accounts/{int:account_id}",
    response={200: AccountOut, **READ_ERRORS},
    tags=["accounts"],
    summary="Get an account",
)
def get_account(request, account_id: int):
    return get_object_or_404(accounts_visible_to(request.auth), pk=account_id)


# Deals ------------------------------------------------------------------------------------


@router.get("deals", response={200: DealPage, 401: Message}, tags=["deals"], summary="List deals")
def list_deals(
    request,
    page: Query[PageIn],
    status: Status | None = None,
    deal_type: DealType | None = None,
    owner: str = "",
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
    q: str = "",
):
    """Deals the caller owns or is credited on (a manager: their subtree's; admin and
    finance: all), latest close date first.

    ``owner`` is a rep's external id; ``closed_from`` and ``closed_to`` bound the close date
    (both inclusive); ``q`` matches deal name, deal external id or account name.
    """
    visible = deals_visible_to(request.auth)
    picked = None
    if owner.strip():
        picked = Rep.objects.filter(external_id=owner.strip()).only("id").first()
        if picked is None:
            visible = visible.none()  # an unknown owner matches nothing
    deals = search_deals(
        visible,
        q=q,
        status=status or "",
        deal_type=deal_type or "",
        owner=picked,
        closed_from=closed_from,
        closed_to=closed_to,
    )
    return paginate(deals.order_by("-close_date", "-created_date", "external_id", "id"), page)


def _as_stored(deal: Deal) -> Deal:
    """Answer with what the database holds, not what the caller sent."""
    return Deal.objects.select_related("account", "owner").get(pk=deal.pk)


def _visible_deal(request, deal_id: int):
    return get_object_or_404(deals_visible_to(request.auth), pk=deal_id)


@router.get(
    "deals/{int:deal_id}",
    response={200: DealDetailOut, **READ_ERRORS},
    tags=["deals"],
    summary="Get a deal with its lines and credits",
)
def get_deal(request, deal_id: int):
    return _visible_deal(request, deal_id)


@router.post(
    "deals",
    response={201: DealDetailOut, **WRITE_ERRORS},
    tags=["deals"],
    summary="Create a deal",
)
def post_deal(request, payload: DealCreateIn):
    """Admin: any owner. Manager: an owner in their subtree. Rep: themself. Finance: 403."""
    try:
        deal = create_deal(user=request.auth, data=payload.model_dump())
    except DealPermissionError as exc:
        raise HttpError(403, str(exc)) from exc
    except DealValidationError as exc:
        raise field_errors(exc.errors) from exc
    return 201, _as_stored(deal)


@router.patch(
    "deals/{int:deal_id}",
    response={200: DealDetailOut, **WRITE_ERRORS},
    tags=["deals"],
    summary="Change some fields of a deal",
)
def patch_deal(request, deal_id: int, payload: DealUpdateIn):
    """Only the fields sent change. Same write rules as create, for the current and the new
    owner; a deal outside the caller's scope is 404."""
    deal = _visible_deal(request, deal_id)
    try:
        deal = update_deal(
            user=request.auth, deal=deal, data=payload.model_dump(exclude_unset=True)
        )
    except DealPermissionError as exc:
        raise HttpError(403, str(exc)) from exc
    except DealValidationError as exc:
        raise field_errors(exc.errors) from exc
    return 200, _as_stored(deal)


@router.post(
    "deals/bulk",
    response={200: BulkDealsOut, 401: Message, 403: Message, 422: BulkDealsOut | ValidationErrors},
    tags=["deals"],
    summary="Upsert many deals by external id (admin)",
)
def bulk_deals(request, payload: BulkDealsIn):
    """Create or update deals by ``external_id``, in the deals import format (account and
    owner are external ids). Atomic: if any row is bad nothing is written and the answer is
    422 with every error. ``dry_run`` reports what would change without writing."""
    user = request.auth
    if not user.is_admin_role:
        raise HttpError(403, "only an admin may bulk upsert deals")
    rows = _rows_as_in_a_file(payload)
    report = imports.import_rows(
        "deals", rows, file_name="api", dry_run=payload.dry_run, source="api", user=user
    )
    body = _report_body(report, payload.dry_run)
    return (200 if body["ok"] else 422), body


def _rows_as_in_a_file(payload: BulkDealsIn) -> list[dict[str, str]]:
    """Rows as an import file would give them: the columns sent in any row, in the format's
    order, each cell text ("" when absent or null)."""
    sent = [row.model_dump(exclude_unset=True) for row in payload.deals]
    columns = [name for name in BulkDealRow.model_fields if any(name in row for row in sent)]
    return [{name: _cell(row.get(name)) for name in columns} for row in sent]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _report_body(report: Any, dry_run: bool) -> dict[str, Any]:
    errors = [
        {
            "file": str(getattr(e, "file", "api") or "api"),
            "row": getattr(e, "row", None),
            "column": _text_or_none(getattr(e, "column", None)),
            "value": _text_or_none(getattr(e, "value", None)),
            "reason": str(getattr(e, "reason", e)),
            "index": _row_index(getattr(e, "row", None)),
        }
        for e in report.errors
    ]
    return {
        "ok": bool(report.ok) and not errors,
        "dry_run": dry_run,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": errors,
    }


def _row_index(row: Any) -> int | None:
    """The importer counts API rows from 1: row 1 is ``deals[0]``."""
    return row - 1 if isinstance(row, int) and row >= 1 else None


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
