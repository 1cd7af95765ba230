"""One rule-based territory per state, owned by an account executive of the region.

When an owner leaves the company or moves to another region, a colleague of the region
takes the territory over from that day, so ownership history is effective-dated.
"""

from __future__ import annotations

import numpy as np

from attain.demo.config import DemoConfig
from attain.demo.geography import REGIONS, STATES
from attain.demo.people import NO_DAY, Org

STREAM_TERRITORIES = 3


def build_territories(config: DemoConfig, org: Org) -> tuple[dict, dict]:
    rng = config.rng(STREAM_TERRITORIES)
    s = org.sellers
    start = config.start_day
    t_ext, t_name, t_region, t_state = [], [], [], []
    o_territory, o_rep, o_from, o_to = [], [], [], []

    def home_until(seller: int) -> int:
        """First day the seller no longer sells in their starting region."""
        left = int(s["termination"][seller])
        if s["move"][seller] != NO_DAY and s["region_b"][seller] != s["region_a"][seller]:
            left = min(left, int(s["move"][seller]))
        return left

    for r, region in enumerate(REGIONS):
        states = [st for st in STATES if st.region == region]
        local = np.flatnonzero(s["region_a"] == r)
        founders = [int(i) for i in local if s["hire"][i] <= start]
        founders = founders or [int(i) for i in local]
        for k, state in enumerate(states):
            t_ext.append(f"TER-{state.code}")
            t_name.append(f"{region}: {state.name}")
            t_region.append(region)
            t_state.append(state.code)
            territory_id = len(t_ext)
            owner = founders[k % len(founders)]
            since = start
            while True:
                until = home_until(owner)
                o_territory.append(territory_id)
                o_rep.append(int(s["rep_id"][owner]))
                o_from.append(since)
                o_to.append(until)
                if until >= NO_DAY:
                    break
                # A colleague in the region on that day takes over.
                heirs = [
                    int(i)
                    for i in local
                    if s["hire"][i] <= until < home_until(int(i)) and int(i) != owner
                ]
                if not heirs:
                    o_to[-1] = NO_DAY  # nobody left to hand over to: keep it open-ended
                    break
                owner, since = heirs[int(rng.integers(len(heirs)))], until

    territories = {
        "id": np.arange(1, len(t_ext) + 1, dtype=np.int64),
        "external_id": np.array(t_ext, dtype=object),
        "name": np.array(t_name, dtype=object),
        "rule_region": np.array(t_region, dtype=object),
        "rule_state": np.array(t_state, dtype=object),
        "valid_from": np.full(len(t_ext), start, np.int32),
    }
    owners = {
        "id": np.arange(1, len(o_rep) + 1, dtype=np.int64),
        "territory_id": np.array(o_territory, np.int64),
        "rep_id": np.array(o_rep, np.int64),
        "valid_from": np.array(o_from, np.int32),
        "valid_to": np.array(o_to, np.int32),
    }
    return territories, owners
