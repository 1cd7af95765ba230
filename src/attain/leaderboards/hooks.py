"""Entry points other apps call when deals become won; each publishes one live event.

The importer writes with raw SQL (no ``post_save``), so it calls ``after_import``.
"""

from __future__ import annotations

from attain.leaderboards.live import publish
from attain.sales.models import Deal

IMPORT_ENTITIES = {"deals", "credits"}


# Candidates for the celebration banner, biggest first; few, to keep a NOTIFY payload small.
CELEBRATION_CANDIDATES = 10


def _event(deals: list[Deal], source: str) -> dict:
    """The deals that changed, and who to celebrate. A board celebrates only a deal that
    counts on it, so each candidate carries its deal id (see streams._message)."""
    biggest = sorted(deals, key=lambda d: (d.amount, d.pk), reverse=True)
    return {
        "source": source,
        "deal_ids": [d.pk for d in deals],
        "wins": [
            [d.pk, d.owner.name[:80], (d.name or d.external_id)[:80]]
            for d in biggest[:CELEBRATION_CANDIDATES]
        ],
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
        publish({"source": "import", "deal_ids": [], "wins": []})
