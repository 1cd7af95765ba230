"""Standings as a viewer sees them: amounts hidden where privacy says so."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from attain.leaderboards.selectors import Standings


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

    @property
    def arrow(self) -> str:
        if self.movement is None:
            return "new" if self.scored else "none"
        if self.movement > 0:
            return "up"
        if self.movement < 0:
            return "down"
        return "same"


def view_rows(standings: Standings, visible, own: frozenset[str]) -> list[ViewRow]:
    """``visible`` is None (every amount) or the row keys whose amounts the viewer sees."""
    return [
        ViewRow(
            rank=row.rank,
            key=row.key,
            name=row.name,
            value_text=(
                standings.display_value(row.value)
                if visible is None or row.key in visible or row.key in own
                else None
            ),
            percent=row.percent_of_leader,
            movement=row.movement,
            is_me=row.key in own,
            scored=row.value > 0,
        )
        for row in standings.rows
    ]


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
        },
    )
