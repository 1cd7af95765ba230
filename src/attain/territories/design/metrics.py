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
  skipped above ``MST_LIMIT`` accounts, where its O(n²) cost is too high.) Reported as the
  number of pieces per territory and the share of non-empty territories in one piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK = 1024
MST_LIMIT = 20_000


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
    """Edges (i < j) of the symmetric k-nearest-neighbour graph, as an (m, 2) array."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    m = min(neighbours, n - 1)
    if m <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = []
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        d = np.hypot(x[start:stop, None] - x[None, :], y[start:stop, None] - y[None, :])
        d[np.arange(stop - start), np.arange(start, stop)] = np.inf
        near = _nearest(d, m)
        rows = np.repeat(np.arange(start, stop), m)
        pairs.append(np.stack([rows, near.ravel()], axis=1))
    if n <= MST_LIMIT:
        pairs.append(spanning_tree_edges(x, y))
    edges = np.concatenate(pairs)
    edges = np.sort(edges, axis=1)
    return np.unique(edges, axis=0)


def spanning_tree_edges(x, y) -> np.ndarray:
    """Edges of the Euclidean minimum spanning tree (Prim's algorithm, O(n²))."""
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


def _nearest(d: np.ndarray, m: int) -> np.ndarray:
    """Column indices of the m smallest values per row, ties by lower index."""
    part = np.argpartition(d, m - 1, axis=1)[:, : m + 1 if m < d.shape[1] - 1 else m]
    vals = np.take_along_axis(d, part, axis=1)
    order = np.lexsort((part, vals), axis=1)
    return np.take_along_axis(part, order, axis=1)[:, :m]


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def pieces(assignment, edges, k: int) -> list[int]:
    """Number of connected pieces of each territory on the neighbourhood graph."""
    a = np.asarray(assignment)
    parent = np.arange(len(a))
    same = edges[a[edges[:, 0]] == a[edges[:, 1]]]
    for i, j in same:
        ri, rj = _find(parent, int(i)), _find(parent, int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([_find(parent, i) for i in range(len(a))], dtype=np.int64)
    counts = [0] * k
    for t, _root in {(int(a[i]), int(roots[i])) for i in range(len(a))}:
        counts[t] += 1
    return counts


@dataclass
class PlanQuality:
    k: int
    balance: dict[str, MeasureBalance]
    compactness: list[float]
    mean_distance: float
    pieces: list[int]
    contiguous_share: float
    accounts: list[int]


def evaluate(x, y, assignment, k: int, measures: dict, neighbours: int = 6) -> PlanQuality:
    """Every metric of a plan; ``measures`` maps a name to per-account values."""
    a = np.asarray(assignment)
    per, overall = compactness(x, y, a, k)
    parts = pieces(a, neighbour_edges(x, y, neighbours), k)
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
