"""Realignment of large books by border flows (pure, no Django).

``balance.realign`` gives every account an arc to several territories, which is too big a
flow at 100,000 accounts and 500 territories. Here the two levels are separate
(``borders.rebalance``): a min-cost flow on the territory adjacency graph decides how much
weight crosses each border, then the movable accounts on each border cross, nearest the
border first. Weight only moves between neighbouring territories, so a region that grew
passes its excess outwards through a chain of small shifts instead of redrawing itself.

``move_penalty_km`` is added to the cost of every border crossing (on top of the distance
between the two centres): a larger penalty prefers fewer, shorter chains of moves. Protected
accounts (locked, or with an open deal) never move. New territories (``k`` above today's
count) start from the movable account nearest their home base (``seeds``) and grow by the
same flows.
"""

from __future__ import annotations

import numpy as np

from attain.territories.design import borders, metrics
from attain.territories.design.balance import DesignError, Plan

AIM = 0.8  # aim inside this share of the tolerance, so whole accounts land inside it
REACH = 1000  # each territory may also send weight to its 1,000 nearest other centres


def realign(
    x,
    y,
    weight,
    current,
    k: int | None = None,
    *,
    tolerance: float = 0.05,
    move_penalty_km: float = 50.0,
    protected=None,
    seeds=None,
    edges=None,
) -> Plan:
    """Rebalance today's plan ``current`` (territory index per account) moving accounts only
    across borders. Same call shape as ``balance.realign``; ``edges`` is the account
    neighbourhood graph (computed when not given)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    weight = np.asarray(weight, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    n = len(x)
    k_now = int(current.max()) + 1 if n else 0
    k = k or k_now
    protected = np.zeros(n, bool) if protected is None else np.asarray(protected, bool)
    assign = current.copy()
    extra = k - k_now
    if extra > 0:
        seeds = list(seeds or [])
        if len(seeds) < extra:
            raise DesignError(f"Give a home base for each of the {extra} new territories.")
        for t, (sx, sy) in enumerate(seeds[:extra], start=k_now):
            free = np.flatnonzero(~protected & (np.bincount(assign, minlength=k)[assign] > 1))
            if not len(free):
                raise DesignError("No account can move to the new territories.")
            assign[free[np.argmin(np.hypot(x[free] - sx, y[free] - sy))]] = t
    if edges is None:
        edges = metrics.neighbour_edges(x, y)
    assign, rounds = borders.rebalance(
        x, y, weight, assign, k, edges, tolerance=tolerance, movable=~protected,
        hop_penalty_km=move_penalty_km, aim=AIM, once=True, reach=REACH,
    )  # fmt: skip
    notes = []
    loads = np.bincount(assign, weights=weight, minlength=k)
    if borders.max_deviation(loads) > tolerance + borders.EPS:
        notes.append(
            "Some territories stay outside the tolerance: protected accounts or borders "
            "without movable accounts hold them."
        )
    centres = borders.centres_of(x, y, weight, assign, k)
    return Plan(assignment=assign, centres=centres, iterations=rounds, notes=notes)
