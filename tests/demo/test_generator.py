"""The pure generator: determinism, sizes, invariants, realism (no database)."""

from __future__ import annotations

import dataclasses

import numpy as np

from attain.demo.codes import (
    ROLE_OVERLAY,
    ROLE_OWNER,
    ROLE_SPLIT,
    STATUS_LOST,
    STATUS_OPEN,
    STATUS_WON,
)
from attain.demo.config import DEAL_CHUNK, DemoConfig, days_to_dates
from attain.demo.generator import generate
from attain.demo.geography import HUBS, STATE_BY_CODE
from attain.demo.people import NO_DAY
from tests.demo.conftest import AS_OF, collect


def test_same_config_gives_identical_tables(default_tables):
    again = collect(generate(DemoConfig(as_of=AS_OF)))
    assert again.keys() == default_tables.keys()
    for table, columns in default_tables.items():
        assert again[table].keys() == columns.keys(), table
        for name, values in columns.items():
            assert np.array_equal(again[table][name], values), f"{table}.{name} differs"


def test_another_seed_gives_other_deals(default_tables):
    other = collect(generate(DemoConfig(as_of=AS_OF, seed=8)))
    assert not np.array_equal(other["deals"]["amount"], default_tables["deals"]["amount"])


def test_default_sizes(default_tables):
    t = default_tables
    titles = list(t["reps"]["title"])
    assert titles.count("VP Sales") == 1
    assert titles.count("Regional Sales Manager") == 3
    assert titles.count("Account Executive") + titles.count("Solutions Specialist") == 45
    assert list(t["teams"]["name"][:4]) == ["Sales", "West", "Central", "East"]
    selling = [name for name in t["teams"]["name"] if " " in name]
    assert len(selling) == 6 and "West Enterprise" in selling and "East Commercial" in selling
    assert len(t["accounts"]["id"]) == 3_000
    assert len(t["products"]["id"]) == 12
    assert len(set(t["products"]["family"])) == 4
    assert len(t["deals"]["id"]) == 6_000
    assert len(t["activities"]["id"]) > 3 * len(t["deals"]["id"])
    assert set(t["territories"]["rule_region"]) == {"West", "Central", "East"}


def test_hierarchy_vp_and_regional_managers(default_tables):
    t = default_tables
    teams, m = t["teams"], t["memberships"]
    assert teams["parent_id"][0] == 0  # Sales is the root
    assert set(teams["parent_id"][1:4]) == {1}  # regions under Sales
    assert all(teams["parent_id"][4:] >= 2) and all(teams["parent_id"][4:] <= 4)
    managers = m["role"] == "manager"
    assert sorted(m["team_id"][managers].tolist()) == [1, 2, 3, 4]
    assert sorted(m["rep_id"][managers].tolist()) == [1, 2, 3, 4]


def test_history_has_joiners_leavers_and_movers(default_tables, default_data):
    reps, m = default_tables["reps"], default_tables["memberships"]
    start = default_data.config.start_day
    assert (reps["termination_date"] != NO_DAY).sum() >= 3
    assert (reps["hire_date"] > start).sum() >= 3
    per_rep = np.bincount(m["rep_id"])
    assert (per_rep == 2).sum() >= 3  # team changes


def test_member_memberships_do_not_overlap(default_tables):
    m = default_tables["memberships"]
    member = m["role"] == "member"
    order = np.lexsort((m["valid_from"][member], m["rep_id"][member]))
    rep = m["rep_id"][member][order]
    start, end = m["valid_from"][member][order], m["valid_to"][member][order]
    same = rep[1:] == rep[:-1]
    assert same.any()
    assert (start[1:][same] >= end[:-1][same]).all()
    assert (end > start).all()


def test_deal_amount_margin_units_are_sums_of_lines(default_tables):
    d, ln = default_tables["deals"], default_tables["deal_lines"]
    row = ln["deal_id"] - 1
    amount = np.zeros(len(d["id"]), np.int64)
    margin = np.zeros(len(d["id"]), np.int64)
    units = np.zeros(len(d["id"]), np.int64)
    np.add.at(amount, row, ln["quantity"] * ln["unit_price"])
    np.add.at(margin, row, ln["quantity"] * (ln["unit_price"] - ln["unit_cost"]))
    np.add.at(units, row, ln["quantity"])
    assert np.array_equal(amount, d["amount"])
    assert np.array_equal(margin, d["margin"])
    assert np.array_equal(units, d["units"])
    assert (np.bincount(row) >= 1).all()
    assert d["amount"].dtype == np.int64  # integer cents, never floats


def test_won_deals_margin_below_amount(default_tables):
    d = default_tables["deals"]
    won = d["status"] == STATUS_WON
    assert won.sum() > 1_000
    assert (d["margin"][won] < d["amount"][won]).all()
    assert (d["margin"][won] > 0).all()


def test_credit_shares(default_tables):
    d, c = default_tables["deals"], default_tables["credits"]
    n = len(d["id"])
    base = (c["role"] == ROLE_OWNER) | (c["role"] == ROLE_SPLIT)
    shares = np.bincount(c["deal_id"][base] - 1, weights=c["share"][base], minlength=n)
    assert (shares == 10_000).all()  # owner + split shares sum to 1 on every deal
    owners = np.bincount(c["deal_id"][c["role"] == ROLE_OWNER] - 1, minlength=n)
    assert (owners == 1).all()
    owner_rows = c["role"] == ROLE_OWNER
    assert np.array_equal(c["rep_id"][owner_rows], d["owner_id"][c["deal_id"][owner_rows] - 1])
    splits = c["role"] == ROLE_SPLIT
    overlays = c["role"] == ROLE_OVERLAY
    assert 0.03 * n < splits.sum() < 0.15 * n
    assert overlays.sum() > 0.05 * n
    assert (c["share"][splits] == 5_000).all() and (c["share"][overlays] == 10_000).all()
    pairs = c["deal_id"] * 100_000 + c["rep_id"] * 10 + c["role"]
    assert len(np.unique(pairs)) == len(pairs)


def test_split_partners_work_from_the_deals_creation_to_its_close(default_tables):
    """A partner who had left before the close would hold a credit no plan pays."""
    d, c, r = default_tables["deals"], default_tables["credits"], default_tables["reps"]
    splits = c["role"] == ROLE_SPLIT
    deal = c["deal_id"][splits] - 1
    partner = c["rep_id"][splits] - 1
    assert splits.sum() > 0
    assert (r["hire_date"][partner] <= d["created_date"][deal]).all()
    assert (d["close_date"][deal] < r["termination_date"][partner]).all()


def test_cancellations_come_weeks_after_a_win(default_tables, default_data):
    d = default_tables["deals"]
    cancelled = d["cancellation_date"] != NO_DAY
    assert cancelled.sum() > 10
    assert (d["status"][cancelled] == STATUS_WON).all()
    gap = d["cancellation_date"][cancelled] - d["close_date"][cancelled]
    assert (gap >= 14).all() and (gap <= 60).all()
    assert (d["cancellation_date"][cancelled] < default_data.config.as_of_day).all()


def test_dates_and_funnel(default_tables, default_data):
    d, cfg = default_tables["deals"], default_data.config
    assert (d["created_date"] < d["close_date"]).all()
    assert (d["created_date"] >= cfg.start_day).all()
    assert (d["created_date"] < cfg.as_of_day).all()
    closed = d["close_date"] < cfg.as_of_day
    assert (d["status"][~closed] == STATUS_OPEN).all()
    assert np.isin(d["status"][closed], [STATUS_WON, STATUS_LOST]).all()
    assert set(d["stage"][~closed].tolist()) == {0, 1, 2, 3}
    assert 0.04 < (~closed).mean() < 0.2
    assert set(d["deal_type"].tolist()) == {0, 1, 2}


def test_every_owner_is_on_a_team_on_the_created_date(default_tables):
    d, reps, m = default_tables["deals"], default_tables["reps"], default_tables["memberships"]
    owner, created = d["owner_id"], d["created_date"]
    assert (reps["hire_date"][owner - 1] <= created).all()
    assert (created < reps["termination_date"][owner - 1]).all()
    assert (reps["title"][owner - 1] == "Account Executive").all()
    member = m["role"] == "member"
    in_force = np.zeros(len(owner), bool)
    for rep, start, end in zip(
        m["rep_id"][member], m["valid_from"][member], m["valid_to"][member], strict=True
    ):
        in_force |= (owner == rep) & (start <= created) & (created < end)
    assert in_force.all()


def test_activities_belong_to_their_deal(default_tables, default_data):
    a, d = default_tables["activities"], default_tables["deals"]
    on_deal = a["deal_id"] > 0
    assert on_deal.any() and (~on_deal).any()
    row = a["deal_id"][on_deal] - 1
    assert np.array_equal(a["rep_id"][on_deal], d["owner_id"][row])
    assert np.array_equal(a["account_id"][on_deal], d["account_id"][row])
    assert (a["date"][on_deal] >= d["created_date"][row]).all()
    assert (a["date"][on_deal] <= d["close_date"][row]).all()
    assert (a["date"] < default_data.config.as_of_day).all()
    assert set(a["kind"].tolist()) == {0, 1, 2}


def test_accounts_sit_near_a_hub_of_their_state(default_tables):
    acc = default_tables["accounts"]
    hubs_by_state: dict[str, list] = {}
    for hub in HUBS:
        hubs_by_state.setdefault(hub.state, []).append(hub)
    for i in range(0, len(acc["id"]), 7):
        state = acc["state"][i]
        assert STATE_BY_CODE[state].region == acc["region"][i]
        lat, lon = acc["latitude"][i] / 1e6, acc["longitude"][i] / 1e6
        near = [
            h
            for h in hubs_by_state[state]
            if abs(h.latitude - lat) <= 0.2 and abs(h.longitude - lon) <= 0.2
        ]
        assert near, (acc["name"][i], state, lat, lon)
        assert any(acc["postcode"][i].startswith(h.zip3) for h in near)
        assert len(acc["postcode"][i]) == 5
    assert (acc["potential"] > 0).all() and (acc["potential"] % 100_000 == 0).all()
    assert set(acc["region"]) == {"West", "Central", "East"}


def test_territory_owners_hand_over_without_gaps(default_tables):
    o, reps = default_tables["territory_owners"], default_tables["reps"]
    handovers = 0
    for territory in np.unique(o["territory_id"]):
        rows = np.flatnonzero(o["territory_id"] == territory)
        assert (o["valid_from"][rows][1:] == o["valid_to"][rows][:-1]).all()
        assert o["valid_to"][rows][-1] == NO_DAY
        handovers += len(rows) - 1
        for r in rows:
            rep = o["rep_id"][r] - 1
            assert reps["hire_date"][rep] <= o["valid_from"][r] < reps["termination_date"][rep]
    assert handovers >= 1


def _quarter(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    months = days_to_dates(days).astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970, months % 12 // 3


def test_q4_outsells_q1(default_tables):
    d = default_tables["deals"]
    won = d["status"] == STATUS_WON
    year, quarter = _quarter(d["close_date"])
    in_2025 = won & (year == 2025)
    revenue = np.bincount(quarter[in_2025], weights=d["amount"][in_2025], minlength=4)
    assert revenue[3] > 1.25 * revenue[0]


def test_quarter_end_push(default_tables):
    d = default_tables["deals"]
    closed = d["status"] != STATUS_OPEN
    dates = days_to_dates(d["close_date"][closed])
    month = dates.astype("datetime64[M]")
    days_left = ((month + 1).astype("datetime64[D]") - dates).astype(np.int64)
    quarter_end = (month.astype(np.int64) % 3 == 2) & (days_left <= 10)
    # the last ten days of a quarter are ~11% of the days but carry far more closes
    assert quarter_end.mean() > 0.16


def test_reps_differ_in_skill(default_tables):
    d, a = default_tables["deals"], default_tables["activities"]
    closed = d["status"] != STATUS_OPEN
    won = d["status"] == STATUS_WON
    n_closed = np.bincount(d["owner_id"][closed])
    n_won = np.bincount(d["owner_id"][won], minlength=len(n_closed))
    enough = n_closed >= 40
    rates = n_won[enough] / n_closed[enough]
    assert enough.sum() >= 25
    assert rates.max() - rates.min() > 0.2
    # the busiest rep (activities per deal) converts below the median
    per_deal = np.bincount(a["rep_id"], minlength=len(n_closed))[: len(n_closed)]
    per_deal = np.where(enough, per_deal / np.maximum(n_closed, 1), 0)
    busiest = np.argmax(per_deal)
    assert n_won[busiest] / n_closed[busiest] < np.median(rates)


def test_margin_differs_from_revenue_by_family(default_tables):
    ln, products = default_tables["deal_lines"], default_tables["products"]
    family = products["family"][ln["product_id"] - 1]
    revenue = ln["quantity"] * ln["unit_price"]
    margin = ln["quantity"] * (ln["unit_price"] - ln["unit_cost"])
    ratio = {f: margin[family == f].sum() / revenue[family == f].sum() for f in set(family)}
    assert ratio["Platform"] > 0.8 > ratio["Hardware"] > ratio["Services"] > 0.2


def test_logins_one_per_role(default_data):
    logins = default_data.logins
    assert {x.role for x in logins} == {"admin", "finance", "manager", "rep"}
    by_name = {x.username: x for x in logins}
    assert by_name["admin"].rep_id is None and by_name["finance"].rep_id is None
    reps = default_data.org.reps
    assert reps["title"][by_name["vp"].rep_id - 1] == "VP Sales"
    assert reps["title"][by_name["manager"].rep_id - 1] == "Regional Sales Manager"
    rep = by_name["rep"].rep_id - 1
    assert reps["title"][rep] == "Account Executive" and reps["region"][rep] == "West"


def test_chunks_join_seamlessly_at_scale():
    config = DemoConfig(as_of=AS_OF, reps=300, deals=DEAL_CHUNK + 5_000, accounts=5_000)
    tables = collect(generate(config))
    for name in ("deals", "deal_lines", "credits", "activities"):
        ids = tables[name]["id"]
        assert np.array_equal(ids, np.arange(1, len(ids) + 1)), name
    assert len(tables["deals"]["id"]) == DEAL_CHUNK + 5_000
    assert np.array_equal(np.unique(tables["deal_lines"]["deal_id"]), tables["deals"]["id"])
    titles = list(tables["reps"]["title"])
    assert titles.count("Account Executive") + titles.count("Solutions Specialist") == 300


def test_config_rejects_nonsense():
    import pytest

    for bad in ({"reps": 2}, {"deals": 0}, {"months": 1}, {"accounts": 5}, {"seed": -1}):
        with pytest.raises(ValueError):
            dataclasses.replace(DemoConfig(as_of=AS_OF), **bad)
