"""Engine benchmark inputs made from the demo generator's Parquet tables.

``attain demo --no-db --parquet DIR`` writes the CRM side of a demo organisation: reps with
hire and termination dates, deals with their stage, amount, margin, units, close and
cancellation dates, deal lines and products, and credits (owner, split and overlay, with
their shares). This module runs it for 5,000 reps over the 12 months of 2026 and maps its
won deals of 2026 to the engine's input tables (docs/plans.md, "Input tables"):

- **credits**: one row per demo credit of a deal won in 2026, the first ``n`` by credit id
  (ids are not ordered by date, so the ``n`` are spread over the year as the deals are; a
  credit dated outside its rep's employment is left out, as an unassigned credit would stop
  the calculation: the demo gave about 0.2% of them, split credits to a partner who had
  left before the close, until its generator was fixed on 2026-11-27):
  the deal's close date, amount, margin, units, cancellation date, type and the product
  family of its first line; the credit's role and share. Amounts are in USD (the demo sells
  in USD; anything else stops the conversion).
- **assignments**: every rep holding a credit, on the benchmark plan from their hire date
  (or 1 January) to their termination, with a target incentive of 3% of their annual quota.
  Reps who join or leave during the year have their quotas prorated by the engine.
- **quotas**: per rep and quarter, the rep's own 2026 credited revenue divided by four times
  a rep factor in [0.6, 1.4] (fixed seed), rounded to USD 1,000: tiers and the cap are
  reached as in the synthetic inputs, but on the demo's seasonality (quarter-end peaks) and
  on reps of differing skill.

The demo's Parquet folder is kept under the output folder and reused by later runs of the
same size (the generator is deterministic; ``manifest.json`` says what it holds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

YEAR = 2026
REPS = 5000
SEED = 20261127
# Won credits of 2026 per generated deal (measured: 48,473 for 100,000 deals); generate a
# little more than n needs, then take the first n.
WON_CREDITS_PER_DEAL = 0.46
ACCOUNTS_PER_DEAL = 0.3
MAX_ACCOUNTS = 300_000


def demo_config(n: int) -> dict:
    deals = math.ceil(n / WON_CREDITS_PER_DEAL)
    return {
        "seed": 7,
        "reps": REPS,
        "deals": deals,
        "months": 12,
        "accounts": max(1_000, min(MAX_ACCOUNTS, round(deals * ACCOUNTS_PER_DEAL))),
        "as_of": f"{YEAR}-12-31",
    }


def generate_demo(n: int, folder: Path) -> Path:
    """The demo generator's Parquet tables for about ``n`` won credits, in ``folder``
    (generated once per configuration)."""
    config = demo_config(n)
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["config"] == config:
        return folder
    command = [
        str(Path(sys.executable).with_name("attain")),
        "demo",
        "--no-db",
        "--parquet",
        str(folder),
        *(f"--{key.replace('_', '-')}={value}" for key, value in config.items()),
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return folder


def _credits_sql(demo: Path, n: int, out: Path) -> str:
    def table(name: str) -> str:
        return f"read_parquet('{demo / f'{name}.parquet'}')"

    return f"""
COPY (
  WITH first_lines AS (
    SELECT l.deal_id, p.family FROM {table("deal_lines")} l
    JOIN {table("products")} p ON p.id = l.product_id WHERE l.line_number = 1
  ), won AS (
    SELECT c.id AS number, d.external_id AS deal_id, r.external_id AS rep_id, c.role,
           c.share, d.close_date, d.amount, d.margin, d.units, d.cancellation_date,
           d.currency, d.deal_type, f.family
    FROM {table("credits")} c
    JOIN {table("deals")} d ON d.id = c.deal_id
    JOIN {table("reps")} r ON r.id = c.rep_id
    LEFT JOIN first_lines f ON f.deal_id = d.id
    WHERE d.status = 'won' AND d.close_date >= DATE '{YEAR}-01-01'
      AND d.close_date < DATE '{YEAR + 1}-01-01'
      AND d.close_date >= r.hire_date
      AND (r.termination_date IS NULL OR d.close_date <= r.termination_date)
    ORDER BY c.id
    LIMIT {n}
  )
  SELECT 'C' || lpad(number::VARCHAR, 9, '0') AS credit_id, deal_id, rep_id, role,
         share::DECIMAL(9, 4) AS share, close_date AS event_date,
         amount::DECIMAL(18, 2) AS amount, margin::DECIMAL(18, 2) AS margin,
         units::DECIMAL(18, 2) AS units, cancellation_date, currency,
         family AS product_family, deal_type
  FROM won ORDER BY credit_id
) TO '{out}' (FORMAT parquet)
"""


def _reps_sql(demo: Path, credits: Path) -> str:
    return f"""
SELECT r.external_id AS rep_id, r.hire_date, r.termination_date,
       sum(c.amount * c.share) AS revenue, count(*) AS credits,
       min(c.event_date) AS first_credit, max(c.event_date) AS last_credit
FROM read_parquet('{credits}') c
JOIN read_parquet('{demo / "reps.parquet"}') r ON r.external_id = c.rep_id
GROUP BY ALL ORDER BY rep_id
"""


def _cents(values: list[int]) -> pa.Array:
    """Integer cents as decimal128(18, 2), exactly."""
    return pa.array([Decimal(v).scaleb(-2) for v in values], pa.decimal128(18, 2))


def convert(demo: Path, n: int, folder: Path) -> dict[str, int]:
    """Write ``credits``, ``assignments`` and ``quotas`` Parquet files to ``folder`` from the
    demo tables in ``demo``; return counts (credits, reps, reps joining or leaving)."""
    folder.mkdir(parents=True, exist_ok=True)
    credits = folder / "credits.parquet"
    connection = duckdb.connect()
    connection.execute(_credits_sql(demo, n, credits))
    got = pq.ParquetFile(credits).metadata.num_rows
    if got < n:
        raise SystemExit(f"the demo data holds {got:,} won credits of {YEAR}, fewer than {n:,}")
    currencies = connection.execute(
        f"SELECT DISTINCT currency FROM read_parquet('{credits}') WHERE currency <> 'USD'"
    ).fetchall()
    if currencies:
        raise SystemExit(f"demo deals in {currencies}: the benchmark has no FX rates")
    reps = connection.execute(_reps_sql(demo, credits)).fetchall()
    jan1, next_jan1 = dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)
    rng = np.random.default_rng([SEED, n])
    factor = rng.uniform(0.6, 1.4, len(reps))
    rep_ids, starts, ends, targets, quarter_quotas = [], [], [], [], []
    moved = 0
    for (rep, hired, left, revenue, _, first, last), f in zip(reps, factor, strict=True):
        start = max(hired, jan1)
        # valid_to is exclusive: the day after the last day worked
        end = None if left is None or left + dt.timedelta(days=1) >= next_jan1 else left
        end = end and end + dt.timedelta(days=1)
        if first < start or (end is not None and last >= end):
            raise SystemExit(f"rep {rep} holds credits outside their employment")
        moved += start > jan1 or end is not None
        quota = max(1, round(float(revenue) / 4 * f / 1000)) * 100_000  # cents
        rep_ids.append(rep)
        starts.append(start)
        ends.append(end)
        quarter_quotas.append(quota)
        targets.append(quota * 4 * 3 // 100)
    assignments = pa.table(
        {
            "rep_id": pa.array(rep_ids, pa.string()),
            "plan_id": pa.array(["bench"] * len(rep_ids)),
            "valid_from": pa.array(starts, pa.date32()),
            "valid_to": pa.array(ends, pa.date32()),
            "target_incentive": _cents(targets),
        }
    )
    quotas = pa.table(
        {
            "rep_id": pa.array([r for _ in range(4) for r in rep_ids], pa.string()),
            "quota": pa.array(["revenue"] * (4 * len(rep_ids))),
            "period": pa.array([f"{YEAR}-Q{q}" for q in range(1, 5) for _ in rep_ids]),
            "amount": _cents(quarter_quotas * 4),
        }
    )
    pq.write_table(assignments, folder / "assignments.parquet")
    pq.write_table(quotas, folder / "quotas.parquet")
    return {"credits": got, "reps": len(rep_ids), "reps joining or leaving": int(moved)}


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / f"{name}.parquet").read_bytes()).hexdigest()[:16]
        for name in ("credits", "assignments", "quotas")
    }
