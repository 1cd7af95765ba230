"""Border flows: rebalance a plan by moving accounts between neighbouring territories.

The two-level method used for large books (pure, no Django):

1. **How much crosses each border.** Territories are nodes; two territories are adjacent
   when an edge of the account neighbourhood graph (``metrics.neighbour_edges``) joins
   them. A min-cost flow (OR-Tools ``SimpleMinCostFlow``) on that small graph decides how
   much weight moves across each border: a territory above the band must give its excess,
   one below must receive its shortfall (both at a large negative cost, so they are met
   whenever the borders allow), territories inside the band may give or take while staying
   inside it, and every unit that crosses a border costs the distance between the two
   centres plus ``hop_penalty_km``. A border carries at most the weight of the movable
   accounts on it, and a territory sends at most its own movable weight (what it receives
   it can pass on only by sending its own accounts).
2. **Which accounts cross.** On each border with a flow, the movable accounts of the giving
   territory that touch the receiving one go, nearest the receiver first (smallest
   ``distance to the receiver's centre − distance to the giver's centre``), while the next
   one still fits in what the border must carry.

Only accounts touching the receiver move, so the receiver stays in one piece; with
``whole``, only accounts whose own territory stays in one piece without them
(``keeps_whole``, a local test), so the giver does too. A territory never gives its last
account. Weight that must travel far crosses several borders, and the accounts one layer
deeper become the border in the next round. Rounds repeat until every territory is inside
``tolerance`` or nothing moves; only territories a few borders from one outside the band
take part. With ``reach``, each territory is also linked to its nearest other centres and
any of its accounts may cross (nearest the receiver first): for regions separated by empty
land, where the neighbourhood graph has few or no borders. Deterministic: ties by index.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Delaunay, QhullError, cKDTree

from attain.territories.design import metrics

COST_SCALE = 10  # tenths of a kilometre
UNITS = 100_000_000  # total weight is scaled to about this many flow units
MUST = 10**7  # per unit: meeting the band beats any route cost (200 hops of 5,000 km)
EPS = 1e-9  # deviations are compared with this much slack (float rounding)
HOPS = 4  # territories this many borders from one outside the band take part in a round


def centres_of(x, y, weight, assign, k, old=None) -> np.ndarray:
    """Weighted centre per territory (a territory without accounts keeps ``old``)."""
    w = np.asarray(weight, float) + 1e-9
    total = np.bincount(assign, weights=w, minlength=k)
    cx = np.bincount(assign, weights=w * x, minlength=k)
    cy = np.bincount(assign, weights=w * y, minlength=k)
    centres = np.zeros((k, 2)) if old is None else np.array(old, dtype=float)
    used = total > 0
    centres[used, 0] = cx[used] / total[used]
    centres[used, 1] = cy[used] / total[used]
    return centres


def max_deviation(loads) -> float:
    loads = np.asarray(loads, float)
    mean = loads.sum() / len(loads) if len(loads) else 0.0
    return float(np.max(np.abs(loads - mean)) / mean) if mean else 0.0


def _border_flows(loads, own, mean, band, src, dst, capacity, cost, scale):
    """Flow of weight per border (src → dst) from the min-cost flow, in weight units.

    Each territory is three nodes: what arrives over its borders lands on ``into``; what it
    sends leaves from ``out`` after a gate ``gate → out`` no wider than its own movable
    weight ``own`` (it can only send accounts it has); ``into → gate`` passes weight on.
    """
    k = len(loads)
    units = np.rint(loads * scale).astype(np.int64)
    lo = int(np.ceil(mean * (1 - band) * scale))  # inside the band, whole units
    hi = int(np.floor(mean * (1 + band) * scale))
    if lo > hi:
        lo = hi = int(round(mean * scale))
    give = np.minimum(np.maximum(units - lo, 0), np.rint(own * scale).astype(np.int64))
    must_give = np.minimum(np.maximum(units - hi, 0), give)
    take = np.maximum(hi - units, 0)
    must_take = np.minimum(np.maximum(lo - units, 0), take)
    t = np.arange(k, dtype=np.int32)
    into, gate, out = t, t + k, t + 2 * k
    source, sink = 3 * k, 3 * k + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    cap = np.maximum(np.rint(capacity * scale).astype(np.int64), 0)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        out[src], into[dst], cap, cost.astype(np.int64)
    )
    wide = int(units.sum()) + 1
    for tail, head, c, price in (
        (np.full(k, source, np.int32), gate, must_give, -MUST),
        (np.full(k, source, np.int32), gate, give - must_give, 0),
        (into, np.full(k, sink, np.int32), must_take, -MUST),
        (into, np.full(k, sink, np.int32), take - must_take, 0),
        (into, gate, np.full(k, wide, np.int64), 0),
        (gate, out, np.rint(own * scale).astype(np.int64), 0),
    ):
        keep = c > 0
        if keep.any():
            flow.add_arcs_with_capacity_and_unit_cost(
                tail[keep], head[keep], c[keep], np.full(int(keep.sum()), price, np.int64)
            )
    total = int(give.sum())
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # weight that stays
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:  # cannot happen: the bypass makes it feasible
        return np.zeros(len(src))
    return flow.flows(arcs) / scale


def rebalance(
    x,
    y,
    weight,
    assign,
    k: int,
    edges,
    *,
    tolerance: float,
    movable=None,
    hop_penalty_km: float = 0.0,
    aim: float = 0.8,
    rounds: int = 200,
    once: bool = False,
    reach: int = 0,
    whole: bool = False,
) -> tuple[np.ndarray, int]:
    """Move accounts across borders until every territory is within ``tolerance`` of the
    mean (aiming at ``aim × tolerance`` so the whole accounts land inside); returns the new
    assignment and the number of rounds run. ``movable`` accounts only (all by default);
    with ``once`` an account moves at most once. ``reach`` > 0 also links each territory
    to its ``reach`` nearest other centres (borders across empty land; any of its accounts
    may cross, nearest the receiver first). With ``whole``, an account crosses only when
    the giver stays in one piece around it (``keeps_whole``), so repairing the balance
    does not cut territories apart."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    weight = np.asarray(weight, float)
    assign = np.asarray(assign, dtype=np.int64).copy()
    n = len(assign)
    movable = np.ones(n, bool) if movable is None else np.asarray(movable, bool).copy()
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    total = weight.sum()
    if total <= 0 or k < 2:
        return assign, 0
    graph = adjacency(n, edges) if whole else None
    mean = total / k
    scale = min(1.0, UNITS / total)
    # Territory adjacency (at the start; it changes little): only the territories within
    # HOPS borders of one outside the band take part in a round, which keeps rounds cheap
    # when a few territories of thousands need repair.
    both = _crossing(edges, assign, movable, weight)
    adjacent = metrics.distinct(assign[both[:, 0]] * k + assign[both[:, 1]])
    adjacent = coo_matrix(
        (np.ones(len(adjacent), np.int32), (adjacent // k, adjacent % k)), shape=(k, k)
    ).tocsr()
    done = 0
    for done in range(1, rounds + 1):  # noqa: B007 - returned
        loads = np.bincount(assign, weights=weight, minlength=k)
        if max_deviation(loads) <= tolerance + EPS:
            return assign, done - 1
        centres = centres_of(x, y, weight, assign, k)
        if done > 1:
            both = _crossing(edges, assign, movable, weight)
        active = np.abs(loads - mean) > aim * tolerance * mean
        for _ in range(HOPS):
            active = active | (adjacent @ active.astype(np.int32) > 0)
        part = both[active[assign[both[:, 0]]] | active[assign[both[:, 1]]]]
        acc, nb = part[:, 0], part[:, 1]
        # Border candidates: (account, receiving territory), each pair once.
        pair = metrics.distinct(acc * k + assign[nb])
        cand, to = pair // k, pair % k
        frm = assign[cand]
        border = frm * k + to
        own = np.bincount(assign, weights=weight * movable, minlength=k)
        if reach:
            far = _reach_pairs(centres, reach)
            far = far[~np.isin(far[:, 0] * k + far[:, 1], border)]
        else:
            far = np.zeros((0, 2), np.int64)
        borders, inverse = np.unique(border, return_inverse=True)
        capacity = np.bincount(inverse, weights=weight[cand], minlength=len(borders))
        b_src = np.concatenate([borders // k, far[:, 0]])
        b_dst = np.concatenate([borders % k, far[:, 1]])
        capacity = np.concatenate([capacity, own[far[:, 0]]])
        if reach:  # any account of the giver may cross, on every link
            capacity = own[b_src]
        gap = np.hypot(*(centres[b_src] - centres[b_dst]).T)
        cost = np.rint((gap + hop_penalty_km) * COST_SCALE).astype(np.int64) + 1
        flows = _border_flows(
            loads, own, mean, aim * tolerance, b_src, b_dst, capacity, cost, scale
        )
        moved = np.zeros(n, bool)
        changes = 0
        count = np.bincount(assign, minlength=k)  # a territory keeps its last account
        live = np.flatnonzero(flows > 0.5 / scale)
        if reach:
            members = _members(assign, movable, k)
        else:  # order only the candidates of borders that carry a flow
            sub = np.flatnonzero(np.isin(inverse, live))
            if whole:
                sub = sub[keeps_whole(cand[sub], assign, *graph)]
            near = _nearness(x, y, cand[sub], centres[to[sub]], centres[frm[sub]])
            order = sub[np.lexsort((cand[sub], near, inverse[sub]))]
            starts = np.searchsorted(inverse[order], np.arange(len(borders) + 1))
        for b in live[np.argsort(-flows[live], kind="stable")]:
            s, t = int(b_src[b]), int(b_dst[b])
            if reach:
                pool = members[s]
                pool = pool[_nearness(x, y, pool, centres[t], centres[s]).argsort(kind="stable")]
            else:
                pool = cand[order[starts[b] : starts[b + 1]]]
            need = flows[b]
            for a in pool:
                w = weight[a]
                if moved[a] or assign[a] != s or w >= 2 * need or count[s] <= 1:
                    continue
                assign[a] = t
                moved[a] = True
                count[s] -= 1
                count[t] += 1
                if once:
                    movable[a] = False
                changes += 1
                need -= w
                if need <= 0.02 * tolerance * mean:
                    break
        if not changes:
            break
    return assign, done


def _crossing(edges, assign, movable, weight) -> np.ndarray:
    """(account, neighbour) pairs across a border, both directions, from movable accounts
    with weight."""
    cross = edges[assign[edges[:, 0]] != assign[edges[:, 1]]]
    both = np.concatenate([cross, cross[:, ::-1]])
    return both[movable[both[:, 0]] & (weight[both[:, 0]] > 0)]


def _nearness(x, y, accounts, to_centre, from_centre) -> np.ndarray:
    """How much nearer the receiver's centre than the giver's (km; smaller goes first)."""
    px, py = x[accounts], y[accounts]
    to_centre = np.broadcast_to(to_centre, (len(accounts), 2))
    from_centre = np.broadcast_to(from_centre, (len(accounts), 2))
    return np.hypot(px - to_centre[:, 0], py - to_centre[:, 1]) - np.hypot(
        px - from_centre[:, 0], py - from_centre[:, 1]
    )


def _members(assign, movable, k) -> list[np.ndarray]:
    who = np.flatnonzero(movable)
    who = who[np.argsort(assign[who], kind="stable")]
    return np.split(who, np.cumsum(np.bincount(assign[who], minlength=k))[:-1])


def _reach_pairs(centres, reach: int) -> np.ndarray:
    """Directed pairs: each territory to its ``reach`` nearest other centres and to its
    Delaunay neighbours."""
    k = len(centres)
    m = min(reach, k - 1)
    pairs = [_centre_neighbours(centres)]
    if m > 0:
        _, near = cKDTree(centres).query(centres, k=m + 1)
        near = near.reshape(k, m + 1)
        rows = np.repeat(np.arange(k), m + 1)
        pairs.append(np.stack([rows, near.ravel()], axis=1))
    pairs = np.concatenate(pairs)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0).astype(np.int64)


def _centre_neighbours(centres) -> np.ndarray:
    """Directed pairs of territories whose centres are Delaunay neighbours."""
    k = len(centres)
    if k < 2:
        return np.zeros((0, 2), np.int64)
    try:
        tri = Delaunay(centres).simplices if k >= 3 else np.array([[0, 1, 1]])
    except QhullError:  # centres on a line: every pair
        tri = np.array([[i, j, j] for i in range(k) for j in range(i + 1, k)])
    pairs = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(np.concatenate([pairs, pairs[:, ::-1]]), axis=0).astype(np.int64)


def merge_strays(assign, k: int, edges, *, movable=None, weight=None, largest=np.inf) -> np.ndarray:
    """Give every piece of a territory but its largest (by weight, then accounts) to the
    territory its accounts touch most, so territories come back in one piece. Pieces with
    a locked account, touching no other territory, or weighing more than ``largest``
    stay."""
    assign = np.asarray(assign, dtype=np.int64).copy()
    n = len(assign)
    movable = np.ones(n, bool) if movable is None else np.asarray(movable, bool)
    weight = np.ones(n) if weight is None else np.asarray(weight, float)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    inside = assign[edges[:, 0]] == assign[edges[:, 1]]
    same, cross = edges[inside], edges[~inside]
    graph = csr_matrix((np.ones(len(same), np.int8), (same[:, 0], same[:, 1])), shape=(n, n))
    count, label = connected_components(graph, directed=True, connection="weak")
    size = np.bincount(label, weights=weight + 1e-9, minlength=count)
    owner = np.zeros(count, np.int64)
    owner[label] = assign
    best = np.full(k, -1)
    order = np.lexsort((np.arange(count), -size))  # largest piece first
    for piece in order:
        if best[owner[piece]] < 0:
            best[owner[piece]] = piece
    stray = np.ones(count, bool)
    stray[best[best >= 0]] = False
    locked = np.bincount(label, weights=~movable, minlength=count) > 0
    stray &= ~locked & (size <= largest)
    both = np.concatenate([cross, cross[:, ::-1]])
    out = both[stray[label[both[:, 0]]]]
    if not len(out):
        return assign
    key = np.unique(label[out[:, 0]] * k + assign[out[:, 1]], return_counts=True)
    pieces, to, hits = key[0] // k, key[0] % k, key[1]
    pick = np.lexsort((to, -hits, pieces))
    pieces, to = pieces[pick], to[pick]
    first = np.r_[True, pieces[1:] != pieces[:-1]]
    target = np.full(count, -1)
    target[pieces[first]] = to[first]
    moving = target[label] >= 0
    assign[moving] = target[label[moving]]
    return assign


def adjacency(n: int, edges) -> tuple[np.ndarray, np.ndarray]:
    """The neighbourhood graph as CSR arrays (``indptr``, ``indices``), both directions."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    both = np.concatenate([edges, edges[:, ::-1]])
    graph = coo_matrix((np.ones(len(both), np.int8), (both[:, 0], both[:, 1])), shape=(n, n))
    graph = graph.tocsr()
    graph.sort_indices()
    return graph.indptr.astype(np.int64), graph.indices.astype(np.int64)


def _neighbours(nodes, indptr, indices) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``nodes``, neighbour) for every neighbour of every node."""
    start, degree = indptr[nodes], indptr[nodes + 1] - indptr[nodes]
    owner = np.repeat(np.arange(len(nodes)), degree)
    offset = np.arange(int(degree.sum())) - np.repeat(np.cumsum(degree) - degree, degree)
    return owner, indices[np.repeat(start, degree) + offset]


def keeps_whole(accounts, assign, indptr, indices) -> np.ndarray:
    """Whether each account can leave its territory without cutting it apart, judged
    locally: its neighbours in the same territory must be linked among themselves (any path
    through the account then has a way round it). A sufficient test, not a necessary one:
    an account whose neighbours are linked only further away counts as unsafe. An account
    with no neighbour in its territory is a piece of its own and may always leave.

    Vectorised: one node per (account, same-territory neighbour), an edge where two such
    neighbours of the same account are neighbours themselves, and connected components
    over all of them at once."""
    accounts = np.asarray(accounts, dtype=np.int64)
    assign = np.asarray(assign)
    n = len(assign)
    owner, member = _neighbours(accounts, indptr, indices)
    keep = assign[member] == assign[accounts[owner]]
    owner, member = owner[keep], member[keep]
    slots = len(owner)
    if not slots:
        return np.ones(len(accounts), bool)
    key = owner * n + member  # sorted: owners ascending, CSR rows sorted
    slot, far = _neighbours(member, indptr, indices)
    probe = owner[slot] * n + far
    at = np.minimum(np.searchsorted(key, probe), slots - 1)
    hit = key[at] == probe
    graph = coo_matrix(
        (np.ones(int(hit.sum()), np.int8), (slot[hit], at[hit])), shape=(slots, slots)
    )
    _, label = connected_components(graph, directed=False)
    pieces = metrics.distinct(owner * slots + label)
    return np.bincount(pieces // slots, minlength=len(accounts)) <= 1
