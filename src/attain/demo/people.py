"""The org chart: a VP, three regional managers, teams per region, sellers with history.

Sellers are account executives (who own deals) and overlay specialists (credited on top of
the owner when a deal includes an overlay product). Each account executive has a latent
win rate, deal-size multiplier and activity level, drawn once, which drive everything the
deal generator does for them. A few join or leave during the window, a few change team.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attain.demo.config import DemoConfig
from attain.demo.geography import HUBS, JITTER_MAX, JITTER_SD, REGIONS, STATE_BY_CODE
from attain.demo.names import FIRST_NAMES, LAST_NAMES

STREAM_PEOPLE = 1

KIND_VP, KIND_MANAGER, KIND_AE, KIND_SPECIALIST = 0, 1, 2, 3
TITLES = ("VP Sales", "Regional Sales Manager", "Account Executive", "Solutions Specialist")
SEGMENTS = ("Enterprise", "Commercial")
SEG_ENTERPRISE, SEG_COMMERCIAL = 0, 1
NO_DAY = np.iinfo(np.int32).max  # "never" for a move or termination day

TEAM_SIZE = 7  # account executives per team, roughly
SHARE_SPECIALISTS = 1 / 15
SHARE_LEAVERS = 0.10
SHARE_JOINERS = 0.10
SHARE_MOVERS = 0.10


@dataclass
class Org:
    """Column arrays (``Table``-style dicts) for teams, reps and memberships, plus the
    per-seller arrays the deal generator needs."""

    teams: dict[str, np.ndarray]
    reps: dict[str, np.ndarray]
    memberships: dict[str, np.ndarray]
    # Indexed by position in ``sellers`` (account executives only), not by rep id:
    sellers: dict[str, np.ndarray] = field(default_factory=dict)
    # Specialist rep ids per region index.
    specialists_by_region: list[np.ndarray] = field(default_factory=list)
    team_region: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    team_segment: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    vp_rep_id: int = 1
    manager_rep_ids: tuple[int, ...] = ()


def _team_plan(config: DemoConfig) -> tuple[int, int]:
    """(specialists per region, teams per region)."""
    specialists = max(1, round(config.reps * SHARE_SPECIALISTS / 3))
    executives = config.reps - 3 * specialists
    teams = max(1, round(executives / 3 / TEAM_SIZE))
    return specialists, teams


def _team_names(region: str, count: int) -> list[tuple[str, str, int]]:
    """(external id, name, segment) of a region's teams: Enterprise, Commercial, ..."""
    out = []
    for k in range(count):
        segment = SEG_COMMERCIAL if count == 1 else k % 2
        number = k // 2 + 1
        seg = SEGMENTS[segment]
        ext = f"T-{region.upper()}-{seg[:3].upper()}" + ("" if number == 1 else f"-{number}")
        out.append((ext, f"{region} {seg}" + ("" if number == 1 else f" {number}"), segment))
    return out


def _unique_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    picks = rng.choice(combos, size=n, replace=n > combos)
    names, emails = [], []
    for i, pick in enumerate(picks):
        first = FIRST_NAMES[pick // len(LAST_NAMES)]
        last = LAST_NAMES[pick % len(LAST_NAMES)]
        names.append(f"{first} {last}")
        tag = "" if n <= combos else str(i + 1)
        emails.append(f"{first}.{last}{tag}@attain-demo.example".lower())
    return names, emails


def _homes(rng: np.random.Generator, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Home coordinates in micro-degrees, near a hub of the rep's region."""
    lat = np.zeros(len(region), np.int64)
    lon = np.zeros(len(region), np.int64)
    for r, name in enumerate(REGIONS):
        hubs = [h for h in HUBS if STATE_BY_CODE[h.state].region == name]
        weights = np.array([h.weight for h in hubs])
        rows = np.flatnonzero(region == r)
        pick = rng.choice(len(hubs), size=len(rows), p=weights / weights.sum())
        jitter_lat = np.clip(rng.normal(0, JITTER_SD[0], len(rows)), -JITTER_MAX[0], JITTER_MAX[0])
        jitter_lon = np.clip(rng.normal(0, JITTER_SD[1], len(rows)), -JITTER_MAX[1], JITTER_MAX[1])
        lat[rows] = np.round((np.array([hubs[i].latitude for i in pick]) + jitter_lat) * 1e6)
        lon[rows] = np.round((np.array([hubs[i].longitude for i in pick]) + jitter_lon) * 1e6)
    return lat, lon


def build_org(config: DemoConfig) -> Org:
    rng = config.rng(STREAM_PEOPLE)
    start, as_of = config.start_day, config.as_of_day
    specialists_per_region, teams_per_region = _team_plan(config)

    # Teams: Sales (root), one per region, then the region's selling teams.
    team_ext, team_name, team_region, team_parent, team_segment = [], [], [], [], []

    def add_team(ext: str, name: str, region: int, parent: int, segment: int) -> int:
        team_ext.append(ext)
        team_name.append(name)
        team_region.append(region)
        team_parent.append(parent)
        team_segment.append(segment)
        return len(team_ext)  # 1-based id

    sales = add_team("T-SALES", "Sales", -1, 0, -1)
    region_team = [add_team(f"T-{r.upper()}", r, i, sales, -1) for i, r in enumerate(REGIONS)]
    selling: list[list[int]] = []
    for i, region in enumerate(REGIONS):
        selling.append(
            [
                add_team(ext, name, i, region_team[i], seg)
                for ext, name, seg in _team_names(region, teams_per_region)
            ]
        )

    # Reps: VP, regional managers, specialists, account executives.
    n_exec = config.reps - 3 * specialists_per_region
    kind = np.array(
        [KIND_VP]
        + [KIND_MANAGER] * 3
        + [KIND_SPECIALIST] * (3 * specialists_per_region)
        + [KIND_AE] * n_exec,
        dtype=np.int8,
    )
    n = len(kind)
    region = np.empty(n, np.int8)
    region[0] = 2  # the VP sits in the East (New York, most likely)
    region[1:4] = [0, 1, 2]
    region[4 : 4 + 3 * specialists_per_region] = np.arange(3 * specialists_per_region) % 3
    region[4 + 3 * specialists_per_region :] = np.arange(n_exec) % 3

    hire = (start - rng.integers(60, 2_900, n)).astype(np.int32)
    hire[:4] = start - rng.integers(1_500, 4_000, 4)
    termination = np.full(n, NO_DAY, np.int32)
    move = np.full(n, NO_DAY, np.int32)

    ae = np.flatnonzero(kind == KIND_AE)
    roles = rng.permutation(len(ae))
    n_leave = round(len(ae) * SHARE_LEAVERS)
    n_join = round(len(ae) * SHARE_JOINERS)
    n_move = round(len(ae) * SHARE_MOVERS)
    leavers = ae[roles[:n_leave]]
    joiners = ae[roles[n_leave : n_leave + n_join]]
    movers = ae[roles[n_leave + n_join : n_leave + n_join + n_move]]
    # Leave and join dates keep at least two months of selling inside the window.
    termination[leavers] = rng.integers(start + 60, as_of - 30, len(leavers))
    hire[joiners] = rng.integers(start + 30, as_of - 60, len(joiners))
    move[movers] = rng.integers(start + 60, as_of - 30, len(movers))

    # Initial team: round robin over the region's selling teams; specialists sit in the
    # region's first (enterprise) team.
    team_a = np.zeros(n, np.int32)
    team_a[0] = sales
    team_a[1:4] = region_team
    for idx in np.flatnonzero(kind == KIND_SPECIALIST):
        team_a[idx] = selling[region[idx]][0]
    for k, idx in enumerate(ae):
        teams = selling[region[idx]]
        team_a[idx] = teams[(k // 3) % len(teams)]
    # Most moves go to the other segment in the same region; one in four changes region.
    team_b = team_a.copy()
    for idx in movers:
        other_region = rng.random() < 0.25
        r = (region[idx] + rng.integers(1, 3)) % 3 if other_region else region[idx]
        candidates = [t for t in selling[r] if t != team_a[idx]] or selling[r]
        team_b[idx] = candidates[rng.integers(len(candidates))]

    # Latent skill, independent of each other: activity does not buy conversion.
    win_rate = rng.beta(5.0, 11.0, n)
    size = np.exp(rng.normal(0.0, 0.35, n))
    activity = np.exp(rng.normal(0.0, 0.4, n))
    busiest = ae[np.argmax(activity[ae])]
    # The busiest rep converts poorly, so the demo always has that coaching story.
    win_rate[busiest] = min(win_rate[busiest], 0.15)

    names, emails = _unique_names(rng, n)
    home_lat, home_lon = _homes(rng, region)
    rep_ids = np.arange(1, n + 1, dtype=np.int64)

    reps = {
        "id": rep_ids,
        "external_id": np.array([f"R-{i:05d}" for i in rep_ids], dtype=object),
        "name": np.array(names, dtype=object),
        "email": np.array(emails, dtype=object),
        "title": np.array([TITLES[k] for k in kind], dtype=object),
        "hire_date": hire,
        "termination_date": termination,
        "home_latitude": home_lat,
        "home_longitude": home_lon,
        "region": np.array([REGIONS[r] for r in region], dtype=object),
        "latent_win_rate": win_rate,
        "latent_size": size,
        "latent_activity": activity,
    }

    # Memberships: one per rep, two for movers (the first ends the day the second starts).
    m_rep, m_team, m_role, m_from, m_to = [], [], [], [], []
    for i in range(n):
        first_end = min(move[i], termination[i])
        m_rep.append(i + 1)
        m_team.append(team_a[i])
        m_role.append("manager" if kind[i] in (KIND_VP, KIND_MANAGER) else "member")
        m_from.append(hire[i])
        m_to.append(first_end)
        if move[i] != NO_DAY:
            m_rep.append(i + 1)
            m_team.append(team_b[i])
            m_role.append("member")
            m_from.append(move[i])
            m_to.append(termination[i])
    memberships = {
        "id": np.arange(1, len(m_rep) + 1, dtype=np.int64),
        "rep_id": np.array(m_rep, np.int64),
        "team_id": np.array(m_team, np.int64),
        "role": np.array(m_role, dtype=object),
        "valid_from": np.array(m_from, np.int32),
        "valid_to": np.array(m_to, np.int32),
    }
    teams = {
        "id": np.arange(1, len(team_ext) + 1, dtype=np.int64),
        "external_id": np.array(team_ext, dtype=object),
        "name": np.array(team_name, dtype=object),
        "region": np.array([REGIONS[r] if r >= 0 else "" for r in team_region], dtype=object),
        "parent_id": np.array(team_parent, np.int64),
    }
    t_region = np.array(team_region, np.int8)
    t_segment = np.array(team_segment, np.int8)
    t_region_by_id = np.concatenate([[-1], t_region]).astype(np.int8)
    t_segment_by_id = np.concatenate([[-1], t_segment]).astype(np.int8)

    sellers = {
        "rep_id": rep_ids[ae],
        "span_lo": np.maximum(hire[ae], start).astype(np.int32),
        "span_hi": np.minimum(termination[ae], config.end_day).astype(np.int32),
        "hire": hire[ae],
        "termination": termination[ae],
        "move": move[ae],
        "team_a": team_a[ae],
        "team_b": team_b[ae],
        "region_a": t_region_by_id[team_a[ae]],
        "region_b": t_region_by_id[team_b[ae]],
        "segment_a": t_segment_by_id[team_a[ae]],
        "segment_b": t_segment_by_id[team_b[ae]],
        "win_rate": win_rate[ae],
        "size": size[ae],
        "activity": activity[ae],
    }
    spec = np.flatnonzero(kind == KIND_SPECIALIST)
    return Org(
        teams=teams,
        reps=reps,
        memberships=memberships,
        sellers=sellers,
        specialists_by_region=[rep_ids[spec[region[spec] == r]] for r in range(3)],
        team_region=t_region_by_id,
        team_segment=t_segment_by_id,
        vp_rep_id=1,
        manager_rep_ids=(2, 3, 4),
    )
