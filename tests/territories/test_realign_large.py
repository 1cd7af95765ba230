"""Border flows (attain.territories.design.borders) and the large-book realignment
(realign_large), plus the services' switch to the large methods."""

from __future__ import annotations

import time

import numpy as np
import pytest

from attain.people.models import Rep
from attain.sales.models import Account, Deal
from attain.territories import services
from attain.territories.design import balance, bisection, borders, metrics, realign_large
from tests.web.conftest import TODAY


def line(loads):
    """Accounts of weight 1 at x = 0, 1, 2, … in consecutive blocks of the given sizes."""
    assign = np.repeat(np.arange(len(loads)), loads)
    n = len(assign)
    x, y = np.arange(n, dtype=float), np.zeros(n)
    edges = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)
    return x, y, np.ones(n, dtype=np.int64), assign, edges


def test_border_flow_passes_the_excess_along_the_line_nearest_the_border_first():
    # Loads 13 | 10 | 7, mean 10, tolerance 10%. Only adjacent territories touch, and only
    # the accounts on a border can cross, one layer per round: round 1 moves account 12
    # (0 → 1) and 22 (1 → 2), round 2 accounts 11 and 21; then all are within 9…11 and it
    # stops. Every territory stays a run of consecutive accounts.
    x, y, w, assign, edges = line([13, 10, 7])
    new, rounds = borders.rebalance(x, y, w, assign, 3, edges, tolerance=0.1)
    assert np.bincount(new, minlength=3).tolist() == [11, 10, 9]
    assert np.flatnonzero(new != assign).tolist() == [11, 12, 21, 22]
    assert metrics.pieces(new, edges, 3) == [1, 1, 1]
    assert rounds == 2


def test_border_flows_solve_the_small_network_exactly():
    # Three territories in a row; the middle one passes 26 on.
    flows = borders._border_flows(
        np.array([130.0, 100, 70]), np.array([130.0, 100, 70]), 100.0, 0.04,
        np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]), np.full(4, 50.0),
        np.full(4, 10), 1.0,
    )  # fmt: skip
    assert flows.tolist() == [26, 0, 26, 0]
    # A territory can pass on no more than its own accounts (here 10 of them).
    flows = borders._border_flows(
        np.array([130.0, 10, 70]), np.array([130.0, 10, 70]), 70.0, 0.04,
        np.array([0, 1]), np.array([1, 2]), np.full(2, 500.0), np.full(2, 10), 1.0,
    )  # fmt: skip
    assert flows[1] <= 10


def test_protected_accounts_never_move_and_same_input_same_plan():
    x, y, w, assign, _ = line([13, 10, 7])
    protected = np.zeros(30, bool)
    protected[[11, 12]] = True  # the border accounts of territory 0
    plan = realign_large.realign(x, y, w, assign, tolerance=0.1, protected=protected)
    a = plan.assignment
    assert a[11] == 0 and a[12] == 0
    # It aims inside 80% of the tolerance (9.2…10.8): 10 each, 3 accounts out of 0.
    assert np.bincount(a, minlength=3).tolist() == [10, 10, 10]
    assert (a != assign).sum() == 3
    again = realign_large.realign(x, y, w, assign, tolerance=0.1, protected=protected)
    assert np.array_equal(a, again.assignment)
    # Nothing may move: the plan stays and says why.
    stuck = realign_large.realign(x, y, w, assign, tolerance=0.1, protected=np.ones(30, bool))
    assert np.array_equal(stuck.assignment, assign) and stuck.notes


def test_new_territory_grows_from_its_home_base():
    x, y, w, assign, _ = line([10, 10, 10])
    plan = realign_large.realign(x, y, w, assign, 4, tolerance=0.1, seeds=[(29.0, 0.0)])
    loads = np.bincount(plan.assignment, minlength=4)
    assert loads.min() >= 7 and loads.max() <= 8  # 7.5 ± 10%
    assert plan.assignment[29] == 3
    with pytest.raises(balance.DesignError, match="home base"):
        realign_large.realign(x, y, w, assign, 4)


def drifted(n, k, seed=5):
    """Hubs over a 3,000 km square, a bisection plan, then +30% on the western third."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, (60, 2))
    h = rng.integers(0, 60, n)
    x = centres[h, 0] + rng.normal(0, 40, n)
    y = centres[h, 1] + rng.normal(0, 40, n)
    w = (rng.lognormal(10, 1.0, n) * 100).astype(np.int64)
    plan = bisection.design(x, y, w, k, tolerance=0.01)
    grown = w.copy()
    west = centres[h, 0] < 1000
    grown[west] = grown[west] * 13 // 10
    return x, y, grown, plan.assignment


def test_medium_book_back_within_five_percent_moving_few_accounts():
    x, y, w, current = drifted(20_000, 100)
    k = 100
    before = borders.max_deviation(np.bincount(current, weights=w, minlength=k))
    assert before > 0.15
    start = time.perf_counter()
    plan = realign_large.realign(x, y, w, current, tolerance=0.05, move_penalty_km=100)
    took = time.perf_counter() - start
    after = borders.max_deviation(np.bincount(plan.assignment, weights=w, minlength=k))
    moved = (plan.assignment != current).mean()
    assert after <= 0.05 and moved <= 0.12
    assert took < 30  # about a second on an idle machine


@pytest.fixture
def large_switch(monkeypatch):
    """Make every book "large" so the services use the large methods on a small org."""
    monkeypatch.setattr(services, "LARGE_ACCOUNTS", 0)


def test_services_use_bisection_for_large_designs_and_keep_locks(geo_org, large_switch):
    accounts = list(Account.objects.exclude(latitude=None).order_by("id")[:2])
    locked = {accounts[0].id: 1, accounts[1].id: 0}
    scenario = services.create_design(name="Big", user=None, as_of=TODAY, k=2, locked=locked)
    assert scenario.parameters["method"] == "bisection"
    rows = dict(scenario.assignments.values_list("account_id", "territory__index"))
    assert rows[accounts[0].id] == 1 and rows[accounts[1].id] == 0
    proposed = scenario.quality["proposed"]
    assert proposed["k"] == 2 and len(proposed["pieces"]) == 2


def test_services_realign_large_books_by_border_flows_keeping_open_deals(geo_org, large_switch):
    book, ids, options = services.realign_options(TODAY, penalties=[0, 400])
    assert len(options) == 2
    open_accounts = set(
        Deal.objects.filter(status=Deal.Status.OPEN).values_list("account_id", flat=True)
    )
    for option in options:
        for i, account_id in enumerate(book.ids):
            if int(account_id) in open_accounts:
                assert option.assignment[i] == book.current_index[i]
    scenario = services.create_realignment(name="R", user=None, as_of=TODAY, penalty_km=0)
    assert scenario.parameters["moved"] == options[0].moved


def star():
    """Territory 0: hub 0 at (0, 0) with leaves 1, 2, 3 around it; territory 1: accounts 4
    at (1, 0) and 5 at (2, 0), joined to the hub through 4."""
    x = np.array([0.0, -1, 0, 0, 1, 2])
    y = np.array([0.0, 0, 1, -1, 0, 0])
    edges = np.array([[0, 1], [0, 2], [0, 3], [0, 4], [4, 5]])
    assign = np.array([0, 0, 0, 0, 1, 1])
    return x, y, np.ones(6, dtype=np.int64), assign, edges


def test_keeps_whole_flags_accounts_whose_territory_would_fall_apart():
    # The hub's neighbours in its territory (1, 2, 3) are not linked among themselves:
    # without it, territory 0 is three pieces. Leaves have one neighbour there; account 4's
    # only neighbour in territory 1 is 5. A triangle 0–1–2 makes 0 safe to leave once 3 goes.
    x, y, w, assign, edges = star()
    indptr, indices = borders.adjacency(6, edges)
    assert borders.keeps_whole(np.arange(6), assign, indptr, indices).tolist() == [
        False, True, True, True, True, True
    ]  # fmt: skip
    tri = np.array([[0, 1], [0, 2], [1, 2], [0, 4], [4, 5]])
    indptr, indices = borders.adjacency(6, tri)
    assert borders.keeps_whole([0], np.array([0, 0, 0, 1, 1, 1]), indptr, indices).tolist() == [
        True
    ]


def test_rebalance_keeping_territories_whole_refuses_the_cut_vertex():
    # Loads 4 and 2, mean 3, tolerance 10%: territory 0 must give one account, and only its
    # hub touches territory 1. Moving it balances but leaves three pieces; with ``whole``
    # nothing moves.
    x, y, w, assign, edges = star()
    plain, _ = borders.rebalance(x, y, w, assign, 2, edges, tolerance=0.1)
    assert plain.tolist() == [1, 0, 0, 0, 1, 1]
    assert metrics.pieces(plain, edges, 2) == [3, 1]
    whole, _ = borders.rebalance(x, y, w, assign, 2, edges, tolerance=0.1, whole=True)
    assert whole.tolist() == assign.tolist()


def test_rebalance_never_takes_a_territorys_last_account():
    # Three territories of one account each, weights 1, 1, 10 (mean 4): territory 2 must
    # give 6 and its only account (10 < 2 × 6) would go, leaving it empty. It stays.
    x, y = np.array([0.0, 1, 2]), np.zeros(3)
    edges = np.array([[0, 1], [1, 2]])
    assign = np.array([0, 1, 2])
    new, _ = borders.rebalance(x, y, np.array([1, 1, 10]), assign, 3, edges, tolerance=0.1)
    assert new.tolist() == [0, 1, 2]


def test_mid_size_books_realign_by_border_flows_unless_hires_or_bands_need_the_flow(
    geo_org, monkeypatch
):
    """Above REALIGN_FLOW_ACCOUNTS the trade-off page's four realignments run by border flows
    (the flow took 17 s a penalty at 50,000 accounts); new hires' territories and bands keep
    the flow, which alone can do them."""
    monkeypatch.setattr(services, "REALIGN_FLOW_ACCOUNTS", 0)
    used = []
    for module, name in ((realign_large, "border flows"), (balance, "flow")):
        original = module.realign
        monkeypatch.setattr(
            module, "realign", lambda *a, _f=original, _n=name, **k: used.append(_n) or _f(*a, **k)
        )
    services.realign_options(TODAY, penalties=[100])
    assert used == ["border flows"]
    used.clear()
    services.realign_options(TODAY, penalties=[100], bands={"accounts": 0.5})
    assert used == ["flow"]
    used.clear()
    hire = Rep.objects.order_by("id").first()
    services.realign_options(TODAY, penalties=[100], new_hires=[hire])
    assert used == ["flow"]
    assert services.realigns_by_border_flows(10_001, 48, new_hires=False, bands=False)
    monkeypatch.setattr(services, "REALIGN_FLOW_ACCOUNTS", 10_000)
    assert not services.realigns_by_border_flows(10_000, 48, new_hires=False, bands=False)
    assert not services.realigns_by_border_flows(20_000, 48, new_hires=True, bands=False)
    assert services.realigns_by_border_flows(60_000, 48, new_hires=False, bands=True)
