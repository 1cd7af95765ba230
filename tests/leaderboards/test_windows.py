import datetime as dt

import pytest

from attain.leaderboards.windows import DateWindow, previous_window, window_for

FRI = dt.date(2026, 2, 20)


@pytest.mark.parametrize(
    ("kind", "start", "end", "prev_start", "prev_end"),
    [
        ("today", FRI, FRI, dt.date(2026, 2, 19), dt.date(2026, 2, 19)),
        (
            "week",
            dt.date(2026, 2, 16),
            dt.date(2026, 2, 22),
            dt.date(2026, 2, 9),
            dt.date(2026, 2, 15),
        ),
        (
            "month",
            dt.date(2026, 2, 1),
            dt.date(2026, 2, 28),
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
        ),
        (
            "quarter",
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
            dt.date(2025, 10, 1),
            dt.date(2025, 12, 31),
        ),
    ],
)
def test_calendar_windows_and_their_previous(kind, start, end, prev_start, prev_end):
    window = window_for(kind, FRI)
    assert window == DateWindow(start, end)
    assert previous_window(kind, window) == DateWindow(prev_start, prev_end)


def test_custom_window_previous_has_equal_length():
    window = window_for("custom", FRI, dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    previous = previous_window("custom", window)
    assert previous == DateWindow(dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    assert previous.days == window.days == 10


def test_custom_window_needs_dates():
    with pytest.raises(ValueError, match="start and an end"):
        window_for("custom", FRI)


def test_december_quarter_rolls_into_next_year():
    window = window_for("quarter", dt.date(2026, 11, 27))
    assert window == DateWindow(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
