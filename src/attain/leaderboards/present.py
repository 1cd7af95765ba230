"""Standings as a viewer sees them: amounts hidden where privacy says so.

Percentages (of the leader, of quota) are never hidden: a "ranks and % only" board shows
peers their rank and % of quota, never their amounts (won revenue, quota). Boards never
show pay (commission) to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from attain.leaderboards.selectors import Row, Standings
from attain.reports.selectors import format_money

NO_QUOTA = "no quota"


@dataclass(frozen=True)
class ViewRow:
    rank: int
    key: str
    name: str
    value_text: str | None  # None: hidden from this viewer
    percent: int
    movement: int | None
    is_me: bool
    scored: bool  # has a value above zero in this window
    quota_text: str | None = None  # "104.2%" or "no quota"; None: board shows no quota
    quota_bar: int = 0  # width of the progress bar, 0-100
    has_quota: bool = False

    @property
    def arrow(self) -> str:
        if self.movement is None:
            return "new" if self.scored else "none"
        if self.movement > 0:
            return "up"
        if self.movement < 0:
            return "down"
        return "same"


def _value_text(standings: Standings, row: Row, shown: bool) -> str | None:
    if not shown:
        return None
    if standings.is_attainment:
        if not row.has_quota:
            return NO_QUOTA
        return f"{format_money(row.won)} of {format_money(row.quota_amount)}"
    return standings.display_value(row.value)


def _quota(standings: Standings, row: Row) -> tuple[str | None, int]:
    if not standings.shows_quota:
        return None, 0
    percent = row.to_quota
    if percent is None:
        return NO_QUOTA, 0
    return f"{percent}%", max(0, min(100, int(percent)))


def view_rows(standings: Standings, visible, own: frozenset[str]) -> list[ViewRow]:
    """``visible`` is None (every amount) or the row keys whose amounts the viewer sees."""
    rows = []
    for row in standings.rows:
        shown = visible is None or row.key in visible or row.key in own
        quota_text, quota_bar = _quota(standings, row)
        rows.append(
            ViewRow(
                rank=row.rank,
                key=row.key,
                name=row.name,
                value_text=_value_text(standings, row, shown),
                percent=row.percent_of_leader,
                movement=row.movement,
                is_me=row.key in own,
                scored=row.value > 0,
                quota_text=quota_text,
                quota_bar=quota_bar,
                has_quota=row.has_quota,
            )
        )
    return rows


def standings_html(standings: Standings, visible, own: frozenset[str], *, wall=False) -> str:
    rows = view_rows(standings, visible, own)
    return render_to_string(
        "leaderboards/_standings.html",
        {
            "standings": standings,
            "rows": rows,
            "wall": wall,
            # A wall screen leaves out the amount column when every amount is hidden.
            "amounts": not wall or any(r.value_text is not None for r in rows),
            "quota": standings.shows_quota,
        },
    )
