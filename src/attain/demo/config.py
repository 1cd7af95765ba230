"""What to generate, and the calendar helpers the generator shares.

Dates inside the generator are int32 day numbers since 1970-01-01 (Arrow's ``date32``), so
that whole columns of dates are plain numpy arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)

# Deals are generated in chunks of this many; part of the data's identity (changing it
# changes the random streams), so it is a constant and not a knob.
DEAL_CHUNK = 100_000
# Reps per chunk of prospecting activities (calls and emails not tied to a deal).
REP_CHUNK = 500
# Open deals are expected to close within this many days after ``as_of``.
OPEN_HORIZON_DAYS = 120


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """int day numbers → numpy datetime64[D] (``.astype(object)`` gives ``datetime.date``)."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]")


@dataclass(frozen=True)
class DemoConfig:
    """Same config → same data, byte for byte.

    ``reps`` counts the people who sell (account executives and overlay specialists,
    including those who join or leave during the window); the VP and the three regional
    managers come on top. ``months`` of history end with ``as_of``'s month: deals closed
    before ``as_of`` are won or lost, later ones are still open.
    """

    as_of: dt.date
    seed: int = 7
    reps: int = 45
    deals: int = 6_000
    months: int = 24
    accounts: int = 3_000

    def __post_init__(self) -> None:
        if self.reps < 6:
            raise ValueError("--reps must be at least 6 (two per region)")
        if self.deals < 1:
            raise ValueError("--deals must be at least 1")
        if not 3 <= self.months <= 120:
            raise ValueError("--months must be between 3 and 120")
        if self.accounts < 30:
            raise ValueError("--accounts must be at least 30")
        if self.seed < 0:
            raise ValueError("--seed must not be negative")

    @property
    def window_start(self) -> dt.date:
        return add_months(self.as_of, -(self.months - 1))

    @property
    def start_day(self) -> int:
        return day_number(self.window_start)

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def end_day(self) -> int:
        """Exclusive end of the close-date range (open deals close before it)."""
        return self.as_of_day + OPEN_HORIZON_DAYS

    def rng(self, *stream: int) -> np.random.Generator:
        """An independent random stream per purpose (and per chunk)."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, *stream]))
