"""Balanced territories for large books: weighted recursive coordinate bisection that
keeps territories in one piece on the neighbourhood graph, plus a border repair (pure, no
Django; NumPy, SciPy and OR-Tools).

1. **Groups.** A territory that straddles two components of the neighbourhood graph
   (``metrics.neighbour_edges``; separate cities when the graph is the nearest-neighbour
   graph alone) can never be in one piece. So each component that holds a whole number of
   territories within ``SLACK`` × tolerance gets that number and is cut on its own; the
   others (small towns) join the nearby group they make whole (``groups``).
2. **Cuts.** A group of accounts that must make ``k`` territories is sorted along its longer
   side (x or y extent) and cut so that the first part holds ⌊k/2⌋/k of its weight; each
   part is cut again until every part is one territory. The exact weighted quantile would
   leave up to one account's weight of error per cut, which with a long tail of large
   accounts can exceed the band, so each cut is *filled* (``_fill``): accounts past the
   line that touch the first part on the graph join it, nearest the line first, while they
   fit in what it still lacks, until it is within ``FILL`` × tolerance of its target.
   Then the *stray pieces* of each side (connected on the graph, but not to the main piece
   of their side and component) that touch the other side's main piece change sides
   (``_strays``; only pieces up to ``PIECE`` of a territory's weight, looked for within
   ``SPAN`` √m places of the line); fill and strays repeat up to ``PASSES`` times. A cut
   still off by more than a territory's tolerance is tried along the other axis; if that
   fails too, any account past the line may fill it (balance first). A straight cut along
   a sorted coordinate leaves both sides nearly whole already, so this has little to do;
   each cut is exact, so the bisection lands inside the band.
3. **Home bases and locks.** Territories are numbered in bisection order; home bases
   (``seeds``) and groups of locked accounts then claim territories by a linear assignment
   (the territory of the nearest account, then the nearest centre for a home base; most of
   the group's accounts for a lock), so territory ``i`` is the one grown around home base
   ``i``. Locked accounts that landed elsewhere are moved into their territory.
4. **Repair.** Small pieces cut off by balance-first fills go to the territory they touch
   most; the few territories outside the band are repaired by border flows
   (``borders.rebalance``) that move only accounts whose territory stays in one piece
   without them (``borders.keeps_whole``), and a small piece cut off all the same goes
   back. Up to ``metrics.MST_LIMIT`` accounts (a graph with the spanning tree, one
   component) and while fewer than ``ENOUGH`` of the territories are in one piece, rounds
   give the pieces still apart to the territory they touch most and repair again (any
   border account, then across gaps, if keeping territories whole is not enough). Of the
   plans inside the band the one with the most territories in one piece is kept. Only when
   none is inside the band (locks, say) may weight also cross to the ``REACH`` nearest
   other centres.

Same inputs, same plan (no randomness; ties by index); ``seed`` is accepted for the same
call shape as ``balance.design`` and does not change the result.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from attain.territories.design import borders, metrics
from attain.territories.design.balance import DesignError, Plan

FILL = 0.1  # each cut lands within this share of the tolerance of its target weight
BAND = 4096  # accounts past the cut line considered for filling it
SLACK = 0.5  # a group of graph components fits when its share per territory is this close
GROUP_LIMIT = 500  # more graph components than this: one group (merging costs up to C³)
NEAR = 3  # a misfit joins the nearest of its 3 nearest groups that it makes fit
PIECE = 0.5  # stray pieces up to this share of a territory's weight change sides at a cut
PASSES = 4  # rounds of moving stray pieces and refilling, per cut
LAYERS = 32  # layers of accounts a fill may take, each touching the last
SPAN = 16  # pieces are looked for within 16 √m places of the line (m accounts in the group)
REPAIRS = 3  # rounds of border flows (then giving back cut-off pieces) per candidate
ROUNDS = 12  # border-flow rounds in each
FRAY = 0.5  # pieces cut off by a repair, up to FRAY × tolerance × mean weight, go back
MERGES = 3  # rounds of giving away pieces still apart, each followed by a repair
STRAY = 25.0  # pieces up to STRAY × tolerance × mean weight are given away (half at 2%)
ENOUGH = 0.98  # stop looking for a more contiguous plan at 98% of territories in one piece
REACH = 8  # last resort: weight may also go to the 8 nearest other centres


def components(n: int, edges) -> tuple[int, np.ndarray]:
    """Connected components of the neighbourhood graph: count and label per account."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(edges), np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)


def groups(x, y, weight, k: int, label, *, tolerance: float = 0.02):
    """Split the territories among the graph's components: ``(group per component,
    territories per group)``.

    A component whose weight is within ``SLACK × tolerance`` of a whole number of
    territories gets that number, so no territory has to straddle two components (it could
    never be in one piece). A group that does not fit (a small town, say), smallest first,
    merges with the first of its ``NEAR`` nearest groups (by the centres of their
    components) with which it fits, else with the nearest, until every group fits or one
    is left; then the counts are nudged to add up to ``k`` where that costs least. A group
    never gets more territories than accounts; when the counts cannot add up, or there are
    more than ``GROUP_LIMIT`` components, everything is one group.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    w = np.asarray(weight, float)
    label = np.asarray(label, np.int64)
    count = int(label.max()) + 1 if len(label) else 0
    if count <= 1 or count > GROUP_LIMIT:
        return np.zeros(count, np.int64), np.array([k])
    mean = w.sum() / k
    share = np.bincount(label, weights=w, minlength=count) / mean if mean else np.zeros(count)
    size = np.bincount(label, minlength=count)
    cx = np.bincount(label, weights=x, minlength=count) / size
    cy = np.bincount(label, weights=y, minlength=count) / size
    group = np.arange(count)
    while True:
        gshare = np.bincount(group, weights=share, minlength=count)
        live = np.bincount(group, minlength=count) > 0
        parts = np.maximum(np.rint(gshare), 1)
        bad = live & (np.abs(gshare / parts - 1) > SLACK * tolerance)
        if not bad.any() or live.sum() <= 1:
            break
        g = int(np.flatnonzero(bad)[np.argmin(gshare[bad])])  # smallest misfit first
        mine = group == g
        gap = np.hypot(cx[:, None] - cx[mine][None], cy[:, None] - cy[mine][None]).min(axis=1)
        gap[mine] = np.inf
        near = np.full(count, np.inf)  # distance to each other group
        np.minimum.at(near, group, gap)
        near = np.argsort(near, kind="stable")[: min(NEAR, live.sum() - 1)]
        merged = gshare[near] + gshare[g]
        fits = np.abs(merged / np.maximum(np.rint(merged), 1) - 1) <= SLACK * tolerance
        other = int(near[np.argmax(fits)]) if fits.any() else int(near[0])
        group[group == other] = g
    _, group = np.unique(group, return_inverse=True)
    gshare = np.bincount(group, weights=share)
    gsize = np.bincount(group, weights=size)
    parts = np.minimum(np.maximum(np.rint(gshare), 1), gsize).astype(np.int64)
    for _ in range(abs(k - int(parts.sum()))):  # add or take territories where it costs least
        step = 1 if parts.sum() < k else -1
        new = parts + step
        cost = np.abs(gshare / np.maximum(new, 1) - 1) - np.abs(gshare / parts - 1)
        cost[(new < 1) | (new > gsize)] = np.inf
        if not np.isfinite(cost).any():  # cannot add up (too few accounts): one group
            return np.zeros(count, np.int64), np.array([k])
        parts[int(np.argmin(cost))] += step
    return group, parts


def bisect(x, y, weight, k: int, *, tolerance: float = 0.02, edges=None) -> np.ndarray:
    """Territory index per account from weighted recursive coordinate bisection; with the
    neighbourhood graph ``edges``, graph-aware (groups of components, stray pieces moved
    at each cut; see the module doc)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    w = np.asarray(weight, float)
    mean_w = w.sum() / n if n else 0.0
    w = w + (mean_w * 1e-6 if mean_w > 0 else 1.0)  # zero weights split by count
    fine = FILL * tolerance * w.sum() / k
    assign = np.empty(n, dtype=np.int64)
    if edges is None:
        stack = [(np.arange(n), None, None, k, 0)]
    else:
        stack = _group_stack(x, y, w, k, edges, tolerance)
    while stack:
        ids, local, comp, parts, label = stack.pop()
        if parts == 1:
            assign[ids] = label
            continue
        left_parts = parts // 2
        px, py = x[ids], y[ids]
        axes = [px, py] if np.ptp(px) >= np.ptp(py) else [py, px]
        if local is None:
            axes = axes[:1]
        for coord in axes:  # the longer side first; the other if that cut cannot balance
            cut = _cut(ids, coord, w, local, comp, parts, fine, tolerance)
            if cut[-1]:
                break
        else:
            cut = _cut(ids, axes[0], w, local, comp, parts, fine, tolerance, force=True)
        ids, ws, local, comp, take, _ = cut
        m = len(ids)
        have = int(take.sum())  # keep an account per territory on both sides
        if have < left_parts:
            take[np.flatnonzero(~take)[: left_parts - have]] = True
        elif have > m - (parts - left_parts):
            take[np.flatnonzero(take)[m - (parts - left_parts) :]] = False
        left, right = np.flatnonzero(take), np.flatnonzero(~take)
        if local is None:
            children = [(ids[right], None, None), (ids[left], None, None)]
        else:
            new = np.empty(m, np.int64)
            new[left], new[right] = np.arange(len(left)), np.arange(len(right))
            side = take[local[:, 0]]
            keep = side == take[local[:, 1]]
            children = [
                (ids[right], new[local[keep & ~side]], comp[right]),
                (ids[left], new[local[keep & side]], comp[left]),
            ]
        stack.append((*children[0], parts - left_parts, label + left_parts))
        stack.append((*children[1], left_parts, label))
    return assign


def _cut(ids, coord, w, local, comp, parts, fine, tolerance, force=False):
    """One cut of a group along ``coord``: ``(ids, weights, edges, components)`` in the
    sorted order, the first part (``take``), and whether it is within ``fine`` of its
    target. Without the graph the prefix is filled; with it, fills across the graph and
    stray pieces alternate (``PASSES``). A cut still off by more than a territory's
    tolerance is refused, or, with ``force``, filled by any account past the line."""
    left_parts = parts // 2
    order = np.lexsort((ids, coord))
    ids = ids[order]
    ws = w[ids]
    m = len(ids)
    if local is not None:
        rank = np.empty(m, np.int64)
        rank[order] = np.arange(m)
        local, comp = rank[local], comp[order]
    cum = np.cumsum(ws)
    target = cum[-1] * left_parts / parts
    c = int(np.searchsorted(cum, target, side="right"))
    c = min(max(c, left_parts), m - (parts - left_parts))
    take = np.arange(m) < c
    limit = PIECE * cum[-1] / parts
    for _ in range(PASSES):
        need = target - ws[take].sum()
        if abs(need) > fine:
            take = _fill(take, ws, need, fine, local)
        if local is None:
            break
        flip = _strays(take, ws, local, comp, limit)
        if flip.any():
            take ^= flip
        elif abs(target - ws[take].sum()) <= fine:
            break
    need = target - ws[take].sum()
    fair = local is None or abs(need) <= tolerance * cum[-1] / parts
    if not fair and force:
        take = _fill(take, ws, need, fine, None)  # more than the repair can mend
    return ids, ws, local, comp, take, fair


def _group_stack(x, y, w, k, edges, tolerance) -> list:
    """The first cuts: one item per group of graph components (see ``groups``)."""
    n = len(x)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    _, comp = components(n, edges)
    group, parts = groups(x, y, w, k, comp, tolerance=tolerance)
    of = group[comp]
    order = np.argsort(of, kind="stable")
    counts = np.bincount(of, minlength=len(parts))
    starts = np.r_[0, np.cumsum(counts)]
    local = np.empty(n, np.int64)
    local[order] = np.arange(n) - np.repeat(starts[:-1], counts)
    inner = edges[of[edges[:, 0]] == of[edges[:, 1]]]
    of_edge = of[inner[:, 0]]
    inner = local[inner[np.argsort(of_edge, kind="stable")]]
    ecounts = np.bincount(of_edge, minlength=len(parts))
    estarts = np.r_[0, np.cumsum(ecounts)]
    labels = np.r_[0, np.cumsum(parts)]
    stack = []
    for g in range(len(parts) - 1, -1, -1):  # group 0 is cut first
        ids = order[starts[g] : starts[g + 1]]
        stack.append(
            (ids, inner[estarts[g] : estarts[g + 1]], comp[ids], int(parts[g]), int(labels[g]))
        )
    return stack


def _fill(take, ws, need, fine, local) -> np.ndarray:
    """Move accounts across the cut until the first part is within ``fine`` of its target
    (``need`` is what it lacks; negative: what it has too much). Nearest the line first:
    every account while the whole run fits, then those that still fit, then the one that
    lands closest. With the graph, only accounts touching the receiving side move, so it
    stays in one piece; when all of them fit, the next layer of accounts touching them is
    taken (up to ``LAYERS`` layers)."""
    take = take.copy()
    gain = need > 0
    need = abs(need)
    for _ in range(LAYERS if local is not None else 1):
        cand = np.flatnonzero(~take) if gain else np.flatnonzero(take)[::-1]
        if local is not None and len(cand):
            receiving = take if gain else ~take
            touch = np.zeros(len(take), bool)
            a, b = local[:, 0], local[:, 1]
            touch[a[receiving[b] & ~receiving[a]]] = True
            touch[b[receiving[a] & ~receiving[b]]] = True
            cand = cand[touch[cand]]
        cum = np.cumsum(ws[cand])
        p = int(np.searchsorted(cum, need, side="right"))
        take[cand[:p]] = gain
        need -= cum[p - 1] if p else 0.0
        if need <= fine or p < len(cand) or not p:
            break
    if need <= fine:
        return take
    pool = cand[p : p + BAND]
    left = ws[pool].copy()
    while need > fine:
        fits = np.flatnonzero(left <= need)
        if not len(fits):
            break
        j = fits[0]
        take[pool[j]] = gain
        need -= left[j]
        left[j] = np.inf
    if need > fine and len(pool):  # last: the one account that lands closest
        j = int(np.argmin(np.abs(need - left)))
        if abs(need - left[j]) < need:
            take[pool[j]] = gain
    return take


def _strays(take, ws, local, comp, limit) -> np.ndarray:
    """Accounts of the small stray pieces on either side of a cut, to move across.

    A piece is a connected part of one side (same-side edges only) within one graph
    component; the heaviest piece of each side and component stays, and so does every
    piece linked to accounts more than ``SPAN`` √m places from the line (only the accounts
    near the line are looked at in a large group, the rest counts as one piece). A stray
    piece moves when it weighs at most ``limit`` and touches a staying piece of the other
    side, which it then joins."""
    m = len(take)
    flip = np.zeros(m, bool)
    span = int(SPAN * np.sqrt(m))
    lo = max(0, int(np.argmin(take)) - span) if not take.all() else 0
    hi = min(m, int(m - np.argmax(take[::-1])) + span) if take.any() else m
    a, b = local[:, 0], local[:, 1]
    if hi - lo < m:
        inside = np.zeros(m, bool)
        inside[lo:hi] = True
        ina, inb = inside[a], inside[b]
        both = ina & inb
        edge = np.flatnonzero(ina != inb)  # one end outside: that piece is held from outside
        inner = np.where(ina[edge], a[edge], b[edge])
        outer = np.where(ina[edge], b[edge], a[edge])
        a, b = a[both] - lo, b[both] - lo
    else:
        inner = outer = np.zeros(0, np.int64)
    size = hi - lo
    side = take[lo:hi]
    same = side[a] == side[b]
    graph = csr_matrix((np.ones(int(same.sum()), np.int8), (a[same], b[same])), shape=(size, size))
    count, piece = connected_components(graph, directed=True, connection="weak")
    weight = np.bincount(piece, weights=ws[lo:hi], minlength=count)
    pside = np.zeros(count, bool)
    pside[piece] = side
    pcomp = np.zeros(count, np.int64)
    pcomp[piece] = comp[lo:hi]
    held = np.zeros(count, bool)
    held_same = take[inner] == take[outer]
    held[piece[inner[held_same] - lo]] = True
    key = pcomp * 2 + pside
    order = np.lexsort((np.arange(count), -weight, ~held, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    stays = held.copy()
    stays[order[first]] = True
    touches = np.zeros(count, bool)  # touches a staying piece of the other side
    cross = ~same
    pa, pb = piece[a[cross]], piece[b[cross]]
    touches[pa[stays[pb]]] = True
    touches[pb[stays[pa]]] = True
    touches[piece[inner[~held_same] - lo]] = True  # the other side beyond the window stays
    moving = ~stays & touches & (weight <= limit)
    flip[lo:hi] = moving[piece]
    return flip


def _claim(x, y, weight, assign, k, seeds, locked) -> np.ndarray:
    """Renumber the territories so home base i and lock group i get territory i: a home
    base prefers the territory of the account nearest to it, then the nearest centre."""
    centres = borders.centres_of(x, y, weight, assign, k)
    wanted = sorted(set(range(len(seeds))) | set(locked.values()))
    if not wanted:
        return assign
    if seeds:
        _, nearest = cKDTree(np.column_stack([x, y])).query(np.array(seeds, float))
        around = assign[np.atleast_1d(nearest)]
    cost = np.zeros((len(wanted), k))
    for row, t in enumerate(wanted):
        if t < len(seeds):
            sx, sy = seeds[t]
            cost[row] += np.hypot(centres[:, 0] - sx, centres[:, 1] - sy)
            cost[row, around[t]] -= 1e5  # km: the territory around it comes first
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
    if edges is None:
        edges = metrics.neighbour_edges(x, y)
    assign = bisect(x, y, weight, k, tolerance=tolerance, edges=edges)
    assign = _claim(x, y, weight, assign, k, seeds, locked)
    movable = np.ones(n, bool)
    for i, t in locked.items():
        assign[i] = t
        movable[i] = False
    notes: list[str] = []
    # Candidates: the cuts with their few out-of-band territories repaired, then rounds of
    # giving the pieces still apart to the territory they touch most and repairing again.
    # The one inside the band with the most territories in one piece wins (the earliest on
    # a tie).
    best, best_score, rounds = None, -1, 0
    largest = STRAY * tolerance * weight.sum() / k
    small = FRAY * tolerance * weight.sum() / k
    # Above the spanning-tree limit the graph is the nearest-neighbour graph alone and the
    # groups already keep territories inside components; merge rounds (each a pass of flows
    # over the whole book, half a minute at a million accounts) would gain little there.
    merges = MERGES if n <= metrics.MST_LIMIT else 0
    for step in range(merges + 1):
        if step:
            merged = borders.merge_strays(
                assign, k, edges, movable=movable, weight=weight, largest=largest
            )
            if np.array_equal(merged, assign):
                break
            assign = merged
        else:  # small pieces the balance-first fills cut off go to the territory they touch
            assign = borders.merge_strays(
                assign, k, edges, movable=movable, weight=weight, largest=small
            )
        for _ in range(REPAIRS):
            loads = np.bincount(assign, weights=weight, minlength=k)
            if borders.max_deviation(loads) <= tolerance + borders.EPS:
                break
            assign, done = borders.rebalance(
                x, y, weight, assign, k, edges, tolerance=tolerance, movable=movable,
                rounds=ROUNDS, whole=True,
            )  # fmt: skip
            rounds += done
            assign = borders.merge_strays(
                assign, k, edges, movable=movable, weight=weight, largest=small
            )
        loads = np.bincount(assign, weights=weight, minlength=k)
        if step and borders.max_deviation(loads) > tolerance + borders.EPS:
            # Keeping every giver whole was not enough: any border account may cross.
            assign, done = borders.rebalance(
                x, y, weight, assign, k, edges, tolerance=tolerance, movable=movable,
                rounds=ROUNDS,
            )  # fmt: skip
            rounds += done
            loads = np.bincount(assign, weights=weight, minlength=k)
            if borders.max_deviation(loads) > tolerance + borders.EPS:  # islands: cross gaps
                assign, done = borders.rebalance(
                    x, y, weight, assign, k, edges, tolerance=tolerance, movable=movable,
                    rounds=ROUNDS, reach=REACH,
                )  # fmt: skip
                rounds += done
                loads = np.bincount(assign, weights=weight, minlength=k)
        if borders.max_deviation(loads) <= tolerance + borders.EPS:
            parts = np.array(metrics.pieces(assign, edges, k))
            score = int((parts == 1).sum())
            if score > best_score:
                best, best_score = assign.copy(), score
            if score == int((parts > 0).sum()) or score >= ENOUGH * k:
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
