"""``calculate``: the one entry point that prepares inputs and runs a backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from .prepare import Unassigned, prepare
from .results import Result
from .spec import Plan

Backend = Literal["duckdb", "spark", "postgres", "oracle"]


def calculate(
    plans: Iterable[Plan],
    credits,
    assignments,
    quotas=None,
    *,
    fx=None,
    draws=None,
    hierarchy=None,
    territories=None,
    payments=None,
    period: str,
    as_of: dt.date | None = None,
    backend: Backend = "duckdb",
    unassigned: Unassigned = "error",
    spark=None,
    database=None,
) -> Result:
    """Compute earning lines and payouts for ``period`` (``2026``, ``2026-H1``, ``2026-Q1``,
    ``2026-03``) with the rules in force on ``as_of`` (default: the period's last day).

    ``credits``, ``assignments``, ``quotas``, ``fx``, ``draws``, ``hierarchy`` (the
    effective-dated reporting line), ``territories`` (territory owners) and ``payments``
    (invoices and payments, for pay on cash) are Arrow tables (or dicts of columns, or lists
    of row dicts) in the formats of docs/plans.md. The result holds three Arrow tables:
    ``lines``, ``payouts`` (per rep and period) and
    ``component_payouts``.

    ``backend`` is ``duckdb`` (in-process), ``spark`` (the same compiled SQL on Apache Spark:
    on ``spark``, a SparkSession, or else a local one; needs ``pip install 'attain[spark]'``
    and Java), ``postgres`` (the same compiled SQL on PostgreSQL: ``database`` is a
    ``postgresql://`` URL or an open psycopg connection, by default the
    ``ATTAIN_ENGINE_DATABASE_URL`` environment variable) or ``oracle`` (the per-row Python
    reference). All give identical tables.
    """
    if backend not in ("duckdb", "spark", "postgres", "oracle"):
        raise ValueError(
            f"unknown backend {backend!r}; use 'duckdb', 'spark', 'postgres' or 'oracle'"
        )
    prepared = prepare(
        plans,
        credits,
        assignments,
        quotas,
        fx=fx,
        draws=draws,
        hierarchy=hierarchy,
        territories=territories,
        payments=payments,
        period=period,
        as_of=as_of,
        unassigned=unassigned,
    )
    if backend == "oracle":
        from .oracle import calculate_with_oracle

        return calculate_with_oracle(prepared)
    if backend == "duckdb":
        from .backends.duckdb import calculate_with_duckdb

        return calculate_with_duckdb(prepared)
    if backend == "postgres":
        from .backends.postgres import calculate_with_postgres

        return calculate_with_postgres(prepared, database)
    from .backends.spark import calculate_with_spark

    return calculate_with_spark(prepared, spark)
