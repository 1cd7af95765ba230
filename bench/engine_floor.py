"""A floor for the engine benchmark: the benchmark plan's core arithmetic written by hand as
one DuckDB query, from the credits Parquet to a lines Parquet.

    .venv/bin/python bench/engine_floor.py var/engine-bench/n10000000/inputs OUT.parquet
    .venv/bin/python bench/engine_floor.py ... --sentences

It reads the inputs ``bench/engine_bench.py`` generated and does only what every engine
must: a running sum per rep and quarter, the split over the four marginal tiers on
attainment, each slice's amount rounded half-even, the cap (2 × the quarter's target
incentive, i.e. 6% of the quarterly quota) as a second running sum, the lines sorted and
written. Left out, where ``attain.engine`` does them: checking the inputs, plan assignment,
FX, proration, SPIFFs, clawbacks, payouts; with ``--sentences``, a short sentence per line
(``$X of deal D fell in tier N at R%: $Y``) where the engine's explain every figure.

Its time is what the hardware and DuckDB allow the simplest engine on this data; compare it
with the engine's in the same session (docs/benchmarks.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

SENTENCE = (
    ", '$' || format('{:,}', base) || ' of deal ' || deal_id || ' fell in tier ' || tier"
    " || ' at ' || rate || '%: $' || format('{:,}', amount) AS explanation"
)


def floor_query(inputs: Path, out: Path, sentences: bool) -> str:
    credits, quotas = inputs / "credits.parquet", inputs / "quotas.parquet"
    return f"""
COPY (
WITH c AS (
  SELECT rep_id, credit_id, deal_id, event_date, amount,
         year(event_date) || '-Q' || quarter(event_date) AS period
  FROM read_parquet('{credits}')
), q AS (SELECT rep_id, period, amount AS quota FROM read_parquet('{quotas}')),
r AS (
  SELECT c.*, q.quota,
    SUM(c.amount) OVER (PARTITION BY c.rep_id, c.period ORDER BY c.event_date, c.credit_id
                        ROWS UNBOUNDED PRECEDING) - c.amount AS before
  FROM c JOIN q USING (rep_id, period)
), t(tier, lo, hi, rate) AS (VALUES (1, 0, 50, 2), (2, 50, 100, 5), (3, 100, 150, 8),
                                    (4, 150, NULL, 12)),
s AS (
  SELECT r.*, t.tier, t.rate,
    GREATEST(0, LEAST(before + amount, COALESCE(t.hi * quota / 100, before + amount))
                - GREATEST(before, t.lo * quota / 100)) AS base
  FROM r, t
), l AS (
  SELECT *, round_even(base * rate / 100, 2) AS earned FROM s WHERE base > 0
), capped AS (
  SELECT *, SUM(earned) OVER (PARTITION BY rep_id, period ORDER BY event_date, credit_id, tier
                              ROWS UNBOUNDED PRECEDING) AS running
  FROM l
)
SELECT rep_id, period, credit_id, deal_id, event_date, tier, rate, base,
       LEAST(earned, GREATEST(0, quota * 0.06 - (running - earned))) AS amount
       {SENTENCE if sentences else ""}
FROM capped ORDER BY rep_id, period, event_date, credit_id, tier
) TO '{out}' (FORMAT parquet)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", type=Path, help="an engine_bench inputs folder")
    parser.add_argument("out", type=Path, help="the lines Parquet file to write")
    parser.add_argument("--sentences", action="store_true", help="write a sentence per line")
    parser.add_argument("--memory-limit", default="1GB")
    args = parser.parse_args()
    connection = duckdb.connect(config={"memory_limit": args.memory_limit})
    connection.execute("SET preserve_insertion_order = false")
    start = time.perf_counter()
    connection.execute(floor_query(args.inputs.resolve(), args.out.resolve(), args.sentences))
    seconds = time.perf_counter() - start
    (lines,) = connection.execute(f"SELECT count(*) FROM read_parquet('{args.out}')").fetchone()
    print(f"{lines:,} lines in {seconds:.2f} s" + (" with sentences" if args.sentences else ""))


if __name__ == "__main__":
    main()
