"""Customer accounts around real US business hubs, with industry and potential."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attain.demo.config import DemoConfig
from attain.demo.geography import HUBS, JITTER_MAX, JITTER_SD, REGIONS, STATE_BY_CODE
from attain.demo.names import (
    COMPANY_FIRST,
    COMPANY_SECOND,
    COMPANY_SUFFIX,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
)

STREAM_ACCOUNTS = 2
ENTERPRISE_SHARE = 0.25  # accounts with the highest potential are enterprise accounts

_HUB_REGION = np.array([REGIONS.index(STATE_BY_CODE[h.state].region) for h in HUBS], np.int8)
_HUB_WEIGHT = np.array([h.weight for h in HUBS])


@dataclass
class Accounts:
    table: dict[str, np.ndarray]
    # Accounts grouped by (region, segment): account ids in ``order``, bucket k spans
    # order[start[k] : start[k] + length[k]] with k = region * 2 + segment.
    order: np.ndarray
    bucket_start: np.ndarray
    bucket_length: np.ndarray
    potential_factor: np.ndarray  # by account id (index 0 unused), scales deal quantities


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    a, b, c = len(COMPANY_FIRST), len(COMPANY_SECOND), len(COMPANY_SUFFIX)
    combos = a * b * c
    picks = rng.choice(combos, size=n, replace=False) if n <= combos else rng.integers(0, combos, n)
    names = [
        f"{COMPANY_FIRST[p // (b * c)]} {COMPANY_SECOND[p // c % b]} {COMPANY_SUFFIX[p % c]}"
        for p in picks.tolist()
    ]
    if n > combos:  # large benchmark sets: keep names unique with a number
        names = [f"{name} {i + 1}" for i, name in enumerate(names)]
    return np.array(names, dtype=object)


def build_accounts(config: DemoConfig) -> Accounts:
    rng = config.rng(STREAM_ACCOUNTS)
    n = config.accounts
    hub = rng.choice(len(HUBS), size=n, p=_HUB_WEIGHT / _HUB_WEIGHT.sum())
    lat = np.array([h.latitude for h in HUBS])[hub] + np.clip(
        rng.normal(0, JITTER_SD[0], n), -JITTER_MAX[0], JITTER_MAX[0]
    )
    lon = np.array([h.longitude for h in HUBS])[hub] + np.clip(
        rng.normal(0, JITTER_SD[1], n), -JITTER_MAX[1], JITTER_MAX[1]
    )
    weights = np.array(INDUSTRY_WEIGHTS, dtype=float)
    industry = rng.choice(len(INDUSTRIES), size=n, p=weights / weights.sum())
    # Potential: log-normal around $150k a year, in whole thousands of dollars.
    potential_k = np.maximum(10, np.round(150 * np.exp(rng.normal(0, 1.0, n))))
    potential_cents = potential_k.astype(np.int64) * 100_000
    threshold = np.quantile(potential_k, 1 - ENTERPRISE_SHARE)
    segment = np.where(potential_k >= threshold, 0, 1).astype(np.int8)
    region = _HUB_REGION[hub]
    zip_suffix = rng.integers(0, 100, n)
    ids = np.arange(1, n + 1, dtype=np.int64)

    table = {
        "id": ids,
        "name": _names(rng, n),
        "industry": np.array(INDUSTRIES, dtype=object)[industry],
        "region": np.array(REGIONS, dtype=object)[region],
        "state": np.array([h.state for h in HUBS], dtype=object)[hub],
        "city": np.array([h.city for h in HUBS], dtype=object)[hub],
        "postcode": np.array(
            [
                f"{HUBS[h].zip3}{s:02d}"
                for h, s in zip(hub.tolist(), zip_suffix.tolist(), strict=True)
            ],
            dtype=object,
        ),
        "latitude": np.round(lat * 1e6).astype(np.int64),
        "longitude": np.round(lon * 1e6).astype(np.int64),
        "potential": potential_cents,
        "segment": np.array(["Enterprise", "Commercial"], dtype=object)[segment],
    }

    key = region.astype(np.int64) * 2 + segment
    order = ids[np.argsort(key, kind="stable")]
    counts = np.bincount(key, minlength=6)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # An empty (region, segment) bucket borrows the region's other segment.
    for k in range(6):
        if counts[k] == 0:
            other = k ^ 1
            start[k], counts[k] = start[other], counts[other]
    if (counts == 0).any():
        raise ValueError("every region needs accounts; raise --accounts")
    factor = np.concatenate([[1.0], (potential_k / np.median(potential_k)) ** 0.3])
    return Accounts(table, order, start, counts, factor)
