"""Entry points other apps call when deals become won; each publishes one live event.

The importer writes with raw SQL (no ``post_save``), so it calls ``after_import``.
"""

from __future__ import annotations

from attain.leaderboards.live import publish
from attain.sales.models import Deal

IMPORT_ENTITIES = {"deals", "credits"}


def _event(deals: list[Deal], source: str) -> dict:
    top = max(deals, key=lambda d: (d.amount, d.pk))
    return {
        "source": source,
        "deal_ids": [d.pk for d in deals],
        "winner": top.owner.name,
        "deal": top.name or top.external_id,
    }


def deal_won(deal: Deal) -> None:
    publish(_event([deal], "deal"))


def after_import(report) -> None:
    """After an applied import of deals or credits, wake the boards (once per import)."""
    if report.dry_run or report.errors or report.entity not in IMPORT_ENTITIES:
        return
    if not (report.created or report.updated):
        return
    keys = [o.key for o in report.outcomes if o.outcome in {"created", "updated"}]
    if report.entity == "deals":
        won = Deal.objects.filter(external_id__in=keys, status=Deal.Status.WON)
    else:
        won = Deal.objects.none()
    deals = list(won.select_related("owner")[:500])
    if deals:
        publish(_event(deals, "import"))
    else:
        publish({"source": "import", "deal_ids": [], "winner": "", "deal": ""})
