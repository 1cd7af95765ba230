"""Balanced territories for large books: weighted recursive coordinate bisection plus a
border repair (pure, no Django; NumPy and OR-Tools).

1. **Bisection.** A group of accounts that must make ``k`` territories is cut across its
   longer side (x or y extent) so that the first part holds ⌊k/2⌋/k of its weight; each part
   is cut again until every part is one territory. Cutting at the exact weighted quantile
   would leave up to one account's weight of error per cut, and with a long tail of large
   accounts that alone can exceed the band, so each cut is *filled*: the accounts just past
   the cut line (nearest it first) join the first part when they fit in what it still
   lacks, until it is within ``FILL`` × tolerance of a territory's mean weight (and, if
   that is not reached, the one account that lands closest). The cut stays a near-straight
   line with a slightly ragged edge.
2. **Home bases and locks.** Territories are numbered in bisection order; home bases
   (``seeds``) and groups of locked accounts then claim territories by a linear assignment
   (nearest centre for a home base, most of the group's accounts for a lock), so territory
   ``i`` is the one grown around home base ``i``. Locked accounts that landed elsewhere are
   moved into their territory.
3. **Repair.** A few rounds give each stray piece of a territory (on the neighbourhood
   graph) to the territory it touches most, then ``borders.rebalance`` moves accounts
   between adjacent territories, nearest the border first, back into the band. Of the
   plans inside the band (the bare bisection included) the one with the most territories
   in one piece is kept. Only when none is inside the band (locks, say) may weight also
   cross to the ``REACH`` nearest other centres.

Same inputs, same plan (no randomness; ties by index); ``seed`` is accepted for the same
call shape as ``balance.design`` and does not change the result.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from attain.territories.design import borders, metrics
from attain.territories.design.balance import DesignError, Plan

FILL = 0.1  # each cut lands within this share of the tolerance of its target weight
BAND = 4096  # accounts past the cut line considered for filling it
MERGES = 4  # rounds of giving stray pieces away and rebalancing
ROUNDS = 12  # border-flow rounds after each
STRAY = 25.0  # stray pieces up to STRAY × tolerance × mean weight move (half at 2%)
REACH = 8  # last resort: weight may also go to the 8 nearest other centres


def bisect(x, y, weight, k: int, *, tolerance: float = 0.02) -> np.ndarray:
    """Territory index per account from weighted recursive coordinate bisection."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    w = np.asarray(weight, float)
    mean_w = w.sum() / n if n else 0.0
    w = w + (mean_w * 1e-6 if mean_w > 0 else 1.0)  # zero weights split by count
    fine = FILL * tolerance * w.sum() / k
    perm = np.arange(n)
    assign = np.empty(n, dtype=np.int64)
    stack = [(0, n, k, 0)]  # (start, stop, territories, first label)
    while stack:
        start, stop, parts, label = stack.pop()
        idx = perm[start:stop]
        if parts == 1:
            assign[idx] = label
            continue
        left_parts = parts // 2
        px, py = x[idx], y[idx]
        coord = px if np.ptp(px) >= np.ptp(py) else py
        order = np.lexsort((idx, coord))
        idx = idx[order]
        ws = w[idx]
        cum = np.cumsum(ws)
        target = cum[-1] * left_parts / parts
        m = len(idx)
        c = int(np.searchsorted(cum, target, side="right"))
        c = min(max(c, left_parts), m - (parts - left_parts))
        need = target - (cum[c - 1] if c else 0.0)
        take = np.zeros(m, bool)
        take[:c] = True
        if need > fine:
            limit = min(m, c + BAND)
            for j in range(c, limit):
                if ws[j] <= need:  # never overshoot while filling
                    take[j] = True
                    need -= ws[j]
                    if need <= fine:
                        break
            if need > fine:  # last: the one account past the line that lands closest
                rest = np.flatnonzero(~take[c:limit]) + c
                if len(rest):
                    j = int(rest[np.argmin(np.abs(need - ws[rest]))])
                    if abs(need - ws[j]) < need:
                        take[j] = True
            if take.sum() > m - (parts - left_parts):  # keep an account per territory
                take[np.flatnonzero(take)[m - (parts - left_parts) :]] = False
        left, right = idx[take], idx[~take]
        perm[start : start + len(left)] = left
        perm[start + len(left) : stop] = right
        stack.append((start + len(left), stop, parts - left_parts, label + left_parts))
        stack.append((start, start + len(left), left_parts, label))
    return assign


def _claim(x, y, weight, assign, k, seeds, locked) -> np.ndarray:
    """Renumber the territories so home base i and lock group i get territory i."""
    centres = borders.centres_of(x, y, weight, assign, k)
    wanted = sorted(set(range(len(seeds))) | set(locked.values()))
    if not wanted:
        return assign
    cost = np.zeros((len(wanted), k))
    for row, t in enumerate(wanted):
        if t < len(seeds):
            sx, sy = seeds[t]
            cost[row] += np.hypot(centres[:, 0] - sx, centres[:, 1] - sy)
        members = [i for i, lt in locked.items() if lt == t]
        if members:  # each locked account away from a territory costs a long way
            hits = np.bincount(assign[members], minlength=k)
            cost[row] += (len(members) - hits) * 1e6
    rows, cols = linear_sum_assignment(cost)
    target = np.full(k, -1)
    for r, c in zip(rows, cols, strict=True):
        target[c] = wanted[r]
    free = iter(t for t in range(k) if t not in set(wanted))
    for c in range(k):
        if target[c] < 0:
            target[c] = next(free)
    return target[assign]


def design(
    x,
    y,
    weight,
    k: int,
    *,
    tolerance: float = 0.02,
    locked: dict[int, int] | None = None,
    seeds=None,
    seed: int = 0,
    edges=None,
) -> Plan:
    """A balanced split of many accounts into ``k`` territories (see the module doc).

    ``locked`` maps account index → territory index; ``seeds`` are home bases, in
    territory order. ``edges`` is the neighbourhood graph (``metrics.neighbour_edges``),
    computed when not given; pass it to reuse it for the metrics.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    weight = np.asarray(weight, dtype=np.int64)
    n = len(x)
    if k < 1:
        raise DesignError("Ask for at least one territory.")
    if n < k:
        raise DesignError(f"{n} accounts cannot fill {k} territories.")
    if (weight < 0).any():
        raise DesignError("Weights must not be negative.")
    locked = dict(locked or {})
    if any(not 0 <= t < k for t in locked.values()):
        raise DesignError(f"A locked account points to a territory outside 0..{k - 1}.")
    seeds = [tuple(map(float, s)) for s in (seeds or [])][:k]
    assign = bisect(x, y, weight, k, tolerance=tolerance)
    assign = _claim(x, y, weight, assign, k, seeds, locked)
    movable = np.ones(n, bool)
    for i, t in locked.items():
        assign[i] = t
        movable[i] = False
    notes: list[str] = []
    if edges is None:
        edges = metrics.neighbour_edges(x, y)
    # Candidates: the bisection itself, then rounds of giving stray pieces to the territory
    # they touch and rebalancing across borders. The one inside the band with the most
    # territories in one piece wins (the earliest on a tie).
    best, best_score, rounds = None, -1, 0
    largest = STRAY * tolerance * weight.sum() / k
    for step in range(MERGES + 1):
        if step:
            merged = borders.merge_strays(
                assign, k, edges, movable=movable, weight=weight, largest=largest
            )
            if np.array_equal(merged, assign):
                break
            assign, done = borders.rebalance(
                x, y, weight, merged, k, edges, tolerance=tolerance, movable=movable,
                rounds=ROUNDS,
            )  # fmt: skip
            rounds += done + 1
            loads = np.bincount(assign, weights=weight, minlength=k)
            if borders.max_deviation(loads) > tolerance + borders.EPS:  # islands: cross gaps
                assign, done = borders.rebalance(
                    x, y, weight, assign, k, edges, tolerance=tolerance, movable=movable,
                    rounds=ROUNDS, reach=REACH,
                )  # fmt: skip
                rounds += done
        loads = np.bincount(assign, weights=weight, minlength=k)
        if borders.max_deviation(loads) <= tolerance + borders.EPS:
            score = sum(1 for p in metrics.pieces(assign, edges, k) if p == 1)
            if score > best_score:
                best, best_score = assign.copy(), score
            if score == k:
                break
    if best is None:  # borders alone could not balance: let weight cross gaps too
        best, done = borders.rebalance(
            x, y, weight, assign, k, edges, tolerance=tolerance, movable=movable, reach=REACH
        )
        rounds += done
    assign = best
    loads = np.bincount(assign, weights=weight, minlength=k)
    if borders.max_deviation(loads) > tolerance + borders.EPS:
        notes.append("Some territories stay outside the tolerance (locked or very large accounts).")
    centres = borders.centres_of(x, y, weight, assign, k)
    return Plan(assignment=assign, centres=centres, iterations=rounds, notes=notes)
