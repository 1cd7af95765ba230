"""attain.territories.design.bisection: recursive bisection for large books — balanced,
deterministic, locks and home bases kept, contiguity measured."""

from __future__ import annotations

import time

import numpy as np
import pytest

from attain.territories.design import balance, bisection, borders, metrics


def hubs(n=2000, count=12, seed=7, spread=30.0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 2000, (count, 2))
    h = rng.integers(0, count, n)
    x = centres[h, 0] + rng.normal(0, spread, n)
    y = centres[h, 1] + rng.normal(0, spread, n)
    w = (rng.lognormal(10, 0.8, n) * 100).astype(np.int64)
    return x, y, w


def test_bisection_cuts_the_longer_side_at_the_weighted_quantile():
    # Eight accounts on a line (x = 0..7), equal weights: 2 territories take 4 each; with
    # 4 territories, 2 each, numbered left to right. The y spread is smaller, so x is cut.
    x = np.arange(8.0)
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1.0])
    w = np.full(8, 10)
    assert bisection.bisect(x, y, w, 2).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert bisection.bisect(x, y, w, 4).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    # Three territories: the first cut gives 1/3 of the weight to the left part.
    w3 = np.array([30, 10, 10, 10, 10, 10, 10, 30])
    a = bisection.bisect(x, y, w3, 3)
    assert np.bincount(a, weights=w3).tolist() == [40, 40, 40]
    # Cut along y when y is the longer side.
    assert bisection.bisect(y, x, w, 2).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_a_cut_is_filled_past_the_line_instead_of_leaving_a_large_account_off():
    # Weights 5, 5, 30, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 (total 50): the exact quantile for
    # half (25) falls inside the 30; filling takes the small accounts past it instead.
    x = np.arange(13.0)
    y = np.zeros(13)
    w = np.array([5, 5, 30] + [1] * 10)
    a = bisection.bisect(x, y, w, 2, tolerance=0.1)
    loads = np.bincount(a, weights=w)
    assert abs(loads[0] - loads[1]) <= 10  # the 30 cannot be split; without filling: 10 vs 40
    assert a[2] == 1 and a[0] == 0


def test_design_balances_within_tolerance_and_measures_contiguity():
    x, y, w = hubs()
    plan = bisection.design(x, y, w, 16, tolerance=0.02)
    q = metrics.evaluate(x, y, plan.assignment, 16, {"w": w})
    assert q.balance["w"].max_deviation <= 0.02
    assert min(q.accounts) > 0
    assert q.contiguous_share >= 0.5  # 16 territories over 12 separate hubs
    assert len(q.pieces) == 16 and all(p >= 1 for p in q.pieces)
    assert plan.centres.shape == (16, 2) and not plan.notes
    # Compact: far closer to their centres than a random split of the same sizes.
    shuffled = np.random.default_rng(0).permutation(plan.assignment)
    assert q.mean_distance < 0.5 * metrics.compactness(x, y, shuffled, 16)[1]


def test_same_inputs_same_plan():
    x, y, w = hubs(seed=3)
    a = bisection.design(x, y, w, 10, tolerance=0.02, seed=5).assignment
    b = bisection.design(x, y, w, 10, tolerance=0.02, seed=5).assignment
    assert np.array_equal(a, b)


def test_locked_accounts_stay_where_they_were_put():
    x, y, w = hubs(n=1500, seed=11)
    k = 8
    locked = {0: 3, 1: 3, 2: 5, 10: 0}
    plan = bisection.design(x, y, w, k, tolerance=0.03, locked=locked)
    a = plan.assignment
    assert all(a[i] == t for i, t in locked.items())
    assert borders.max_deviation(np.bincount(a, weights=w, minlength=k)) <= 0.03


def test_home_bases_claim_the_territories_around_them_in_order():
    x, y, w = hubs(n=1500, seed=11)
    k = 8
    plain = bisection.design(x, y, w, k, tolerance=0.03).assignment
    # Two homes on accounts that the plain plan puts in different territories.
    i, j = 500, int(np.flatnonzero(plain != plain[500])[0])
    home = [(float(x[i]), float(y[i])), (float(x[j]), float(y[j]))]
    a = bisection.design(x, y, w, k, tolerance=0.03, seeds=home).assignment
    assert a[i] == 0 and a[j] == 1
    # Same territories as without home bases, only renumbered.
    assert len(set(zip(plain.tolist(), a.tolist(), strict=True))) == k


def test_bad_requests_are_refused_clearly():
    x, y, w = hubs(n=20)
    with pytest.raises(balance.DesignError, match="cannot fill"):
        bisection.design(x, y, w, 30)
    with pytest.raises(balance.DesignError, match="at least one"):
        bisection.design(x, y, w, 0)
    with pytest.raises(balance.DesignError, match="outside"):
        bisection.design(x, y, w, 2, locked={0: 5})
    with pytest.raises(balance.DesignError, match="negative"):
        bisection.design(x, y, -w, 2)


def test_zero_weights_still_give_every_territory_accounts():
    x, y, _ = hubs(n=300)
    w = np.zeros(300, dtype=np.int64)
    w[:30] = 100
    a = bisection.design(x, y, w, 6, tolerance=0.5).assignment
    assert np.bincount(a, minlength=6).min() > 0


def test_medium_book_in_a_few_seconds():
    x, y, w = hubs(n=20_000, count=40, seed=2, spread=40.0)
    start = time.perf_counter()
    plan = bisection.design(x, y, w, 100, tolerance=0.02)
    took = time.perf_counter() - start
    q = metrics.evaluate(x, y, plan.assignment, 100, {"w": w})
    assert q.balance["w"].max_deviation <= 0.02
    assert q.contiguous_share >= 0.8
    assert took < 30  # a few seconds on an idle machine; generous for a shared one


def test_metrics_graph_matches_brute_force_and_the_exact_spanning_tree():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 10, 400), rng.normal(0, 10, 400)
    x[:5], y[:5] = x[5:10], y[5:10]  # coincident accounts
    d = np.hypot(x[:, None] - x[None], y[:, None] - y[None])
    np.fill_diagonal(d, np.inf)
    brute = np.array([np.lexsort((np.arange(400), row))[:6] for row in d])
    assert np.array_equal(metrics.nearest_neighbours(x, y, 6), brute)

    def length(e):
        return np.hypot(x[e[:, 0]] - x[e[:, 1]], y[e[:, 0]] - y[e[:, 1]]).sum()

    tree = metrics.spanning_tree(x, y)
    assert len(tree) == 399
    assert length(tree) == pytest.approx(length(metrics.spanning_tree_edges(x, y)))


def test_components_become_groups_with_a_whole_number_of_territories():
    # Component weights 200, 100, 100 with k = 4 (mean 100): each holds a whole number of
    # territories (2, 1, 1), so each is its own group and no territory straddles two.
    x = np.array([0.0, 1, 50, 51, 100, 101])
    y = np.zeros(6)
    w = np.array([100, 100, 50, 50, 50, 50])
    label = np.array([0, 0, 1, 1, 2, 2])
    group, parts = bisection.groups(x, y, w, 4, label, tolerance=0.02)
    assert group.tolist() == [0, 1, 2] and parts.tolist() == [2, 1, 1]


def test_a_small_component_joins_the_nearby_group_it_makes_whole():
    # Shares of a territory (mean 100, k = 4): A 2.5 at x = 0, B 0.5 at x = 60, C 1.0 at
    # x = 100 (five accounts each). B is nearer C, but C + B = 1.5 does not fit; A + B = 3.0
    # does. Then A + B is whole (3 territories) and C alone (1).
    label = np.repeat([0, 1, 2], 5)
    x, y = np.array([0.0, 60, 100])[label], np.zeros(15)
    w = np.array([50, 10, 20])[label]
    group, parts = bisection.groups(x, y, w, 4, label, tolerance=0.02)
    assert group.tolist() == [0, 0, 1] and parts.tolist() == [3, 1]


def test_group_counts_are_nudged_to_add_up_where_it_costs_least():
    # Shares 33.4, 33.4, 33.2 (k = 100): rounding gives 33 each, one short. Adding it to a
    # 33.4 (33.4 / 34: −1.8%) costs less than to the 33.2 (−2.4%); the first such wins.
    # (100 accounts each, so each can hold that many territories.)
    label = np.repeat([0, 1, 2], 100)
    x, y = label * 10.0, np.zeros(300)
    w = np.repeat([334, 334, 332], 100)
    group, parts = bisection.groups(x, y, w, 100, label, tolerance=0.05)
    assert group.tolist() == [0, 1, 2] and parts.tolist() == [34, 33, 33]
    # Three components of one account each cannot hold 100 territories: one group.
    group, parts = bisection.groups(x[::100], y[::100], w[::100], 100, np.arange(3))
    assert group.tolist() == [0, 0, 0] and parts.tolist() == [100]


def test_stray_pieces_on_both_sides_of_a_cut_change_sides():
    # Ten accounts on a line graph (i – i+1), sorted along the cut. The first part holds
    # 0, 1, 2 and 4; account 4 is cut off from them by 3, which is cut off from the second
    # part (5…9). Each stray touches the other side's main piece, so both swap.
    take = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0], bool)
    ws = np.ones(10)
    local = np.stack([np.arange(9), np.arange(1, 10)], axis=1)
    flip = bisection._strays(take, ws, local, np.zeros(10, np.int64), limit=2.0)
    assert np.flatnonzero(flip).tolist() == [3, 4]
    # A stray heavier than the limit stays where it is.
    heavy = ws.copy()
    heavy[4] = 5.0
    flip = bisection._strays(take, heavy, local, np.zeros(10, np.int64), limit=2.0)
    assert np.flatnonzero(flip).tolist() == [3]


def test_with_the_graph_a_cut_is_filled_only_by_accounts_touching_its_side():
    # Weights 10, 9, 6, 1, 1, 13 at x = 0…5 (total 40, half 20). The prefix 0, 1 holds 19.
    # Without the graph the 1 at x = 3 fills the gap. On the graph 0–1, 1–2, 2–3, 3–5, 1–4,
    # account 3 does not touch the first part; 2 does but weighs 6; 4 touches it through 1
    # and fits: 0, 1, 4 hold 20 and both parts are in one piece.
    x = np.arange(6.0)
    y = np.zeros(6)
    w = np.array([10, 9, 6, 1, 1, 13])
    assert bisection.bisect(x, y, w, 2).tolist() == [0, 0, 1, 0, 1, 1]
    graph = np.array([[0, 1], [1, 2], [2, 3], [3, 5], [1, 4]])
    a = bisection.bisect(x, y, w, 2, edges=graph)
    assert a.tolist() == [0, 0, 1, 1, 0, 1]
    assert metrics.pieces(a, graph, 2) == [1, 1]


def test_nearest_neighbour_graph_alone_gives_contiguous_balanced_territories():
    # As for a million accounts: the graph is the 6-nearest-neighbour graph without the
    # spanning tree, so separate hubs are separate components (here 6, from 8 hubs, some
    # overlapping); 20,000 accounts, 100 territories. Each component gets a whole number
    # of territories where it can, so only a few territories straddle two of them.
    x, y, w = hubs(n=20_000, count=8, seed=2, spread=40.0)
    n = len(x)
    near = metrics.nearest_neighbours(x, y, 6)
    key = metrics.distinct(
        np.minimum(np.arange(n)[:, None], near) * n + np.maximum(np.arange(n)[:, None], near)
    )
    edges = np.stack([key // n, key % n], axis=1)
    assert bisection.components(n, edges)[0] == 6
    plan = bisection.design(x, y, w, 100, tolerance=0.02, edges=edges)
    q = metrics.evaluate(x, y, plan.assignment, 100, {"w": w}, edges=edges)
    assert q.balance["w"].max_deviation <= 0.02
    assert q.contiguous_share >= 0.9
    bare = metrics.pieces(bisection.bisect(x, y, w, 100, tolerance=0.02), edges, 100)
    assert np.mean(np.array(bare) == 1) < 0.8  # cuts that ignore the graph: far fewer
    again = bisection.design(x, y, w, 100, tolerance=0.02, edges=edges)
    assert np.array_equal(plan.assignment, again.assignment)


def test_every_territory_keeps_an_account_when_the_band_is_out_of_reach():
    # As many territories as accounts, one large: no plan is inside the band, and none may
    # leave a territory empty.
    x, y, w = hubs(n=40, seed=9)
    w[0] = w.sum()
    plan = bisection.design(x, y, w, 40, tolerance=0.05)
    assert sorted(plan.assignment.tolist()) == list(range(40)) and plan.notes
