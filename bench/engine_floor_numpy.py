"""The engine benchmark's floor again, without a database: the same bare arithmetic as
``bench/engine_floor.py`` in NumPy on whole columns, to see whether another tool than DuckDB
would leave room for the explanations, checks and other constructs the engine adds.

    .venv/bin/python bench/engine_floor_numpy.py var/engine-bench/n10000000/inputs OUT.parquet

It reads the inputs ``bench/engine_bench.py`` generated (synthetic source: rep ids
``R00001``, credit ids ``C00000001``, quotas per rep and quarter), sorts the credits by rep,
quarter, day and credit id (integer keys), takes the running sum per rep and quarter, splits
each credit over the four marginal tiers on quarterly attainment (cents, half-even), caps
each rep-quarter at 6% of its quota with a second running sum, and writes rep, credit,
deal, day, tier, base and amount per line. Money is integer cents; everything is one
thread (NumPy), single pass, no sentence. The lines are the same rows as the DuckDB floor's
(checked by count in docs/benchmarks.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TIERS = ((0, 50, 2), (50, 100, 5), (100, 150, 8), (150, None, 12))  # % of quota, rate %
CAP_PERCENT_OF_QUOTA = 6
UNBOUNDED = 1 << 60


def _number_after_prefix(column: pa.ChunkedArray, kind: pa.DataType) -> np.ndarray:
    return pc.cast(pc.utf8_slice_codeunits(column, 1), kind).to_numpy()


def _cents(column: pa.ChunkedArray) -> np.ndarray:
    """Two-decimal amounts as integer cents (exact: the decimal times 100 has no fraction)."""
    return pc.cast(pc.multiply(column, pa.scalar(100, pa.decimal128(3, 0))), pa.int64()).to_numpy()


def _running_sum(values: np.ndarray, group_starts: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting where ``group_starts`` is true."""
    total = np.cumsum(values)
    offset = np.maximum.accumulate(np.where(group_starts, total - values, 0))
    return total - offset


def _round_half_even(numerator: np.ndarray, denominator: int) -> np.ndarray:
    quotient, remainder = np.divmod(numerator, denominator)
    half = denominator // 2
    return quotient + ((remainder > half) | ((remainder == half) & (quotient % 2 == 1)))


def floor_lines(inputs: Path) -> pa.Table:
    credits = pq.read_table(
        inputs / "credits.parquet",
        columns=["credit_id", "deal_id", "rep_id", "event_date", "amount"],
    )
    quotas = pq.read_table(inputs / "quotas.parquet")
    rep = _number_after_prefix(credits["rep_id"], pa.int64())
    credit = _number_after_prefix(credits["credit_id"], pa.int64())
    day = credits["event_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    quarter = (day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) // 3
    # One integer key (rep: 16 bits, quarter: 2, day of the year: 9, credit: 36): one sort.
    day_of_year = day - day.min()
    assert rep.max() < 1 << 16 and day_of_year.max() < 1 << 9 and credit.max() < 1 << 36
    order = np.argsort((rep << 47) | (quarter << 45) | (day_of_year << 36) | credit)
    rep, quarter, cents = rep[order], quarter[order], _cents(credits["amount"])[order]
    group = rep * 4 + quarter
    starts = np.r_[True, group[1:] != group[:-1]]
    running = _running_sum(cents, starts)
    before = running - cents

    quota_by = np.zeros((int(rep.max()) + 1, 4), np.int64)
    quota_rep = _number_after_prefix(quotas["rep_id"], pa.int64())
    quota_quarter = np.array([int(label[-1]) - 1 for label in quotas["period"].to_pylist()])
    quota_by[quota_rep, quota_quarter] = _cents(quotas["amount"])
    quota = quota_by[rep, quarter]

    bases, earned = [], []
    for low, high, rate in TIERS:
        top = quota * high // 100 if high is not None else np.full_like(quota, UNBOUNDED)
        base = np.maximum(0, np.minimum(running, top) - np.maximum(before, quota * low // 100))
        bases.append(base)
        earned.append(_round_half_even(base * rate, 100))
    bases, earned = np.stack(bases, 1), np.stack(earned, 1)
    in_tier = bases > 0
    row, tier = np.nonzero(in_tier)  # row-major: each credit's tiers in order
    earned = earned[in_tier]
    paid_before = _running_sum(earned, np.r_[True, group[row][1:] != group[row][:-1]]) - earned
    cap = quota[row] * CAP_PERCENT_OF_QUOTA // 100
    amount = np.minimum(earned, np.maximum(0, cap - paid_before))
    source = order[row]
    return pa.table(
        {
            "rep_id": credits["rep_id"].take(source),
            "credit_id": credits["credit_id"].take(source),
            "deal_id": credits["deal_id"].take(source),
            "event_date": credits["event_date"].take(source),
            "tier": tier + 1,
            "base_cents": bases[in_tier],
            "amount_cents": amount,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", type=Path, help="an engine_bench inputs folder (synthetic)")
    parser.add_argument("out", type=Path, help="the lines Parquet file to write")
    args = parser.parse_args()
    start = time.perf_counter()
    lines = floor_lines(args.inputs)
    computed = time.perf_counter()
    pq.write_table(lines, args.out)
    written = time.perf_counter()
    print(
        f"{lines.num_rows:,} lines in {written - start:.2f} s "
        f"(read and compute {computed - start:.2f} s, write {written - computed:.2f} s)"
    )


if __name__ == "__main__":
    main()
