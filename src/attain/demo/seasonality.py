"""When deals close: a daily weight over the window, as a cumulative distribution.

Q4 is the heaviest quarter and Q1 the lightest; the last ten days of each quarter get the
quarter-end push; weekends are quiet; the business grows about 1% a month.
"""

from __future__ import annotations

import numpy as np

from attain.demo.config import DemoConfig, days_to_dates

MONTH_FACTOR = np.array([0.75, 0.85, 1.0, 0.9, 0.95, 1.05, 0.85, 0.85, 1.05, 1.05, 1.15, 1.35])
QUARTER_END_DAYS = 10
QUARTER_END_PUSH = 1.8
WEEKEND_FACTOR = 0.15
MONTHLY_GROWTH = 0.01


def close_day_cdf(config: DemoConfig) -> np.ndarray:
    """cdf[k] = share of deals closing before day ``start_day + k`` (length days + 1)."""
    days = np.arange(config.start_day, config.end_day)
    dates = days_to_dates(days)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
    next_month = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]")
    days_left = (next_month - dates).astype(np.int64)
    weekday = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    weight = MONTH_FACTOR[month]
    weight = weight * np.where(
        (month % 3 == 2) & (days_left <= QUARTER_END_DAYS), QUARTER_END_PUSH, 1.0
    )
    weight = weight * np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    weight = weight * (1 + MONTHLY_GROWTH) ** ((days - config.start_day) / 30.4)
    cdf = np.concatenate([[0.0], np.cumsum(weight)])
    return cdf / cdf[-1]
