"""attain.territories.design.metrics against values computed by hand.

Five accounts on a line (km):  0:(0,0) 1:(2,0) | 2:(10,0) 3:(14,0) 4:(12,0)
weights 1, 3, 2, 2, 4; plan A = [0, 0, 1, 1, 1].
"""

from __future__ import annotations

import numpy as np
import pytest

from attain.territories.design import metrics

X = [0, 2, 10, 14, 12]
Y = [0, 0, 0, 0, 0]
W = [1, 3, 2, 2, 4]
A = [0, 0, 1, 1, 1]


def test_balance_is_max_relative_deviation_from_the_mean():
    b = metrics.balance(A, W, 2)
    assert b.loads == [4, 8] and b.mean == 6
    assert b.deviation == pytest.approx([-1 / 3, 1 / 3])
    assert b.max_deviation == pytest.approx(1 / 3)


def test_compactness_is_mean_distance_to_the_centroid():
    # Territory 0: centroid (1, 0), distances 1 and 1. Territory 1: centroid (12, 0),
    # distances 2, 2, 0. Overall (1 + 1 + 2 + 2 + 0) / 5.
    per, overall = metrics.compactness(X, Y, A, 2)
    assert per == pytest.approx([1.0, 4 / 3])
    assert overall == pytest.approx(1.2)


def test_neighbour_graph_and_contiguity():
    # Nearest neighbours: 0↔1, 2→4, 3→4, 4→2 (tie with 3 goes to the lower index); the
    # spanning tree adds the shortest link between the two groups, 1–2 (8 km), and 4–3.
    assert metrics.spanning_tree_edges(np.array(X, float), np.array(Y, float)).tolist() == [
        [0, 1], [1, 2], [2, 4], [4, 3]
    ]  # fmt: skip
    edges = metrics.neighbour_edges(X, Y, neighbours=1)
    assert edges.tolist() == [[0, 1], [1, 2], [2, 4], [3, 4]]
    assert metrics.pieces(A, edges, 2) == [1, 1]
    # Account 3 placed with 0 and 1: territory 0 falls into two pieces.
    assert metrics.pieces([0, 0, 1, 0, 1], edges, 2) == [2, 1]
    q = metrics.evaluate(X, Y, [0, 0, 1, 0, 1], 2, {"w": W}, neighbours=1)
    assert q.contiguous_share == 0.5 and q.accounts == [3, 2]
    assert q.balance["w"].loads == [6, 6]


def test_empty_territory_counts_zero_pieces_and_is_ignored_by_the_share():
    edges = metrics.neighbour_edges(X, Y, neighbours=1)
    q = metrics.evaluate(X, Y, A, 3, {"w": W}, neighbours=1)
    assert q.pieces == [1, 1, 0] and q.contiguous_share == 1.0
    assert np.isclose(q.balance["w"].max_deviation, 1.0)  # the empty territory: |0 − 4| / 4
    assert len(edges) == 4


def test_distinct_is_sorted_unique():
    assert metrics.distinct(np.array([5, 1, 5, 3, 1])).tolist() == [1, 3, 5]
    assert metrics.distinct(np.array([], np.int64)).tolist() == []
