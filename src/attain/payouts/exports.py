"""Payroll export: one CSV row per rep (and currency) of an approved or paid run.

Columns: ``employee_id`` (the rep's external id), ``name``, ``period``, ``amount`` (net pay),
``currency``, then one column per line-kind bucket (``commission``, ``spiffs``,
``clawbacks``, ``adjustments``, ``draws``; see ``selectors_runs.BUCKETS``). Amounts are
exact decimal strings with two places (``1300.00``, ``-300.00``), never floats.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.exceptions import ValidationError

from attain.payouts.models import CalcRun
from attain.payouts.selectors_runs import BUCKETS, rep_totals

CENT = Decimal("0.01")
HEADER = ["employee_id", "name", "period", "amount", "currency", *(k for k, _l, _k in BUCKETS)]
# Cells a spreadsheet would run as a formula (CSV injection); text cells get a leading quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _money(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def check_exportable(run: CalcRun) -> None:
    if run.status not in CalcRun.CLOSED:
        raise ValidationError(
            f"Run {run.pk} is {run.get_status_display().lower()}; only approved or paid runs "
            "can be exported to payroll."
        )


def payroll_filename(run: CalcRun) -> str:
    return f"attain-payroll-{run.period}-run{run.pk}.csv"


def payroll_rows(run: CalcRun) -> list[list[str]]:
    check_exportable(run)
    rows, _totals = rep_totals(run)
    ordered = sorted(rows, key=lambda r: (r.external_id, r.currency))
    return [
        [
            _text(row.external_id),
            _text(row.name),
            run.period,
            _money(row.net),
            row.currency,
            *(_money(amount) for amount in row.columns),
        ]
        for row in ordered
    ]


def payroll_csv(run: CalcRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(payroll_rows(run))
    return out.getvalue()
