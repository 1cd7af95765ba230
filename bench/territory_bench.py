"""Territory design benchmark: balance, compactness, contiguity and time of the pure
optimiser (attain.territories.design), without a database.

    .venv/bin/python bench/territory_bench.py                       # 2,000 → 20 and 10,000 → 100
    .venv/bin/python bench/territory_bench.py --sizes 2000:20 --repeat 3
    .venv/bin/python bench/territory_bench.py --sizes "" --large    # 1M → 5,000; 100k / 500

Accounts are placed like the demo organisation's (around the demo's US metro hubs, weighted
by metro size, with the demo's jitter); potential is log-normal (median USD 50,000, a long
tail of large accounts), in integer cents. For each size it designs at 1% tolerance and
reports time, deviation on potential, account-count deviation (not balanced, for
information), mean distance to centre and the share of contiguous territories. Then it
grows the West's potential by 30% and realigns the plan at a few move penalties (5%
tolerance), reporting accounts and potential moved and the deviation before and after.
Figures go in docs/benchmarks.md (section "Territories"). Not part of the test suite.

``--large`` runs the large-book methods, each case in its own process so that its peak
resident memory (``ru_maxrss`` from ``os.wait4``) is its own: the design of 1,000,000
accounts into 5,000 territories by recursive bisection at 2% tolerance, end to end
(projection, design, and every metric including the neighbourhood graph), and the
realignment of 100,000 accounts / 500 territories (a bisection plan at 1%) after the West
grows 30%, by border flows at 5% tolerance and three move penalties.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

from attain.demo.geography import HUBS, JITTER_SD, STATE_BY_CODE
from attain.territories.design import balance, bisection, metrics, realign_large


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


def large_design(n: int, k: int) -> dict:
    lat, lon, cents, _ = accounts(n)
    start = time.perf_counter()
    x, y = balance.project(lat, lon)
    edges = metrics.neighbour_edges(x, y)
    graph = time.perf_counter() - start
    plan = bisection.design(x, y, cents, k, tolerance=0.02, edges=edges)
    designed = time.perf_counter() - start
    q = metrics.evaluate(
        x, y, plan.assignment, k, {"potential": cents, "count": np.ones(n)}, edges=edges
    )
    total = time.perf_counter() - start
    return {
        "case": f"design {n:,} → {k:,}",
        "graph_s": graph,
        "design_s": designed - graph,
        "total_s": total,
        "deviation": q.balance["potential"].max_deviation,
        "count_deviation": q.balance["count"].max_deviation,
        "contiguous": q.contiguous_share,
        "mean_distance": q.mean_distance,
        "notes": plan.notes,
    }


def large_realign(n: int, k: int) -> dict:
    lat, lon, cents, west = accounts(n)
    x, y = balance.project(lat, lon)
    edges = metrics.neighbour_edges(x, y)
    plan = bisection.design(x, y, cents, k, tolerance=0.01, edges=edges)
    grown = cents.copy()
    grown[west] = grown[west] * 13 // 10
    before = balance.max_deviation(np.bincount(plan.assignment, weights=grown, minlength=k))
    contiguous_before = metrics.evaluate(
        x, y, plan.assignment, k, {"potential": grown}, edges=edges
    ).contiguous_share
    rows = []
    for penalty in (0, 100, 400):
        start = time.perf_counter()
        new = realign_large.realign(
            x, y, grown, plan.assignment, tolerance=0.05, move_penalty_km=penalty, edges=edges
        )
        took = time.perf_counter() - start
        moved = new.assignment != plan.assignment
        q = metrics.evaluate(x, y, new.assignment, k, {"potential": grown}, edges=edges)
        rows.append({
            "penalty_km": penalty,
            "time_s": took,
            "moved": float(moved.mean()),
            "potential_moved": float(grown[moved].sum() / grown.sum()),
            "deviation": q.balance["potential"].max_deviation,
            "contiguous": q.contiguous_share,
        })  # fmt: skip
    return {
        "case": f"realign {n:,} / {k:,}",
        "deviation_before": before,
        "contiguous_before": contiguous_before,
        "west_share": float(grown[west].sum() / grown.sum()),
        "options": rows,
    }


def child(kind: str, size: str) -> None:
    n, k = (int(v) for v in size.split(":"))
    result = large_design(n, k) if kind == "design" else large_realign(n, k)
    print(json.dumps(result))


def measured(kind: str, size: str) -> dict:
    """Run one large case in a fresh process; its result plus wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, size], stdout=subprocess.PIPE, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{kind} {size} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["cpu_s"] = usage.ru_utime + usage.ru_stime  # steadier than wall time when shared
    return result


def report_design(r: dict) -> None:
    print(
        f"{r['case']}: {r['total_s']:.1f} s end to end (graph {r['graph_s']:.1f} s, design "
        f"{r['design_s']:.1f} s, metrics {r['total_s'] - r['graph_s'] - r['design_s']:.1f} s; "
        f"process {r['process_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU), peak RSS "
        f"{r['peak_rss_mib']:,.0f} MiB; deviation {r['deviation']:.2%}, account-count "
        f"deviation {r['count_deviation']:.1%}, contiguous {r['contiguous']:.1%}, mean "
        f"distance {r['mean_distance']:.1f} km {r['notes'] or ''}"
    )


def report_realign(r: dict) -> None:
    print(
        f"{r['case']} after +30% West ({r['west_share']:.0%} of potential): deviation before "
        f"{r['deviation_before']:.1%}, contiguous before {r['contiguous_before']:.1%}; peak RSS "
        f"{r['peak_rss_mib']:,.0f} MiB, {r['cpu_s']:.1f} s CPU for the whole process (data, "
        f"design, three realignments)"
    )
    for o in r["options"]:
        print(
            f"  penalty {o['penalty_km']:>3} km: {o['time_s']:5.1f} s  moved "
            f"{o['moved']:6.2%} of accounts, {o['potential_moved']:6.2%} of potential; "
            f"deviation {o['deviation']:.2%}; contiguous {o['contiguous']:.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000:20,10000:100", help="accounts:territories,…")
    parser.add_argument("--repeat", type=int, default=3, help="best of N design runs")
    parser.add_argument("--large", action="store_true", help="also the large-book cases")
    parser.add_argument("--large-design", default="1000000:5000")
    parser.add_argument("--large-realign", default="100000:500")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for item in filter(None, args.sizes.split(",")):
        n, k = (int(v) for v in item.split(":"))
        run(n, k, args.repeat)
    if args.large:
        report_design(measured("design", args.large_design))
        report_realign(measured("realign", args.large_realign))


if __name__ == "__main__":
    main()
