"""Territory bands and new hires benchmark: the flow optimiser (attain.territories.design
.balance) with a band on the account count, and a realignment that adds territories for new
hires. No database.

    .venv/bin/python bench/territory_bands_bench.py                  # 2,000 → 20
    .venv/bin/python bench/territory_bands_bench.py --sizes 2000:20,10000:100

Accounts as in bench/territory_bench.py (demo metro hubs, log-normal potential in cents).
For each size: a design at 1% on potential without a band, then with ±10% and ±5% bands on
the account count (time, deviations, mean distance); then from the plain design, one and
three new hires seeded at the most populous hubs' centres, at 100 and 400 km move penalties
and 5% tolerance: time, accounts and potential moved (and how much of it lands in the new
territories), deviation after.
Figures go in docs/benchmarks.md (section "Territories"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from territory_bench import accounts  # noqa: E402

from attain.demo.geography import HUBS  # noqa: E402
from attain.territories.design import balance, metrics  # noqa: E402


def design(x, y, cents, k, band):
    ones = np.ones(len(x), dtype=np.int64)
    secondary = {"count": (ones, band)} if band is not None else None
    start = time.perf_counter()
    plan = balance.design(x, y, cents, k, tolerance=0.01, seed=0, secondary=secondary)
    took = time.perf_counter() - start
    q = metrics.evaluate(x, y, plan.assignment, k, {"potential": cents, "count": ones})
    label = "no band" if band is None else f"count band ±{band:.0%}"
    print(
        f"design {len(x):>6,} → {k:>3}, {label:<16}: {took:6.2f} s  "
        f"potential {q.balance['potential'].max_deviation:6.2%}  "
        f"count {q.balance['count'].max_deviation:6.1%}  "
        f"mean distance {q.mean_distance:6.1f} km"
    )
    return plan


def new_hires(x, y, lat, lon, cents, plan, k, hires):
    hubs = sorted(HUBS, key=lambda h: -h.weight)[:hires]
    reference = np.radians(lat.mean())
    seeds = [
        (
            h.longitude * np.cos(reference) * balance.KM_PER_DEGREE,
            h.latitude * balance.KM_PER_DEGREE,
        )
        for h in hubs
    ]
    for penalty in (100, 400):
        start = time.perf_counter()
        new = balance.realign(
            x, y, cents, plan.assignment, k + hires, tolerance=0.05, move_penalty_km=penalty,
            seeds=seeds,
        ).assignment  # fmt: skip
        took = time.perf_counter() - start
        moved = new != plan.assignment
        landed = cents[new >= k].sum() / cents.sum()
        after = balance.max_deviation(np.bincount(new, weights=cents, minlength=k + hires))
        print(
            f"  + {hires} new hire(s) → {k + hires} territories, penalty {penalty} km: "
            f"{took:5.2f} s  moved {moved.mean():6.1%} of accounts, "
            f"{cents[moved].sum() / cents.sum():6.1%} of potential ({landed:.1%} into the new "
            f"territories); deviation after {after:5.2%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000:20", help="accounts:territories,…")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for item in filter(None, args.sizes.split(",")):
        n, k = (int(v) for v in item.split(":"))
        lat, lon, cents, _ = accounts(n)
        x, y = balance.project(lat, lon)
        plain = design(x, y, cents, k, None)
        for band in (0.10, 0.05):
            design(x, y, cents, k, band)
        for hires in (1, 3):
            new_hires(x, y, lat, lon, cents, plain, k, hires)


if __name__ == "__main__":
    main()
