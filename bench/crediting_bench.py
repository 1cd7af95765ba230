"""Crediting benchmark: what manager roll-up, territory credit and a team gate cost.

    .venv/bin/python bench/crediting_bench.py --sizes 100000 --oracle-max 20000

An organisation of 5,000 reps (5 vice presidents, 45 directors, 450 managers, 4,500
account executives; 10% of the executives change manager on a random day of 2026) and
450 territories (one per manager; 10% change owner on a random day). N owner credits over
2026, each in its executive's territory, log-normal amounts. Plans:

- ``ae`` (executives): 10% of revenue, gated on the team reaching 50% of the manager's
  quarterly quota (``team: true``);
- ``mgr`` (managers): ``roll_up: {levels: 1}`` and ``territory``: 2% of manager credits and
  1% of territory credits;
- ``exec`` (directors and vice presidents): ``roll_up: {levels: all}``: 1% of manager
  credits.

So each credit gives 1 executive line, 1 manager, 1 territory, 1 director and 1 vice
president line. The baseline is the same credits with the ``crediting`` keys and the team
gate removed (executive lines only). Times are in-process wall times of ``calculate`` for
the year 2026 on DuckDB (inputs as Arrow tables; no file I/O); the oracle runs for sizes up
to ``--oracle-max`` and must give identical tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
import pyarrow as pa

from attain.engine import calculate, parse_plan

SEED = 20261127
RATE = """
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {{from: 0, rate: {rate}}}
"""
AE = """
id: ae
version: 1
name: AE
valid_from: 2026-01-01
period: quarter
measures:
  revenue: {source: amount}
components:
  - id: commission
    name: Commission
    measure: revenue
    quota: {name: revenue}
    modifiers:
      gates:
        - {valid_from: 2026-01-01, attainment_at_least: 50, team: true}
""" + RATE.format(rate=10)
MGR = (
    """
id: mgr
version: 1
name: Manager
valid_from: 2026-01-01
period: quarter
crediting: {roll_up: {levels: 1}, territory: {}}
measures:
  revenue: {source: amount}
components:
  - id: override
    name: Override
    measure: revenue
    roles: [manager]
"""
    + RATE.format(rate=2)
    + """
  - id: territory
    name: Territory
    measure: revenue
    roles: [territory]
"""
    + RATE.format(rate=1)
)
EXEC = """
id: exec
version: 1
name: Executive
valid_from: 2026-01-01
period: quarter
crediting: {roll_up: {levels: all}}
measures:
  revenue: {source: amount}
components:
  - id: override
    name: Override
    measure: revenue
    roles: [manager]
""" + RATE.format(rate=1)


def _day(rng: np.random.Generator, size: int) -> list[dt.date]:
    start = dt.date(2026, 1, 1)
    return [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, size)]


def organisation(rng: np.random.Generator):
    vps = [f"V{i:01d}" for i in range(5)]
    directors = [f"D{i:02d}" for i in range(45)]
    managers = [f"M{i:03d}" for i in range(450)]
    aes = [f"A{i:04d}" for i in range(4500)]
    hierarchy = [(d, vps[i // 9], "2026-01-01", None) for i, d in enumerate(directors)]
    hierarchy += [(m, directors[i // 10], "2026-01-01", None) for i, m in enumerate(managers)]
    movers = set(rng.choice(len(aes), len(aes) // 10, replace=False).tolist())
    for i, ae in enumerate(aes):
        first = managers[i // 10]
        if i in movers:
            change = _day(rng, 1)[0].isoformat()
            other = managers[int(rng.integers(0, len(managers)))]
            if change == "2026-01-01" or other == first:
                hierarchy.append((ae, first, "2026-01-01", None))
            else:
                hierarchy += [(ae, first, "2026-01-01", change), (ae, other, change, None)]
        else:
            hierarchy.append((ae, first, "2026-01-01", None))
    territories = []
    for i, m in enumerate(managers):
        if rng.random() < 0.1:
            change = _day(rng, 1)[0].isoformat()
            other = managers[(i + 1) % len(managers)]
            if change != "2026-01-01":
                territories += [(f"T{i:03d}", m, "2026-01-01", change),
                                (f"T{i:03d}", other, change, None)]  # fmt: skip
                continue
        territories.append((f"T{i:03d}", m, "2026-01-01", None))
    assignments = [(r, "ae") for r in aes] + [(r, "mgr") for r in managers]
    assignments += [(r, "exec") for r in directors + vps]
    return aes, managers, hierarchy, territories, assignments


def table(rows, names):
    return pa.table({n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)})


def inputs(n: int):
    rng = np.random.default_rng(SEED)
    aes, managers, hierarchy, territories, assignments = organisation(rng)
    who = rng.integers(0, len(aes), n)
    cents = np.minimum(np.round(rng.lognormal(np.log(2_000_000), 1.0, n)), 200_000_000)
    days = _day(rng, n)
    credits = pa.table(
        {
            "credit_id": pa.array([f"C{i:08d}" for i in range(n)]),
            "deal_id": pa.array([f"K{i:08d}" for i in range(n)]),
            "rep_id": pa.array([aes[w] for w in who]),
            "share": pa.array(["1"] * n),
            "event_date": pa.array(days, pa.date32()),
            "amount": pa.array([f"{int(c) // 100}.{int(c) % 100:02d}" for c in cents]),
            "territory_id": pa.array([f"T{w // 10:03d}" for w in who]),
        }
    )
    per_quarter = max(1000, int(n / len(aes) / 4 * 20_000))
    quotas = [
        (r, "revenue", f"2026-Q{q}", str(per_quarter * (10 if r in managers else 1)))
        for r in aes + managers
        for q in range(1, 5)
    ]
    return {
        "credits": credits,
        "assignments": table(
            [(r, p, "2026-01-01") for r, p in assignments], ("rep_id", "plan_id", "valid_from")
        ),
        "quotas": table(quotas, ("rep_id", "quota", "period", "amount")),
        "hierarchy": table(hierarchy, ("rep_id", "manager_id", "valid_from", "valid_to")),
        "territories": table(territories, ("territory_id", "rep_id", "valid_from", "valid_to")),
    }


def run(n: int, oracle: bool) -> None:
    data = inputs(n)
    plans = [parse_plan(AE, "ae.yaml"), parse_plan(MGR, "mgr.yaml"), parse_plan(EXEC, "exec.yaml")]
    baseline = [parse_plan(AE.replace(", team: true", ""), "ae.yaml")]
    ae_only = data["assignments"].filter(pa.compute.equal(data["assignments"]["plan_id"], "ae"))
    started = time.perf_counter()
    base = calculate(baseline, data["credits"], ae_only, data["quotas"], period="2026")
    base_time = time.perf_counter() - started
    started = time.perf_counter()
    full = calculate(
        plans, data["credits"], data["assignments"], data["quotas"],
        hierarchy=data["hierarchy"], territories=data["territories"], period="2026",
    )  # fmt: skip
    full_time = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gated = sum(1 for g in full.lines.column("gated").to_pylist() if g)
    print(
        f"N={n:,}: baseline {base.lines.num_rows:,} lines in {base_time:.1f} s; with crediting "
        f"{full.lines.num_rows:,} lines ({gated:,} gated) in {full_time:.1f} s; "
        f"peak RSS so far {rss:,.0f} MiB"
    )
    if oracle:
        started = time.perf_counter()
        reference = calculate(
            plans, data["credits"], data["assignments"], data["quotas"],
            hierarchy=data["hierarchy"], territories=data["territories"], period="2026",
            backend="oracle",
        )  # fmt: skip
        same = reference.lines.equals(full.lines) and reference.payouts.equals(full.payouts)
        print(f"  oracle: {time.perf_counter() - started:.1f} s, identical to DuckDB: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--oracle-max", type=int, default=20000)
    args = parser.parse_args()
    for n in [int(s) for s in args.sizes.split(",")]:
        run(n, n <= args.oracle_max)


if __name__ == "__main__":
    main()
