"""Compensation engine benchmark: wall time and peak memory of ``attain.engine.calculate`` on
the DuckDB backend and on the per-row Python oracle, inputs read from and results written to
Parquet.

    .venv/bin/python bench/engine_bench.py --sizes 100000,1000000 --oracle-max 100000 --out DIR
    .venv/bin/python bench/engine_bench.py --sizes 100000 --oracle-max 0 --spark-max 100000

``--spark-max N`` also runs the Spark backend (a local ``local[2]`` session, PySpark and Java
needed) for sizes up to N and compares its outputs with DuckDB's, ``--spark-files-max N`` the
same from files to files (``attain calc --backend spark``: Spark reads the
credits and writes the lines); ``--postgres-max N`` the
PostgreSQL backend, on ``--database-url`` (default ``ATTAIN_ENGINE_DATABASE_URL``). The
PostgreSQL server's own CPU and memory are not in the child's figures (other processes).

Inputs come from one of two sources (``--source``), both deterministic:

- ``demo`` (the default): the demo generator's organisation (``attain demo --no-db
  --parquet``), 5,000 reps over the 12 months of 2026, its won deals mapped to engine
  credits (bench/engine_demo_inputs.py): owner, split and overlay credits, seasonality with
  quarter-end peaks, reps of differing skill, reps who join or leave during the year
  (prorated quotas), cancellations 14-60 days after closing. Quotas per rep and quarter
  from the rep's own credited revenue. The SPIFF pays on new-business Hardware deals.
- ``synthetic`` (the figures recorded before 2026-11-27 21:00 UTC): generated here
  with NumPy, directly in the engine's input format (docs/plans.md, "Input tables"): 5,000
  reps (R00001..R05000), each on one plan for the whole of 2026, and N credited transactions
  spread uniformly over the 12 months of 2026 — one owner credit (share 1) per deal,
  log-normal amounts (median USD 20,000, capped at USD 2,000,000), 3% of deals cancelled
  1–180 days after booking (about half within the 90-day clawback window), product family
  and deal type columns for the SPIFF (on Widget deals).

Synthetic quarterly quotas are per rep: the expected quarterly revenue of a rep at this N
times a rep factor in [0.6, 1.4] (rounded to USD 1,000), so that the tiers and the cap are
reached at every size. Target incentive is 3% of the annual quota.

The plan (``plan.yaml`` in the output folder): a quarterly component with cumulative
marginal tiers on attainment (0–50% at 2%, 50–100% at 5%, 100–150% at 8%, above at 12%), a
cap of 2× the period's target incentive, a SPIFF (USD 250 per new-business Widget or
Hardware deal booked in Q2) and clawbacks within 90 days. The calculation is for the year
``2026`` (four quarterly pay periods).

Each (backend, N) runs in a fresh subprocess. DuckDB runs as ``attain calc`` does, from files
to files (``attain.engine.files``: credits checked in batches, reps calculated in chunks of
``--chunk-credits`` credits within ``--memory-limit``, lines explained, sorted and streamed
out); it writes Parquet, as the issue's benchmark asks and as the oracle and Spark (which
calculate in memory) do, or also CSV with ``--formats parquet,csv``. ``--changed-reps K``
also times a DuckDB run for K reps spread over the book (recalculating only the reps whose
credits changed) and checks its outputs equal the full run's for those reps;
``--open-period P`` a run of every rep for period P only (as at its close) and, with
``--changed-reps``, of the K reps in P, each checked against the full run's rows. Wall time is
the subprocess's whole run including the Python start and imports; peak memory is its
``VmHWM`` (``ru_maxrss`` would carry over the parent's peak, which holds the generated
inputs, across fork and exec); the subprocess reports a phase breakdown. Where two
backends ran on the same N, their outputs are compared (Arrow table equality and Parquet
file bytes).
Figures go in docs/benchmarks.md (section "Engine"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPS = 5000
YEAR = 2026
SEED = 20261127
MEDIAN_CENTS = 2_000_000
MAX_CENTS = 200_000_000
CANCEL_SHARE = 0.03
OUTPUTS = ("lines", "payouts", "component_payouts")

PLAN = """\
id: bench
version: 1
name: Engine benchmark plan
valid_from: 2026-01-01
currency: USD
period: quarter
measures:
  revenue: {source: amount}
components:
  - id: commission
    name: Commission on revenue
    measure: revenue
    quota: {name: revenue}
    rate_tables:
      - valid_from: 2026-01-01
        basis: attainment
        semantic: marginal
        evaluation: cumulative
        tiers:
          - {from: 0, to: 50, rate: 2}
          - {from: 50, to: 100, rate: 5}
          - {from: 100, to: 150, rate: 8}
          - {from: 150, rate: 12}
    modifiers:
      caps:
        - {valid_from: 2026-01-01, multiple_of_target: 2, per: period}
spiffs:
  - id: widget_push
    name: Widget push
    valid_from: 2026-01-01
    where: 'product_family == "{spiff_family}" and deal_type == "new"'
    window_from: 2026-04-01
    window_to: 2026-07-01
    fixed: 250
clawback: {valid_from: 2026-01-01, within_days: 90, reduces_attainment: false}
"""

FAMILIES = ["Widget", "Gadget", "Platform", "Services"]
DEMO_SPIFF_FAMILY = "Hardware"  # a family of the demo's product catalogue
DEAL_TYPES = ["new", "expansion", "renewal"]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _cents(values: np.ndarray) -> pa.Array:
    """Integer cents → decimal128(18, 2), exactly (no float)."""
    v = np.ascontiguousarray(values, dtype=np.int64)
    words = np.empty((len(v), 2), np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(v), [None, pa.py_buffer(words)])


def _share_one(n: int) -> pa.Array:
    """share = 1.0000 as decimal128(9, 4), built from integer ten-thousandths (no float)."""
    words = np.zeros((n, 2), np.int64)
    words[:, 0] = 10_000
    return pa.Array.from_buffers(pa.decimal128(9, 4), n, [None, pa.py_buffer(words)])


def _strings(choices: list[str], codes: np.ndarray) -> pa.Array:
    return pc.cast(pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), choices), pa.string())


def generate(n: int, folder: Path) -> dict[str, str]:
    """Write credits, assignments, quotas and the plan for ``n`` credits; return file hashes."""
    rng = np.random.default_rng([SEED, n])
    folder.mkdir(parents=True, exist_ok=True)
    jan1 = dt.date(YEAR, 1, 1)
    days = (dt.date(YEAR + 1, 1, 1) - jan1).days
    epoch = (jan1 - dt.date(1970, 1, 1)).days

    rep = rng.integers(1, REPS + 1, n)
    day = rng.integers(0, days, n)
    cents = np.minimum(
        np.round(MEDIAN_CENTS * rng.lognormal(0.0, 1.0, n)).astype(np.int64), MAX_CENTS
    )
    cents = np.maximum(cents, 10_000)
    margin = (cents * rng.integers(10, 60, n)) // 100
    cancelled = rng.random(n) < CANCEL_SHARE
    cancel_day = day + rng.integers(1, 181, n)
    cancelled &= cancel_day < days
    family = rng.integers(0, len(FAMILIES), n)
    deal_type = rng.choice(len(DEAL_TYPES), n, p=[0.5, 0.3, 0.2])

    numbers = np.arange(1, n + 1)
    credits = pa.table(
        {
            "credit_id": _ids("C", numbers, 8),
            "deal_id": _ids("D", numbers, 8),
            "rep_id": _ids("R", rep, 5),
            "share": _share_one(n),
            "event_date": pa.array((epoch + day).astype(np.int32), pa.date32()),
            "amount": _cents(cents),
            "margin": _cents(margin),
            "cancellation_date": pa.array(
                (epoch + cancel_day).astype(np.int32), pa.date32(), mask=~cancelled
            ),
            "product_family": _strings(FAMILIES, family),
            "deal_type": _strings(DEAL_TYPES, deal_type),
        }
    )
    # Expected quarterly revenue per rep at this n, times a rep factor, rounded to USD 1,000.
    mean_cents = float(np.mean(cents))
    expected = n / REPS / 4 * mean_cents
    reps = np.arange(1, REPS + 1)
    factor = rng.uniform(0.6, 1.4, REPS)
    quarter_quota = np.maximum(np.round(expected * factor / 100_000), 1).astype(np.int64) * 100_000
    rep_ids = _ids("R", reps, 5)
    quotas = pa.table(
        {
            "rep_id": pa.concat_arrays([rep_ids] * 4),
            "quota": pa.array(["revenue"] * (4 * REPS)),
            "period": pa.array([f"{YEAR}-Q{q}" for q in range(1, 5) for _ in range(REPS)]),
            "amount": _cents(np.tile(quarter_quota, 4)),
        }
    )
    target = (quarter_quota * 4 * 3) // 100
    assignments = pa.table(
        {
            "rep_id": rep_ids,
            "plan_id": pa.array(["bench"] * REPS),
            "valid_from": pa.array([jan1] * REPS, pa.date32()),
            "target_incentive": _cents(target),
        }
    )
    hashes = {}
    for name, table in (("credits", credits), ("assignments", assignments), ("quotas", quotas)):
        path = folder / f"{name}.parquet"
        pq.write_table(table, path)
        hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    write_plan(folder, "Widget")
    return hashes


def write_plan(folder: Path, spiff_family: str) -> None:
    plans = folder / "plans"
    plans.mkdir(exist_ok=True)
    (plans / "bench.yaml").write_text(PLAN.replace("{spiff_family}", spiff_family))


def demo_inputs(n: int, root: Path) -> dict[str, str]:
    """Inputs for ``n`` credits from the demo generator's tables (bench/engine_demo_inputs.py)."""
    import engine_demo_inputs as demo

    inputs = root / f"n{n}" / "inputs"
    tables = demo.generate_demo(n, root / f"demo-n{n}")
    counts = demo.convert(tables, n, inputs)
    write_plan(inputs, DEMO_SPIFF_FAMILY)
    return {**counts, **demo.file_hashes(inputs)}


def stopwatch(phases: dict[str, float]):
    """``lap(name)`` adds the time since the previous lap (or now) to ``phases[name]``."""
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - clock
        clock = now

    return lap


def _read(path: Path) -> pa.Table:
    """A Parquet file as ``attain calc`` reads it: ``pq.read_table`` would import
    ``pyarrow.dataset`` and pandas, which the engine no longer does."""
    return pq.ParquetFile(path).read()


def child(backend: str, inputs: Path, out: Path) -> None:
    """One run in this (fresh) process: read Parquet, calculate, write Parquet, report."""
    phases: dict[str, float] = {}
    lap = stopwatch(phases)

    from attain.engine import load_plans
    from attain.engine.explain_sql import explain_lines
    from attain.engine.oracle import calculate_with_oracle
    from attain.engine.prepare import prepare
    from attain.engine.results import build_result

    lap("imports")
    plans = load_plans(inputs / "plans")
    credits = _read(inputs / "credits.parquet")
    assignments = _read(inputs / "assignments.parquet")
    quotas = _read(inputs / "quotas.parquet")
    lap("read inputs")
    # The same steps as attain.engine.calculate(..., backend=backend), split to time them.
    prepared = prepare(plans, credits, assignments, quotas, period=str(YEAR))
    lap("prepare (check inputs, targets)")
    if backend == "spark":
        from attain.engine.backends.spark import SESSION_SQL_CONF, local_session
        from attain.engine.backends.spark import run_program as run_on_spark

        base = local_session()
        lap("spark: start local session (JVM)")
        session = base.newSession()
        for key, value in SESSION_SQL_CONF.items():
            session.conf.set(key, value)
        lines = run_on_spark(prepared, session)
        lap("spark: register inputs, checks, lines to Arrow")
        jvm = _jvm_peak_mib(base)
        base.stop()
        lines = explain_lines(lines)
        lap("explanations")
        result = build_result(lines)
        lap("sort lines, sum payouts")
    elif backend == "postgres":
        from attain.engine.backends.postgres import calculation_cursor
        from attain.engine.backends.postgres import run_program as run_on_postgres

        with calculation_cursor() as cursor:
            lap("postgres: connect")
            lines = run_on_postgres(prepared, cursor)
            lap("postgres: load inputs (COPY), steps, checks, lines to Arrow")
        lines = explain_lines(lines)
        lap("explanations")
        result = build_result(lines)
        lap("sort lines, sum payouts")
    else:
        result = calculate_with_oracle(prepared)
        lap("oracle (rows, explanations, sort, sums)")
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        pq.write_table(getattr(result, name), out / f"{name}.parquet")
    lap("write outputs")
    report = {
        "rows": {name: getattr(result, name).num_rows for name in OUTPUTS},
        "phases": phases,
        "maxrss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "vmhwm_kib": _vmhwm_kib(),
    }
    if backend == "spark":
        report["jvm_peak_mib"] = jvm
    print(json.dumps(report))


def child_files(
    inputs: Path,
    out: Path,
    memory_limit: str,
    chunk_credits: int,
    formats: str,
    reps: list[str] | None = None,
) -> None:
    """DuckDB from files to files, as ``attain calc`` runs it (attain.engine.files), timed
    phase by phase through its ``progress`` callback."""
    phases: dict[str, float] = {}
    lap = stopwatch(phases)

    from attain.engine import files, load_plans

    lap("imports")
    written = files.calculate_files(
        *_file_inputs(inputs, load_plans),
        out=out,
        memory_limit=memory_limit,
        chunk_credits=chunk_credits,
        formats=formats.split(","),
        reps=reps,
        progress=lap,
        period=os.environ.get("ATTAIN_BENCH_PERIOD", str(YEAR)),
    )
    lap("rename into place")
    print(
        json.dumps(
            {
                "rows": _rows(written),
                "phases": phases,
                "maxrss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "vmhwm_kib": _vmhwm_kib(),
            }
        )
    )


def _file_inputs(inputs: Path, load_plans) -> tuple:
    """Plans, the credits file, assignments and quotas, as the files runs take them."""
    return (
        load_plans(inputs / "plans"),
        inputs / "credits.parquet",
        _read(inputs / "assignments.parquet"),
        _read(inputs / "quotas.parquet"),
    )


def _rows(written) -> dict[str, int]:
    """A files run's row counts under the names the in-memory runs report."""
    return {
        "lines": written.rows["earnings"],
        "payouts": written.rows["payouts"],
        "component_payouts": written.rows["component_payouts"],
    }


def child_spark_files(inputs: Path, out: Path) -> None:
    """Spark from files to files (``attain calc --backend spark``): the
    credits read by Spark, the lines explained on the executors and written by Spark."""
    phases: dict[str, float] = {}
    lap = stopwatch(phases)

    from attain.engine import load_plans
    from attain.engine.backends.spark import local_session
    from attain.engine.backends.spark_files import calculate_files_on_spark

    lap("imports")
    session = local_session()
    lap("spark: start local session (JVM)")
    written = calculate_files_on_spark(
        *_file_inputs(inputs, load_plans),
        out=out,
        spark=session,
        progress=lap,
        period=str(YEAR),
    )
    jvm = _jvm_peak_mib(session)
    session.stop()
    lap("spark: stop")
    report = {
        "rows": _rows(written),
        "phases": phases,
        "vmhwm_kib": _vmhwm_kib(),
        "jvm_peak_mib": jvm,
    }
    print(json.dumps(report))


def _vmhwm_kib() -> int:
    """This process's peak resident memory since it started (``VmHWM``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _jvm_peak_mib(session) -> float | None:
    """Peak resident memory of the Spark driver JVM (VmHWM), which ru_maxrss does not count."""
    try:
        pid = session.sparkContext._gateway.proc.pid
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (AttributeError, OSError):
        return None
    return None


def run(backend: str, inputs: Path, out: Path) -> dict:
    command = [sys.executable, __file__, "--child", backend, str(inputs), str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{backend} run on {inputs} failed ({process.returncode})")
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    report.update(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        # ru_maxrss carries the parent's high-water mark across fork and exec (Linux), and
        # the parent holds the generated inputs: the child's own peak is its VmHWM.
        maxrss_mib=report.get("vmhwm_kib", usage.ru_maxrss) / 1024,
    )
    return report


def _output_file(folder: Path, name: str) -> Path:
    """DuckDB's run writes as ``attain calc`` does: the lines are ``earnings``."""
    if name == "lines" and (folder / "earnings.parquet").exists():
        return folder / "earnings.parquet"
    return folder / f"{name}.parquet"


def compare(a: Path, b: Path) -> dict[str, str]:
    verdict = {}
    for name in OUTPUTS:
        x, y = _output_file(a, name), _output_file(b, name)
        if x.is_dir() or y.is_dir():  # Spark's earnings dataset: a folder of part files
            from attain.engine.backends.spark_files import read_earnings

            same = read_earnings(x.parent if x.is_dir() else y.parent).equals(
                pq.read_table(y if x.is_dir() else x)
            )
            verdict[name] = "row-equal" if same else "DIFFERENT"
        elif x.read_bytes() == y.read_bytes():
            verdict[name] = "byte-equal"
        elif pq.read_table(x).equals(pq.read_table(y)):
            verdict[name] = "row-equal"
        else:
            verdict[name] = "DIFFERENT"
    return verdict


def recalculation(
    folder: Path, inputs: Path, full: dict, count: int = 0, period: str | None = None
) -> None:
    """A run for ``count`` reps spread over the book (every rep if 0) and for the open
    ``period`` only (the whole year if None), as after a change to those reps' credits or
    at a period's close; timed and checked against the full run's rows of those reps and
    that period."""
    from attain.engine.periods import parse_period, periods_in

    name = "duckdb" + (f"-{count}-reps" if count else "") + (f"-{period}" if period else "")
    every_rep = pq.read_table(inputs / "assignments.parquet")["rep_id"].to_pylist()
    reps = every_rep[:: max(1, len(every_rep) // count)][:count] if count else []
    if reps:
        os.environ["ATTAIN_BENCH_REPS"] = ",".join(reps)
    os.environ["ATTAIN_BENCH_PERIOD"] = period or str(YEAR)
    try:
        report = run("duckdb-reps" if reps else "duckdb", inputs, folder / name)
    finally:
        os.environ.pop("ATTAIN_BENCH_REPS", None)
        os.environ.pop("ATTAIN_BENCH_PERIOD", None)
    what = (f"{len(reps)} reps" if reps else "every rep") + (f", {period} only" if period else "")
    print(
        f"  {what}: wall {report['wall']:7.2f} s  cpu {report['cpu']:7.2f} s  "
        f"peak RSS {report['maxrss_mib']:7.0f} MiB  ({full['wall'] / report['wall']:.1f}x "
        "faster than the full run)"
    )
    for phase, seconds in report["phases"].items():
        print(f"      {phase:40} {seconds:7.2f} s")
    verdict = {}
    for output in OUTPUTS:
        whole = pq.read_table(_output_file(folder / "duckdb", output))
        if reps:
            whole = whole.filter(pc.is_in(whole["rep_id"], pa.array(reps, pa.string())))
        if period:
            quarters = [p.label for p in periods_in(parse_period(period), "quarter")]
            whole = whole.filter(pc.is_in(whole["period"], pa.array(quarters, pa.string())))
        same = pq.read_table(_output_file(folder / name, output)).equals(whole)
        verdict[output] = "= full run's" if same else "DIFFERENT"
    print(f"  {what} vs the full run: {verdict}")


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import duckdb

    return (
        f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, PyArrow {pa.__version__}, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--oracle-max", type=int, default=100000)
    parser.add_argument("--spark-max", type=int, default=0, help="run Spark up to this size")
    parser.add_argument(
        "--spark-files-max",
        type=int,
        default=0,
        help="run Spark from files to files (attain calc --backend spark) up to this size",
    )
    parser.add_argument(
        "--postgres-max", type=int, default=0, help="run PostgreSQL up to this size"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (default: ATTAIN_ENGINE_DATABASE_URL)"
    )
    parser.add_argument(
        "--source",
        choices=("demo", "synthetic"),
        default="demo",
        help="inputs generated here (synthetic) or made from the demo generator's tables",
    )
    parser.add_argument("--out", default="var/engine-bench")
    parser.add_argument(
        "--memory-limit", default="1GB", help="DuckDB's memory limit (it spills beyond it)"
    )
    parser.add_argument(
        "--chunk-credits",
        type=int,
        default=1_000_000,
        help="credited transactions per chunk of reps (attain.engine.files.CHUNK_CREDITS)",
    )
    parser.add_argument(
        "--formats",
        default="parquet",
        help="DuckDB's output files: parquet (as the oracle writes), or parquet,csv as "
        "attain calc writes by default",
    )
    parser.add_argument(
        "--changed-reps",
        type=int,
        default=0,
        help="also time a DuckDB run for only this many reps (as after a change to their "
        "credits) and check its outputs against the full run's",
    )
    parser.add_argument(
        "--open-period",
        help="also time a DuckDB run of only this period (say 2026-Q4, as at its close; "
        "with --changed-reps, also of those reps in it) and check its outputs against the "
        "full run's",
    )
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "INPUTS", "OUT"))
    args = parser.parse_args()
    os.environ.setdefault("ATTAIN_BENCH_MEMORY_LIMIT", args.memory_limit)
    if args.database_url:
        os.environ["ATTAIN_ENGINE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("ATTAIN_BENCH_CHUNK_CREDITS", str(args.chunk_credits))
    os.environ.setdefault("ATTAIN_BENCH_FORMATS", args.formats)
    if args.child:
        backend, inputs, out = args.child
        if backend in ("duckdb", "duckdb-reps"):
            reps = os.environ["ATTAIN_BENCH_REPS"].split(",") if backend == "duckdb-reps" else None
            child_files(
                Path(inputs),
                Path(out),
                os.environ["ATTAIN_BENCH_MEMORY_LIMIT"],
                int(os.environ["ATTAIN_BENCH_CHUNK_CREDITS"]),
                os.environ["ATTAIN_BENCH_FORMATS"],
                reps,
            )
        elif backend == "spark-files":
            child_spark_files(Path(inputs), Path(out))
        else:
            child(backend, Path(inputs), Path(out))
        return
    root = Path(args.out) / ("demo" if args.source == "demo" else "")
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}; {args.source} inputs")
    for n in [int(s) for s in args.sizes.split(",")]:
        inputs = root / f"n{n}" / "inputs"
        start = time.perf_counter()
        hashes = demo_inputs(n, root) if args.source == "demo" else generate(n, inputs)
        print(f"\nN = {n:,}: inputs generated in {time.perf_counter() - start:.1f} s {hashes}")
        backends = ["duckdb"] + (["oracle"] if n <= args.oracle_max else [])
        backends += ["spark"] if n <= args.spark_max else []
        backends += ["spark-files"] if n <= args.spark_files_max else []
        backends += ["postgres"] if n <= args.postgres_max else []
        reports = {}
        for backend in backends:
            report = run(backend, inputs, root / f"n{n}" / backend)
            reports[backend] = report
            rows = ", ".join(f"{k} {v:,}" for k, v in report["rows"].items())
            jvm = report.get("jvm_peak_mib")
            print(
                f"  {backend:6}  wall {report['wall']:7.2f} s  cpu {report['cpu']:7.2f} s  "
                f"peak RSS {report['maxrss_mib']:7.0f} MiB  ({rows})"
                + (f"  Spark driver JVM peak RSS {jvm:.0f} MiB" if jvm else "")
            )
            for phase, seconds in report["phases"].items():
                print(f"      {phase:40} {seconds:7.2f} s")
        if "oracle" in reports:
            ratio = reports["oracle"]["wall"] / reports["duckdb"]["wall"]
            print(f"  oracle / duckdb wall: {ratio:.1f}x")
            verdict = compare(root / f"n{n}" / "duckdb", root / f"n{n}" / "oracle")
            print(f"  duckdb vs oracle outputs: {verdict}")
        folder, full = root / f"n{n}", reports["duckdb"]
        if args.changed_reps:
            recalculation(folder, inputs, full, count=args.changed_reps)
        if args.open_period:
            recalculation(folder, inputs, full, period=args.open_period)
        if args.open_period and args.changed_reps:
            recalculation(folder, inputs, full, count=args.changed_reps, period=args.open_period)
        for spark in ("spark", "spark-files"):
            if spark in reports:
                ratio = reports[spark]["wall"] / reports["duckdb"]["wall"]
                print(f"  {spark} / duckdb wall: {ratio:.1f}x")
                verdict = compare(root / f"n{n}" / "duckdb", root / f"n{n}" / spark)
                print(f"  duckdb vs {spark} outputs: {verdict}")
        if "postgres" in reports:
            ratio = reports["postgres"]["wall"] / reports["duckdb"]["wall"]
            print(f"  postgres / duckdb wall: {ratio:.1f}x")
            verdict = compare(root / f"n{n}" / "duckdb", root / f"n{n}" / "postgres")
            print(f"  duckdb vs postgres outputs: {verdict}")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
