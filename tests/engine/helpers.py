"""Shared helpers of the engine tests: reading conformance cases and comparing tables."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import yaml

from attain.engine import Result, calculate, load_plan
from attain.engine.spec import Plan

CONFORMANCE = Path(__file__).parent / "conformance"


def plans_folder(tmp_path: Path, case: Path) -> Path:
    """A folder holding the plan files of the conformance ``case``, for the CLI's ``--plans``."""
    plans = tmp_path / "plans"
    plans.mkdir()
    for plan in sorted(case.glob("plan*.yaml")):
        shutil.copy(plan, plans / plan.name)
    return plans


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def table_of(rows: list[dict], header: list[str]) -> pa.Table:
    return pa.table({name: pa.array([r[name] for r in rows], pa.string()) for name in header})


def read_table(path: Path) -> pa.Table:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    return table_of(read_csv(path), header)


@dataclass
class Case:
    folder: Path
    plans: list[Plan]
    credits: pa.Table
    assignments: pa.Table
    quotas: pa.Table | None
    fx: pa.Table | None
    draws: pa.Table | None
    hierarchy: pa.Table | None
    territories: pa.Table | None
    payments: pa.Table | None
    period: str
    as_of: dt.date | None
    error: str | None

    def options(self) -> dict:
        """Every input but the plans, credits, assignments and quotas, as ``calculate`` takes
        them."""
        return {
            "fx": self.fx,
            "draws": self.draws,
            "hierarchy": self.hierarchy,
            "territories": self.territories,
            "payments": self.payments,
            "period": self.period,
            "as_of": self.as_of,
        }

    def run(self, backend: str, spark=None) -> Result:
        return calculate(
            self.plans,
            self.credits,
            self.assignments,
            self.quotas,
            backend=backend,
            spark=spark,
            **self.options(),
        )


@functools.cache
def duckdb_result(folder: Path) -> Result:
    """A worked example's result on DuckDB, calculated once per test process: the tests of
    the other paths (files, chunks, some reps, Spark, PostgreSQL) all compare with it, and
    recalculating it for each was a tenth of the engine tests' time. Results are Arrow
    tables, immutable; only for an unmodified case (``load_case(folder)``)."""
    return load_case(folder).run("duckdb")


def load_case(folder: Path) -> Case:
    settings = yaml.safe_load((folder / "case.yaml").read_text())
    quotas = folder / "quotas.csv"

    def optional(name: str) -> pa.Table | None:
        path = folder / f"{name}.csv"
        return read_table(path) if path.exists() else None

    return Case(
        folder=folder,
        plans=[load_plan(p) for p in sorted(folder.glob("plan*.yaml"))],
        credits=read_table(folder / "credits.csv"),
        assignments=read_table(folder / "assignments.csv"),
        quotas=read_table(quotas) if quotas.exists() else None,
        fx=optional("fx"),
        draws=optional("draws"),
        hierarchy=optional("hierarchy"),
        territories=optional("territories"),
        payments=optional("payments"),
        period=str(settings["period"]),
        as_of=settings.get("as_of"),
        error=settings.get("error"),
    )


def _same(expected: str | None, actual: object) -> bool:
    if expected == "IGNORE":  # a cell the example does not pin down
        return True
    if expected is None:
        return actual is None
    if isinstance(actual, Decimal):
        return Decimal(expected) == actual
    if isinstance(actual, bool):
        return expected.lower() == str(actual).lower()
    return expected == str(actual)


def compare(expected_path: Path, actual: pa.Table) -> list[str]:
    """Differences between an expected CSV (any subset of columns) and ``actual``, in order."""
    expected = read_csv(expected_path)
    rows = actual.to_pylist()
    problems = []
    if len(expected) != len(rows):
        problems.append(
            f"{expected_path.name}: {len(expected)} rows expected, {len(rows)} computed"
        )
    for number, (want, got) in enumerate(zip(expected, rows, strict=False), start=1):
        for column, value in want.items():
            if not _same(value, got[column]):
                problems.append(
                    f"{expected_path.name} row {number} {column}: "
                    f"expected {value!r}, got {got[column]!r}"
                )
    return problems
