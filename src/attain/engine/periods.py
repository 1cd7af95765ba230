"""Calendar periods: month ``2026-03``, quarter ``2026-Q1``, half ``2026-H1``, year ``2026``.

Labels sort in time order within a year, which the compiled query relies on for
year-to-date running sums.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from .errors import EngineError

MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}
PERIODS_PER_YEAR = {kind: 12 // months for kind, months in MONTHS_PER.items()}


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # first day after the period (half-open)
    kind: str
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def index_in_year(self) -> int:
        """0-based position of the period within its year."""
        return (self.start.month - 1) // MONTHS_PER[self.kind]


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def _label(kind: str, year: int, index: int) -> str:
    if kind == "month":
        return f"{year}-{index + 1:02d}"
    if kind == "quarter":
        return f"{year}-Q{index + 1}"
    if kind == "half":
        return f"{year}-H{index + 1}"
    return f"{year}"


def period_of(day: dt.date, kind: str) -> Period:
    months = MONTHS_PER[kind]
    index = (day.month - 1) // months
    start = dt.date(day.year, index * months + 1, 1)
    return Period(start, _add_months(start, months), kind, _label(kind, day.year, index))


_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<q>[1-4])|H(?P<h>[12])))?$")


def parse_period(label: str) -> Period:
    match = _LABEL.match(label)
    if match is None:
        raise EngineError(f"period {label!r} is not YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM")
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise EngineError(f"period {label!r} has no month {month}")
        return period_of(dt.date(year, month, 1), "month")
    if match["q"]:
        return period_of(dt.date(year, (int(match["q"]) - 1) * 3 + 1, 1), "quarter")
    if match["h"]:
        return period_of(dt.date(year, (int(match["h"]) - 1) * 6 + 1, 1), "half")
    return period_of(dt.date(year, 1, 1), "year")


def periods_in(window: Period, kind: str) -> list[Period]:
    """The ``kind`` periods making up ``window``; the window must hold whole periods."""
    if MONTHS_PER[kind] > MONTHS_PER[window.kind]:
        raise EngineError(
            f"a {kind} plan cannot be calculated for {window.label}: it is shorter than one {kind}"
        )
    periods = []
    day = window.start
    while day < window.end:
        period = period_of(day, kind)
        periods.append(period)
        day = period.end
    return periods


def year_periods(year: int, kind: str) -> list[Period]:
    return list(_year_periods(year, kind))


@functools.cache
def _year_periods(year: int, kind: str) -> tuple[Period, ...]:
    # Asked for every rep and component when the targets are built: computed once.
    return tuple(periods_in(period_of(dt.date(year, 1, 1), "year"), kind))
