"""Quality of a territory plan: balance, compactness, contiguity. Pure (no Django).

- Balance of a measure: the mean load μ = total / k; each territory's deviation is
  (w − μ) / μ and the plan's is max |w − μ| / μ.
- Compactness: mean distance (km) from each account to its territory's centre, the plain
  (unweighted) centroid of the territory's accounts; per territory and over all accounts.
- Contiguity: on the account neighbourhood graph, a territory is contiguous when its
  accounts form one connected piece of it. Two accounts are neighbours when either is among
  the other's ``neighbours`` nearest accounts (a symmetric k-nearest-neighbour graph, ties
  by index), or when they are joined by the Euclidean minimum spanning tree of all accounts.
  The tree makes the graph connected: customers cluster around cities, and without it a
  territory made of two neighbouring cities would never count as contiguous. (The tree is
  taken from a Delaunay triangulation, which contains it; above ``MST_LIMIT`` accounts the
  triangulation costs too much time and memory and the tree is left out, so contiguity is
  measured on the nearest-neighbour graph alone: a stricter test, since it has fewer
  edges.) Reported as the number of pieces per territory and the share of non-empty
  territories in one piece.

Nearest neighbours come from a k-d tree (SciPy ``cKDTree``), pieces from
``scipy.sparse.csgraph.connected_components``, so the metrics scale to a million accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError, cKDTree

MST_LIMIT = 200_000  # Delaunay tree up to here (about 5 s at 100,000 accounts)


@dataclass
class MeasureBalance:
    loads: list[float]
    mean: float
    deviation: list[float]  # (w − μ) / μ per territory
    max_deviation: float


def balance(assignment, values, k: int) -> MeasureBalance:
    loads = np.bincount(np.asarray(assignment), weights=np.asarray(values, float), minlength=k)
    mean = float(loads.sum() / k) if k else 0.0
    dev = (loads - mean) / mean if mean else np.zeros(k)
    return MeasureBalance(
        loads=[float(v) for v in loads],
        mean=mean,
        deviation=[float(v) for v in dev],
        max_deviation=float(np.max(np.abs(dev))) if k else 0.0,
    )


def compactness(x, y, assignment, k: int) -> tuple[list[float], float]:
    """Per territory and overall mean distance to the territory's centroid."""
    x, y, a = np.asarray(x, float), np.asarray(y, float), np.asarray(assignment)
    count = np.bincount(a, minlength=k).astype(float)
    safe = np.where(count > 0, count, 1)
    cx = np.bincount(a, weights=x, minlength=k) / safe
    cy = np.bincount(a, weights=y, minlength=k) / safe
    d = np.hypot(x - cx[a], y - cy[a])
    per = np.bincount(a, weights=d, minlength=k) / safe
    return [float(v) for v in per], float(d.mean()) if len(d) else 0.0


def neighbour_edges(x, y, neighbours: int = 6) -> np.ndarray:
    """Edges (i < j) of the symmetric k-nearest-neighbour graph (ties by lower index) plus
    the minimum spanning tree up to ``MST_LIMIT`` accounts, as an (m, 2) array."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    m = min(neighbours, n - 1)
    if m <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    near = nearest_neighbours(x, y, m)
    pairs = [np.stack([np.repeat(np.arange(n), m), near.ravel()], axis=1)]
    if n <= MST_LIMIT:
        pairs.append(spanning_tree(x, y))
    edges = np.sort(np.concatenate(pairs), axis=1)
    key = distinct(edges[:, 0] * n + edges[:, 1])  # one int per edge: much faster
    return np.stack([key // n, key % n], axis=1)


def distinct(values) -> np.ndarray:
    """Sorted distinct values of an integer array: ``np.unique`` by sorting (NumPy 2.4's
    plain ``np.unique`` takes about 20× longer on millions of integers)."""
    values = np.sort(np.asarray(values).ravel())
    if not len(values):
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def nearest_neighbours(x, y, m: int) -> np.ndarray:
    """(n, m) indices of each account's m nearest other accounts, ties by lower index."""
    n = len(x)
    points = np.column_stack([x, y])
    tree = cKDTree(points)
    extra = min(n, m + 2)  # self plus one more, to see ties at the edge
    dist, idx = tree.query(points, k=extra, workers=-1)
    self_hit = idx == np.arange(n)[:, None]
    dist = np.where(self_hit, np.inf, dist)  # self may not come first among duplicates
    order = np.lexsort((idx, dist), axis=1)
    dist = np.take_along_axis(dist, order, axis=1)
    idx = np.take_along_axis(idx, order, axis=1)
    result = idx[:, :m].copy()
    # A tie at the m-th distance may hide lower indices beyond what the tree returned.
    unsure = np.flatnonzero(dist[:, m - 1] >= dist[:, extra - 2]) if extra - 1 > m else []
    for i in unsure:
        ball = np.array(tree.query_ball_point(points[i], dist[i, m - 1] * (1 + 1e-12)))
        ball = ball[ball != i]
        d = np.hypot(x[ball] - x[i], y[ball] - y[i])
        result[i] = ball[np.lexsort((ball, d))][:m]
    return result


def spanning_tree(x, y) -> np.ndarray:
    """Edges of the Euclidean minimum spanning tree: the tree of the Delaunay graph (which
    contains it), with coincident accounts joined to the first of them."""
    n = len(x)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    points = np.column_stack([x, y])
    unique, first, inverse = np.unique(points, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    twins = np.flatnonzero(first[inverse] != np.arange(n))
    joined = [np.stack([first[inverse[twins]], twins], axis=1)]
    if len(unique) >= 2:
        try:
            simplices = Delaunay(unique).simplices if len(unique) >= 3 else np.array([[0, 1, 1]])
            tri = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
        except QhullError:  # all on a line: the tree joins neighbours along it
            order = np.lexsort((unique[:, 1], unique[:, 0]))
            tri = np.stack([order[:-1], order[1:]], axis=1)
        tri = np.unique(np.sort(tri, axis=1), axis=0)
        tri = tri[tri[:, 0] != tri[:, 1]]
        length = np.hypot(*(unique[tri[:, 0]] - unique[tri[:, 1]]).T)
        graph = coo_matrix((length + 1e-300, (tri[:, 0], tri[:, 1])), shape=(len(unique),) * 2)
        tree = minimum_spanning_tree(graph.tocsr()).tocoo()
        joined.append(np.stack([first[tree.row], first[tree.col]], axis=1))
    return np.concatenate(joined).astype(np.int64)


def spanning_tree_edges(x, y) -> np.ndarray:
    """Edges of the Euclidean minimum spanning tree (Prim's algorithm, O(n²)), in the order
    Prim adds them; a small reference for ``spanning_tree``."""
    n = len(x)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = np.hypot(x - x[0], y - y[0])
    link = np.zeros(n, dtype=np.int64)
    best[0] = np.inf
    edges = np.empty((n - 1, 2), dtype=np.int64)
    for step in range(n - 1):
        j = int(np.argmin(best))
        edges[step] = (link[j], j)
        in_tree[j] = True
        best[j] = np.inf
        d = np.hypot(x - x[j], y - y[j])
        closer = (~in_tree) & (d < best)
        best[closer] = d[closer]
        link[closer] = j
    return edges


def pieces(assignment, edges, k: int) -> list[int]:
    """Number of connected pieces of each territory on the neighbourhood graph."""
    a = np.asarray(assignment, dtype=np.int64)
    n = len(a)
    if n == 0:
        return [0] * k
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    same = edges[a[edges[:, 0]] == a[edges[:, 1]]]
    graph = coo_matrix((np.ones(len(same), np.int8), (same[:, 0], same[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    pairs = distinct(a * n + label)
    return [int(c) for c in np.bincount(pairs // n, minlength=k)]


@dataclass
class PlanQuality:
    k: int
    balance: dict[str, MeasureBalance]
    compactness: list[float]
    mean_distance: float
    pieces: list[int]
    contiguous_share: float
    accounts: list[int]


def evaluate(
    x, y, assignment, k: int, measures: dict, neighbours: int = 6, edges=None
) -> PlanQuality:
    """Every metric of a plan; ``measures`` maps a name to per-account values; ``edges``
    is the neighbourhood graph when already built (``neighbour_edges(x, y, neighbours)``)."""
    a = np.asarray(assignment)
    per, overall = compactness(x, y, a, k)
    parts = pieces(a, neighbour_edges(x, y, neighbours) if edges is None else edges, k)
    counts = np.bincount(a, minlength=k)
    populated = [p for p, c in zip(parts, counts, strict=True) if c > 0]
    share = sum(1 for p in populated if p == 1) / len(populated) if populated else 1.0
    return PlanQuality(
        k=k,
        balance={name: balance(a, values, k) for name, values in measures.items()},
        compactness=per,
        mean_distance=overall,
        pieces=parts,
        contiguous_share=share,
        accounts=[int(c) for c in counts],
    )
