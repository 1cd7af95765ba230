"""Balanced, compact territory design: a pure library (no Django).

Accounts are points ``(x, y)`` on a plane in kilometres (``project`` turns latitude and
longitude into that plane) with an integer primary weight (cents of potential, or 1 per
account). ``design`` splits them into ``k`` territories whose primary weights stay within
``tolerance`` of the mean while keeping each territory close around its centre.

Method (location-allocation, repeated a few times like k-means):

1. Centres: the home bases given as ``seeds``, then k-means++ picks (probability ∝
   weight × squared distance to the nearest centre) from a generator seeded by ``seed``,
   so the same inputs and seed always give the same plan.
2. Allocation: a min-cost flow (OR-Tools ``SimpleMinCostFlow``). Each account supplies its
   weight; it may send it to any territory at a cost of distance per unit of weight (only
   to its own territory when locked). Each territory drains into the sink through two
   arcs: up to ``(1 − tolerance) × mean`` at a large negative cost (so every territory is
   filled to its lower band when possible) and up to ``(1 + tolerance) × mean`` in all.
   The optimal flow is balanced and as close as possible; at most a few accounts are split
   between territories, and each goes to the territory that received most of it.
3. Centres move to the weighted mean of their accounts; steps 2–3 repeat until the plan
   stops changing or ``iterations`` runs out, keeping the plan with the least weighted
   distance to its centres. With more than ``NEAR`` territories each account first gets
   arcs to its ``NEAR`` nearest centres only (all of them if that is infeasible).
4. Repair: the rounding of split accounts can leave a territory just outside the band; a
   greedy pass moves single accounts to one of their near territories while that shrinks
   the worse deviation of the pair, cheapest extra distance first.

``realign`` runs the same allocation from today's plan with a move penalty per unit of
weight on every arc that leaves an account's current territory; protected accounts (locked,
or with an open deal) keep their territory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

KM_PER_DEGREE = 111.32
COST_SCALE = 10  # flow costs are integers: tenths of a kilometre
MAX_UNITS = 10_000_000  # weights are scaled down to at most this many flow units in all
FILL_BONUS = 10**9  # per unit: filling a territory to its lower band beats any distance
NEAR = 8  # arcs and repair moves only to the nearest centres (all of them when k <= NEAR)


class DesignError(ValueError):
    """The request cannot be planned (for example more territories than accounts)."""


@dataclass
class Plan:
    assignment: np.ndarray  # territory index per account
    centres: np.ndarray  # (k, 2) x/y of each territory's centre
    iterations: int = 0
    notes: list[str] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # realign: territories kept to protected


def project(latitude, longitude) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection in km around the points' mean latitude (good enough for
    distances inside a country; it is what compactness is measured in)."""
    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    mid = math.radians(float(lat.mean())) if len(lat) else 0.0
    return lon * math.cos(mid) * KM_PER_DEGREE, lat * KM_PER_DEGREE


def _distances(x, y, centres) -> np.ndarray:
    return np.hypot(x[:, None] - centres[None, :, 0], y[:, None] - centres[None, :, 1])


def initial_centres(x, y, weight, k: int, *, seed: int = 0, seeds=None) -> np.ndarray:
    """k-means++ centres (deterministic for a given ``seed``), after any given ``seeds``."""
    rng = np.random.default_rng(seed)
    centres = [tuple(map(float, s)) for s in (seeds or [])][:k]
    w = weight.astype(float) + 1.0  # zero-weight accounts may still anchor a centre
    if not centres:
        first = int(rng.choice(len(x), p=w / w.sum()))
        centres.append((float(x[first]), float(y[first])))
    nearest = np.min(_distances(x, y, np.array(centres)), axis=1) ** 2
    while len(centres) < k:
        score = w * nearest
        total = score.sum()
        pick = int(rng.choice(len(x), p=score / total)) if total > 0 else int(rng.integers(len(x)))
        centres.append((float(x[pick]), float(y[pick])))
        nearest = np.minimum(nearest, np.hypot(x - x[pick], y - y[pick]) ** 2)
    return np.array(centres, dtype=float)


def _units(weight: np.ndarray) -> np.ndarray:
    total = int(weight.sum())
    if total <= MAX_UNITS:
        return weight.astype(np.int64)
    return np.rint(weight * (MAX_UNITS / total)).astype(np.int64)


def _allocate(cost_km, units, k, tolerance, allowed, bounds=None) -> np.ndarray | None:
    """Min-cost flow allocation; the (n, k) flow of units, or None when infeasible.
    ``bounds``: per-territory (lower, upper) in units instead of the band around the mean."""
    n = len(units)
    total = int(units.sum())
    mean = total / k
    if bounds is not None:
        lower, upper = (np.asarray(b, dtype=np.int64) for b in bounds)
    else:
        lower = np.full(k, max(0, math.floor(mean * (1 - tolerance))), dtype=np.int64)
        upper = np.full(k, math.ceil(mean * (1 + tolerance)), dtype=np.int64)
    has_supply = units > 0
    ii, jj = np.nonzero(allowed & has_supply[:, None])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        ii.astype(np.int32),
        (n + jj).astype(np.int32),
        units[ii],
        np.rint(cost_km[ii, jj] * COST_SCALE).astype(np.int64),
    )
    t = np.arange(k, dtype=np.int32)
    sink = n + k
    flow.add_arcs_with_capacity_and_unit_cost(
        n + t, np.full(k, sink, np.int32), lower, np.full(k, -FILL_BONUS, np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n + t, np.full(k, sink, np.int32), upper - lower, np.zeros(k, np.int64)
    )
    supplies = np.concatenate([units, np.zeros(k, np.int64), [-total]]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n + k + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    result = np.zeros((n, k), dtype=np.int64)
    np.add.at(result, (ii, jj), flow.flows(arcs))
    return result


def _round(flows, cost_km, allowed) -> np.ndarray:
    """Each account to the territory that got most of it (nearest allowed when it has
    no weight)."""
    nearest = np.argmin(np.where(allowed, cost_km, np.inf), axis=1)
    has_flow = flows.sum(axis=1) > 0
    return np.where(has_flow, np.argmax(flows, axis=1), nearest)


def _repair(assign, weight, dist, k, tolerance, movable, max_moves, targets=None) -> np.ndarray:
    """Move single accounts between nearby territories while that shrinks the larger
    deviation of the pair, until every territory is inside the band. ``targets``: per
    territory (target load, allowed deviation) instead of the mean and the tolerance."""
    assign = assign.copy()
    w = weight.astype(np.int64)
    loads = np.bincount(assign, weights=w, minlength=k).astype(np.int64)
    if targets is None:
        mean = np.full(k, loads.sum() / k)
        band = tolerance * mean
    else:
        mean, band = (np.asarray(t, dtype=float) for t in targets)
    near = np.argsort(dist, axis=1)[:, : min(k, NEAR)]  # destinations worth trying
    for _ in range(max_moves):
        dev = loads - mean
        j = int(np.argmax(np.abs(dev) - band))
        if abs(dev[j]) <= band[j]:
            break
        if dev[j] > 0:  # give an account of j to one of its near territories
            cand = np.flatnonzero((assign == j) & movable & (w > 0))
            if not len(cand):
                break
            for dst in (near[cand], np.broadcast_to(np.arange(k), (len(cand), k))):
                after = np.maximum(
                    np.abs(loads[j] - w[cand] - mean[j])[:, None],
                    np.abs(loads[dst] + w[cand, None] - mean[dst]),
                )
                before = np.maximum(abs(dev[j]), np.abs(dev[dst]))
                extra = dist[cand[:, None], dst] - dist[cand, j][:, None]
                helps = (after < before - 1e-9) & (dst != j)
                if helps.any():
                    break  # near territories first; any territory when none of them helps
            else:
                break
            score = np.where(helps, extra, np.inf)
            ci, col = divmod(int(np.argmin(score)), dst.shape[1])
            i, src, to = int(cand[ci]), j, int(dst[ci, col])
        else:  # take an account that has j among its near territories
            others = (assign != j) & movable & (w > 0)
            for cand in (np.flatnonzero(others & (near == j).any(axis=1)), np.flatnonzero(others)):
                src_of = assign[cand]
                after = np.maximum(
                    np.abs(loads[src_of] - w[cand] - mean[src_of]),
                    np.abs(loads[j] + w[cand] - mean[j]),
                )
                before = np.maximum(abs(dev[j]), np.abs(dev[src_of]))
                helps = after < before - 1e-9
                if helps.any():
                    break  # accounts near j first; any account when none of them helps
            else:
                break
            extra = dist[cand, j] - dist[cand, src_of]
            ci = int(np.argmin(np.where(helps, extra, np.inf)))
            i, src, to = int(cand[ci]), int(src_of[ci]), j
        assign[i] = to
        loads[src] -= w[i]
        loads[to] += w[i]
    return assign


def _centres_of(x, y, weight, assign, k, old) -> np.ndarray:
    w = weight.astype(float) + 1e-9
    total = np.bincount(assign, weights=w, minlength=k)
    cx = np.bincount(assign, weights=w * x, minlength=k)
    cy = np.bincount(assign, weights=w * y, minlength=k)
    centres = old.copy()
    used = total > 0
    centres[used, 0] = cx[used] / total[used]
    centres[used, 1] = cy[used] / total[used]
    return centres


def max_deviation(loads: np.ndarray) -> float:
    mean = loads.sum() / len(loads)
    return float(np.max(np.abs(loads - mean)) / mean) if mean else 0.0


def _solve_once(
    x, y, weight, centres, k, tolerance, allowed, movable, penalty=None, repair=True, split=None
):
    """One allocation (and repair). ``split``: the heavy territories of ``_split_band``."""
    dist = _distances(x, y, centres)
    cost = dist if penalty is None else dist + penalty
    units = _units(weight)
    flows = None
    near = None
    if k > NEAR:  # first try with arcs to the nearest centres only (much smaller network)
        near = np.zeros_like(allowed)
        rows = np.arange(len(x))[:, None]
        near[rows, np.argpartition(cost, NEAR - 1, axis=1)[:, :NEAR]] = True
        near &= allowed
        near[~near.any(axis=1)] = allowed[~near.any(axis=1)]
    bounds = targets = None
    if split is not None:
        bounds = _split_band(units, split, tolerance)
        targets = _split_targets(weight, split, tolerance)
    if k > NEAR:
        flows = _allocate(cost, units, k, tolerance, near, bounds)
    if flows is None:
        flows = _allocate(cost, units, k, tolerance, allowed, bounds)
    if flows is None:
        return None
    assign = _round(flows, cost, allowed)
    if not repair:
        return assign
    return _repair(assign, weight, cost, k, tolerance, movable, 4 * len(x), targets)


def _heavy(held, total, k, tolerance) -> np.ndarray:
    """Territories whose protected weight alone is above the band around the mean of the
    others (repeated: taking a heavy territory out lowers the others' mean)."""
    heavy = np.zeros(k, dtype=bool)
    while True:
        rest = k - heavy.sum()
        mean = (total - held[heavy].sum()) / rest if rest else 0.0
        more = ~heavy & (held > (1 + tolerance) * mean)
        if not more.any():
            return heavy
        heavy |= more


def _split_band(units, split, tolerance):
    """Flow bounds (units) when some territories are heavy: each heavy one keeps exactly its
    protected accounts, the others share the rest within the band around their own mean."""
    heavy, held_units, _ = split
    k = len(heavy)
    mean = (units.sum() - held_units[heavy].sum()) / max(1, k - heavy.sum())
    lower = np.full(k, max(0, math.floor(mean * (1 - tolerance))), dtype=np.int64)
    upper = np.full(k, math.ceil(mean * (1 + tolerance)), dtype=np.int64)
    lower[heavy] = held_units[heavy]
    upper[heavy] = held_units[heavy]
    return lower, upper


def _split_targets(weight, split, tolerance):
    """The repair's (target, allowed deviation) per territory for the same split."""
    heavy, _, held = split
    k = len(heavy)
    mean = (weight.sum() - held[heavy].sum()) / max(1, k - heavy.sum())
    target = np.full(k, float(mean))
    target[heavy] = held[heavy]
    band = np.where(heavy, 0.0, tolerance * mean)
    return target, band


PRIMARY_OVERRUN = 2.0  # in enforce_bands, the primary outside its tolerance weighs double
SWAP_CANDIDATES = 40  # accounts per side tried for swaps across one border


def enforce_bands(
    assign, cost, primary, tolerance: float, secondary, movable, k: int, max_moves: int
) -> np.ndarray:
    """Move accounts between near territories until every secondary measure is within its
    band, keeping the primary measure within its tolerance.

    ``secondary`` maps a name to ``(weights, band)``: the measure per account and the
    allowed relative deviation from its mean (0.10 for ±10%). A local search lowers the
    *violation*: for every measure and territory, how far the load lies outside its band
    relative to the measure's mean, the primary (band ``tolerance``) counting double. Two
    kinds of step, each of which must lower it: moving one account to a near territory, and
    swapping two accounts across a border. Swaps matter because a secondary such as the
    account count can only change by moving accounts one way, which uses up the primary's
    slack; a swap of a large account for a small one gives it back. Among the steps that
    help, the one costing least extra distance (``cost``; a realignment adds its move
    penalty) is taken. The result is the best plan seen with the primary inside its
    tolerance, or no further outside than it was (at worst the plan given). Measures with a
    zero mean are skipped.
    """
    assign = np.asarray(assign).copy()
    names = [m for m in secondary if np.asarray(secondary[m][0]).sum() > 0]
    if not names or k < 2:
        return assign
    p = np.asarray(primary, dtype=float)
    w = np.stack([p] + [np.asarray(secondary[m][0], dtype=float) for m in names])  # (M, n)
    band = np.array([tolerance] + [float(secondary[m][1]) for m in names])
    scale = np.array([PRIMARY_OVERRUN] + [1.0] * len(names))
    loads = np.stack([np.bincount(assign, weights=row, minlength=k) for row in w])  # (M, k)
    mu = np.maximum(loads.sum(axis=1) / k, 1e-12)
    near = np.argsort(cost, axis=1)[:, : min(k, NEAR)]
    rows = np.arange(len(assign))

    def outside(load):
        """Weighted violation of loads shaped (M, ...): measure first."""
        shape = (-1,) + (1,) * (load.ndim - 1)
        m, b, c = (v.reshape(shape) for v in (mu, band, scale))
        return c * np.maximum(0.0, np.abs(load - m) - b * m - 1e-6) / m

    def move(i, b):
        a = assign[i]
        loads[:, a] -= w[:, i]
        loads[:, b] += w[:, i]
        assign[i] = b

    viol = outside(loads)
    start = float(viol[0].sum())  # the primary may already be out (heavy territories)
    best = (float(viol[1:].sum()), assign.copy())
    for _ in range(max_moves):
        viol = outside(loads)  # (M, k)
        if viol.sum() == 0:
            break
        step = None
        pairs = [divmod(int(f), k) for f in np.argsort(-viol, axis=None, kind="stable")]
        pairs = [(m, j) for m, j in pairs if viol[m, j] > 0]
        for m, j in pairs:  # single moves, worst violation first
            if loads[m, j] > mu[m]:  # give an account of j to a near territory
                cand = np.flatnonzero((assign == j) & movable & (w[m] > 0))
                dst = near[cand]
            else:  # take an account that has j among its near territories
                cand = np.flatnonzero((assign != j) & movable & (w[m] > 0) & (near == j).any(1))
                dst = np.full((len(cand), 1), j)
            if not len(cand):
                continue
            src = assign[cand]
            wc = w[:, cand]  # (M, c)
            gain = (
                viol[:, src][:, :, None]
                + viol[:, dst]
                - outside(loads[:, src] - wc)[:, :, None]
                - outside(loads[:, dst] + wc[:, :, None])
            ).sum(axis=0)  # (c, D)
            helps = (gain > 1e-9) & (dst != src[:, None])
            if helps.any():
                extra = cost[cand[:, None], dst] - cost[rows[cand], src][:, None]
                ci, col = divmod(int(np.argmin(np.where(helps, extra, np.inf))), dst.shape[1])
                step = [(int(cand[ci]), int(dst[ci, col]))]
                break
        if step is None:
            for _, j in pairs:  # swaps across one of j's borders
                step = _best_swap(j, assign, movable, near, cost, w, loads, viol, outside)
                if step:
                    break
        if not step:
            break
        for i, b in step:
            move(i, b)
        viol = outside(loads)
        if viol[0].sum() <= start + 1e-12 and viol[1:].sum() < best[0] - 1e-12:
            best = (float(viol[1:].sum()), assign.copy())
    return best[1]


def _best_swap(j, assign, movable, near, cost, w, loads, viol, outside):
    """The cheapest swap of an account of ``j`` with one of a bordering territory that
    lowers the violation, as two moves, or None."""
    mine = np.flatnonzero((assign == j) & movable)
    for d in dict.fromkeys(int(t) for t in near[mine].ravel() if t != j):
        give = mine[(near[mine] == d).any(1)]
        take = np.flatnonzero((assign == d) & movable & (near == j).any(1))
        if not len(give) or not len(take):
            continue
        give = give[np.argsort(cost[give, d] - cost[give, j], kind="stable")[:SWAP_CANDIDATES]]
        take = take[np.argsort(cost[take, j] - cost[take, d], kind="stable")[:SWAP_CANDIDATES]]
        shift = w[:, give][:, :, None] - w[:, take][:, None, :]  # (M, g, t): j loses, d gains
        gain = (
            viol[:, j][:, None, None]
            + viol[:, d][:, None, None]
            - outside(loads[:, j][:, None, None] - shift)
            - outside(loads[:, d][:, None, None] + shift)
        ).sum(axis=0)
        helps = gain > 1e-9
        if helps.any():
            extra = (cost[give, d] - cost[give, j])[:, None] + (cost[take, j] - cost[take, d])
            gi, ti = divmod(int(np.argmin(np.where(helps, extra, np.inf))), len(take))
            return [(int(give[gi]), d), (int(take[ti]), j)]
    return None


def bands_held(assign, k: int, secondary) -> dict[str, bool]:
    """Per secondary measure, whether every territory is within its band."""
    held = {}
    for name, (weights, band) in secondary.items():
        loads = np.bincount(assign, weights=np.asarray(weights, dtype=float), minlength=k)
        held[name] = max_deviation(loads) <= float(band) + 1e-9
    return held


def design(
    x,
    y,
    weight,
    k: int,
    *,
    tolerance: float = 0.01,
    locked: dict[int, int] | None = None,
    seeds=None,
    seed: int = 0,
    iterations: int = 8,
    secondary=None,
) -> Plan:
    """A balanced, compact split of the accounts into ``k`` territories.

    ``locked`` maps account index → territory index (kept whatever it costs); ``seeds``
    are starting centres (rep home bases), in territory order; ``secondary`` maps a measure
    name to ``(weights, band)``, bands enforced after the primary balance (``enforce_bands``).
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
    locked = locked or {}
    if any(not 0 <= t < k for t in locked.values()):
        raise DesignError(f"A locked account points to a territory outside 0..{k - 1}.")
    allowed = np.ones((n, k), dtype=bool)
    movable = np.ones(n, dtype=bool)
    for i, t in locked.items():
        allowed[i, :] = False
        allowed[i, t] = True
        movable[i] = False
    centres = initial_centres(x, y, weight, k, seed=seed, seeds=seeds)
    notes: list[str] = []
    best: tuple | None = None
    previous = None
    done = 0
    for done in range(1, iterations + 1):  # noqa: B007 - reported in the plan
        assign = _solve_once(x, y, weight, centres, k, tolerance, allowed, movable, repair=False)
        if assign is None:
            if not notes:
                notes.append(
                    "The locked accounts leave no balanced solution; the band was widened."
                )
            assign = _solve_once(x, y, weight, centres, k, 1e9, allowed, movable, repair=False)
        fitted = _centres_of(x, y, weight, assign, k, centres)
        spread = float(np.sum(weight * np.hypot(x - fitted[assign, 0], y - fitted[assign, 1])))
        if best is None or spread < best[0]:
            best = (spread, assign.copy(), centres.copy())
        if previous is not None and np.array_equal(assign, previous):
            break
        previous = assign
        centres = fitted
    _, assign, used = best
    # Rounding split accounts can leave a territory just outside the band: repair once.
    band = tolerance if not notes else 1e9
    cost = _distances(x, y, used)
    assign = _repair(assign, weight, cost, k, band, movable, max_moves=4 * n)
    if secondary:
        assign = enforce_bands(assign, cost, weight, band, secondary, movable, k, 2 * n)
    centres = _centres_of(x, y, weight, assign, k, used)
    return Plan(assignment=assign, centres=centres, iterations=done, notes=notes)


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
    secondary=None,
) -> Plan:
    """Rebalance today's plan ``current`` (territory index per account) moving few accounts.

    Each unit of weight moved away from its current territory costs ``move_penalty_km``
    on top of distance, so a larger penalty moves fewer accounts. ``protected`` accounts
    never move. ``k`` above the current count adds territories (new hires) centred on
    ``seeds`` (one per new territory). ``secondary`` bands are enforced afterwards as in
    ``design``, the move penalty counting as extra distance.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    weight = np.asarray(weight, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    n = len(x)
    k_now = int(current.max()) + 1 if n else 0
    k = k or k_now
    protected = np.zeros(n, bool) if protected is None else np.asarray(protected, bool)
    centres = _centres_of(x, y, weight, current, k_now, np.zeros((k_now, 2)))
    extra = k - k_now
    if extra > 0:
        seeds = list(seeds or [])
        if len(seeds) < extra:
            raise DesignError(f"Give a home base for each of the {extra} new territories.")
        centres = np.vstack([centres, np.array(seeds[:extra], dtype=float)])
    allowed = np.ones((n, k), dtype=bool)
    allowed[protected, :] = False
    allowed[protected, current[protected]] = True
    penalty = np.full((n, k), float(move_penalty_km))
    penalty[np.arange(n), current] = 0.0
    notes: list[str] = []
    kept: list[int] = []
    band = tolerance
    assign = _solve_once(x, y, weight, centres, k, band, allowed, ~protected, penalty)
    if assign is None:
        # Protected accounts alone can hold more than the band allows (more so when new
        # territories lower the mean). Such heavy territories keep just their protected
        # accounts and the others are balanced around their own mean; failing that (or with
        # none heavy), the band is doubled until a plan exists.
        units = _units(weight)
        held = np.bincount(current[protected], weights=weight[protected], minlength=k)
        held_units = np.bincount(current[protected], weights=units[protected], minlength=k)
        heavy = _heavy(held, float(weight.sum()), k, tolerance)
        if heavy.any() and heavy.sum() < k:
            split = (heavy, held_units.astype(np.int64), held)
            assign = _solve_once(
                x, y, weight, centres, k, tolerance, allowed, ~protected, penalty, split=split
            )
            if assign is not None:
                kept = [int(t) for t in np.flatnonzero(heavy)]
                one = len(kept) == 1
                notes.append(
                    f"{len(kept)} territor{'y holds' if one else 'ies hold'} more protected "
                    f"accounts than ±{tolerance:.1%} allows and keep{'s' if one else ''} only "
                    f"those; the others are balanced within ±{tolerance:.1%} of their own mean."
                )
        while assign is None:
            band = max(2 * band, 0.01)
            assign = _solve_once(x, y, weight, centres, k, band, allowed, ~protected, penalty)
            if assign is not None:
                notes.append(
                    f"The protected accounts leave no plan within ±{tolerance:.1%}; "
                    f"the band was widened to ±{band:.1%}."
                )
    if secondary:
        cost = _distances(x, y, centres) + penalty
        assign = enforce_bands(assign, cost, weight, band, secondary, ~protected, k, 2 * n)
    return Plan(assignment=assign, centres=centres, iterations=1, notes=notes, kept=kept)
