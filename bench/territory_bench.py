"""Territory design benchmark: balance, compactness, contiguity and time of the pure
optimiser (attain.territories.design), without a database.

    .venv/bin/python bench/territory_bench.py                       # 2,000 → 20 and 10,000 → 100
    .venv/bin/python bench/territory_bench.py --sizes 2000:20 --repeat 3

Accounts are placed like the demo organisation's (around the demo's US metro hubs, weighted
by metro size, with the demo's jitter); potential is log-normal (median USD 50,000, a long
tail of large accounts), in integer cents. For each size it designs at 1% tolerance and
reports time, deviation on potential, account-count deviation (not balanced, for
information), mean distance to centre and the share of contiguous territories. Then it
grows the West's potential by 30% and realigns the plan at a few move penalties (5%
tolerance), reporting accounts and potential moved and the deviation before and after.
Figures go in docs/benchmarks.md (section "Territories"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from attain.demo.geography import HUBS, JITTER_SD, STATE_BY_CODE
from attain.territories.design import balance, metrics


def accounts(n: int, seed: int = 11):
    rng = np.random.default_rng(seed)
    weights = np.array([h.weight for h in HUBS])
    hub = rng.choice(len(HUBS), size=n, p=weights / weights.sum())
    lat = np.array([HUBS[h].latitude for h in hub]) + rng.normal(0, JITTER_SD[0], n)
    lon = np.array([HUBS[h].longitude for h in hub]) + rng.normal(0, JITTER_SD[1], n)
    cents = (rng.lognormal(np.log(50_000), 1.0, n) * 100).astype(np.int64)
    west = np.array([STATE_BY_CODE[HUBS[h].state].region == "West" for h in hub])
    return lat, lon, cents, west


def run(n: int, k: int, repeat: int) -> None:
    lat, lon, cents, west = accounts(n)
    x, y = balance.project(lat, lon)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        plan = balance.design(x, y, cents, k, tolerance=0.01, seed=0)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    q = metrics.evaluate(x, y, plan.assignment, k, {"potential": cents, "count": np.ones(n)})
    metric_time = time.perf_counter() - start
    print(
        f"design {n:>7,} → {k:>4}: {min(times):6.2f} s  "
        f"deviation {q.balance['potential'].max_deviation:6.2%}  "
        f"count dev {q.balance['count'].max_deviation:6.1%}  "
        f"mean distance {q.mean_distance:6.1f} km  contiguous {q.contiguous_share:5.0%}  "
        f"(metrics {metric_time:.2f} s, {plan.iterations} iterations)"
    )
    grown = cents.copy()
    grown[west] = grown[west] * 13 // 10
    before = balance.max_deviation(np.bincount(plan.assignment, weights=grown, minlength=k))
    for penalty in (0, 25, 100, 400):
        start = time.perf_counter()
        new = balance.realign(
            x, y, grown, plan.assignment, tolerance=0.05, move_penalty_km=penalty
        ).assignment
        took = time.perf_counter() - start
        moved = new != plan.assignment
        after = balance.max_deviation(np.bincount(new, weights=grown, minlength=k))
        print(
            f"  realign after +30% West, penalty {penalty:>3} km: {took:5.2f} s  "
            f"moved {moved.mean():6.1%} of accounts, {grown[moved].sum() / grown.sum():6.1%} "
            f"of potential; deviation {before:6.1%} → {after:5.2%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000:20,10000:100", help="accounts:territories,…")
    parser.add_argument("--repeat", type=int, default=3, help="best of N design runs")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for item in args.sizes.split(","):
        n, k = (int(v) for v in item.split(":"))
        run(n, k, args.repeat)


if __name__ == "__main__":
    main()
