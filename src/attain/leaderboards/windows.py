"""Date windows of boards: the current one and the previous one of equal kind.

Windows are inclusive date ranges. Weeks start on Monday. The previous window of a
calendar window is the calendar period before it (yesterday, last week, last month, last
quarter); of a custom window, the window of the same number of days ending the day before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DateWindow:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def window_for(kind: str, today: dt.date, start=None, end=None) -> DateWindow:
    if kind == "today":
        return DateWindow(today, today)
    if kind == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return DateWindow(monday, monday + dt.timedelta(days=6))
    if kind == "month":
        first = _month_start(today)
        return DateWindow(first, _add_months(first, 1) - dt.timedelta(days=1))
    if kind == "quarter":
        first = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return DateWindow(first, _add_months(first, 3) - dt.timedelta(days=1))
    if kind == "custom":
        if start is None or end is None:
            raise ValueError("a custom window needs a start and an end date")
        return DateWindow(start, end)
    raise ValueError(f"unknown window {kind!r}")


def previous_window(kind: str, current: DateWindow) -> DateWindow:
    if kind in {"month", "quarter"}:
        months = 1 if kind == "month" else 3
        first = _add_months(current.start, -months)
        return DateWindow(first, current.start - dt.timedelta(days=1))
    length = dt.timedelta(days=current.days)
    return DateWindow(current.start - length, current.end - length)
