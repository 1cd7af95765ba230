"""Stage histories of the demo deals: plausible paths, their own random stream, both writers."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from attain.demo.codes import STAGE_LOST, STAGE_WON, STATUS_LOST, STATUS_OPEN, STATUS_WON
from attain.demo.config import DemoConfig
from attain.demo.generator import generate
from attain.demo.services import load
from attain.demo.writer_parquet import ParquetSink
from attain.sales.models import Deal, DealStageChange
from tests.demo.conftest import AS_OF

SMALL = DemoConfig(as_of=AS_OF, reps=20, deals=2_000, accounts=500)
AS_OF_DAY = DemoConfig(as_of=AS_OF).as_of_day


def _stages(data):
    parts = [c.deal_stages for c in data.chunks() if c.deal_stages is not None]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


@pytest.fixture(scope="module")
def paths(default_data, default_tables):
    return _stages(default_data), default_tables["deals"]


def test_every_deal_has_a_path_from_prospecting(paths):
    st, deals = paths
    n = len(deals["id"])
    assert np.array_equal(np.unique(st["deal_id"]), deals["id"])
    first = np.concatenate([[True], st["deal_id"][1:] != st["deal_id"][:-1]])
    assert (st["stage"][first] == 0).all()
    assert (st["entered_on"][first] == deals["created_date"][st["deal_id"][first] - 1]).all()
    assert np.array_equal(st["id"], np.arange(1, len(st["id"]) + 1))
    assert 2 * n < len(st["id"]) < 5 * n


def test_paths_are_in_order_within_the_cycle(paths):
    st, deals = paths
    row = st["deal_id"] - 1
    same = st["deal_id"][1:] == st["deal_id"][:-1]
    assert (st["stage"][1:][same] > st["stage"][:-1][same]).all()  # stage codes in order
    assert (st["entered_on"][1:][same] >= st["entered_on"][:-1][same]).all()
    assert (st["entered_on"] >= deals["created_date"][row]).all()
    assert (st["entered_on"] <= deals["close_date"][row]).all()
    assert (st["entered_on"] <= SMALL.as_of_day).all()  # nothing entered after "today"


def test_last_stage_matches_the_deal(paths):
    st, deals = paths
    last = np.concatenate([st["deal_id"][1:] != st["deal_id"][:-1], [True]])
    deal_row = st["deal_id"][last] - 1
    assert np.array_equal(st["stage"][last], deals["stage"][deal_row])
    won = deals["status"][deal_row] == STATUS_WON
    lost = deals["status"][deal_row] == STATUS_LOST
    assert (st["stage"][last][won] == STAGE_WON).all()
    assert (st["stage"][last][lost] == STAGE_LOST).all()
    closed = won | lost
    assert (st["entered_on"][last][closed] == deals["close_date"][deal_row][closed]).all()
    # Won deals pass through all four open stages.
    counts = np.bincount(st["deal_id"] - 1, minlength=len(deals["id"]))
    assert (counts[deals["status"] == STATUS_WON] == 5).all()
    is_open = deals["status"] == STATUS_OPEN
    assert (counts[is_open] == deals["stage"][is_open] + 1).all()


def test_weaker_reps_lose_earlier(default_data, paths):
    st, deals = paths
    counts = np.bincount(st["deal_id"] - 1, minlength=len(deals["id"]))
    lost = deals["status"] == STATUS_LOST
    reached = counts[lost] - 2  # open stages past Prospecting before dropping out
    reps = default_data.org.reps
    skill = dict(zip(reps["id"].tolist(), reps["latent_win_rate"].tolist(), strict=True))
    rep_skill = np.array([skill[r] for r in deals["owner_id"][lost].tolist()])
    weak = rep_skill < np.quantile(rep_skill, 0.25)
    strong = rep_skill > np.quantile(rep_skill, 0.75)
    assert reached[weak].mean() + 0.4 < reached[strong].mean()
    assert set(np.unique(reached)) == {0, 1, 2, 3}


def test_own_stream_same_config_same_paths():
    a, b = _stages(generate(SMALL)), _stages(generate(SMALL))
    for key in a:
        assert np.array_equal(a[key], b[key])
    other = _stages(generate(DemoConfig(as_of=AS_OF, reps=20, deals=2_000, accounts=500, seed=8)))
    assert not np.array_equal(a["entered_on"][:500], other["entered_on"][:500])


def test_parquet_table(tmp_path):
    from attain.demo.services import stream

    stream(generate(SMALL), [ParquetSink(tmp_path)])
    table = pq.read_table(tmp_path / "deal_stages.parquet")
    assert table.column_names == ["id", "deal_id", "stage", "entered_on"]
    assert str(table.schema.field("entered_on").type) == "date32[day]"
    stages = set(table.column("stage").to_pylist())
    assert stages == {
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    }


@pytest.mark.django_db(transaction=True)
def test_database_gets_the_history():
    data, sinks = load(SMALL, to_db=True, parquet=None)
    assert DealStageChange.objects.count() == sinks[0].rows["dealstagechange"] > 4_000
    won = Deal.objects.filter(status="won").order_by("external_id").first()
    path = list(won.stage_changes.order_by("entered_on", "id").values_list("stage", flat=True))
    assert path[0] == "Prospecting" and path[-1] == "Closed Won" and len(path) == 5


def test_open_deals_stand_where_their_fate_allows(paths):
    """An open deal is at the stage its progress through the cycle reached, unless it will
    be lost: then no further than a lost deal gets. So among open deals three quarters
    through their cycle, the share at Negotiation is about the share of closed deals that
    reached Negotiation (a forecast weighting them by closed deals' rates is then fair),
    not all of them."""
    st, deals = paths
    is_open = deals["status"] == STATUS_OPEN
    created, close = deals["created_date"][is_open], deals["close_date"][is_open]
    progress = (AS_OF_DAY - created) / (close - created)
    by_progress = np.searchsorted([0.25, 0.5, 0.75], progress)
    stage = deals["stage"][is_open]
    assert (stage <= by_progress).all()
    late = by_progress == 3
    assert late.sum() > 100
    at_negotiation = (stage[late] == 3).mean()
    counts = np.bincount(st["deal_id"] - 1, minlength=len(deals["id"]))
    closed = deals["status"] != STATUS_OPEN
    # A closed deal's path: Prospecting … the last open stage reached, then Won or Lost.
    reached_negotiation = (counts[closed] - 2 == 3).mean()
    assert abs(at_negotiation - reached_negotiation) < 0.08, (at_negotiation, reached_negotiation)
    assert at_negotiation < 0.8
