"""Tests for bot.conversation.windows: resolving symbolic windows against an injected today."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.windows import DateRange, late_since, resolve_window
from nlu.time_words import Window, WindowKind, find_window

W = Window
D = date
SUNDAY = D(2025, 8, 10)
MID_DECEMBER = D(2025, 12, 15)
LEAP_FEBRUARY = D(2024, 2, 10)
END_OF_MARCH = D(2025, 3, 31)

# (window, today, expected start, expected end)
CASES: list[tuple[Window, date, date | None, date]] = [
    # weeks run Monday to Sunday; a Sunday still belongs to the week that started on Monday
    (W("this_week"), SUNDAY, D(2025, 8, 4), D(2025, 8, 10)),
    (W("this_week"), D(2025, 8, 11), D(2025, 8, 11), D(2025, 8, 17)),
    (W("next_week"), SUNDAY, D(2025, 8, 11), D(2025, 8, 17)),
    (W("next_week"), D(2025, 12, 29), D(2026, 1, 5), D(2026, 1, 11)),
    # years counted from today's (去年12月, 明年1月底前, 去年四季度, 前年)
    (W("in_month", month=12, year_offset=-1), SUNDAY, D(2024, 12, 1), D(2024, 12, 31)),
    (W("by_date", month=1, year_offset=1), MID_DECEMBER, MID_DECEMBER, D(2026, 1, 31)),
    (W("in_quarter", quarter=4, year_offset=-1), SUNDAY, D(2024, 10, 1), D(2024, 12, 31)),
    (W("in_year", year_offset=-2), SUNDAY, D(2023, 1, 1), D(2023, 12, 31)),
    # months, including February and the December rollover
    (W("this_month"), SUNDAY, D(2025, 8, 1), D(2025, 8, 31)),
    (W("this_month"), LEAP_FEBRUARY, D(2024, 2, 1), D(2024, 2, 29)),
    (W("this_month"), D(2025, 2, 10), D(2025, 2, 1), D(2025, 2, 28)),
    (W("next_month"), SUNDAY, D(2025, 9, 1), D(2025, 9, 30)),
    (W("next_month"), END_OF_MARCH, D(2025, 4, 1), D(2025, 4, 30)),
    (W("next_month"), MID_DECEMBER, D(2026, 1, 1), D(2026, 1, 31)),
    (W("next_month"), D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 29)),
    # quarters, including the Q4 rollover
    (W("this_quarter"), SUNDAY, D(2025, 7, 1), D(2025, 9, 30)),
    (W("this_quarter"), END_OF_MARCH, D(2025, 1, 1), D(2025, 3, 31)),
    (W("next_quarter"), SUNDAY, D(2025, 10, 1), D(2025, 12, 31)),
    (W("next_quarter"), MID_DECEMBER, D(2026, 1, 1), D(2026, 3, 31)),
    # years: the rest of this one, the whole next one
    (W("this_year"), SUNDAY, SUNDAY, D(2025, 12, 31)),
    (W("next_year"), SUNDAY, D(2026, 1, 1), D(2026, 12, 31)),
    (W("next_year"), MID_DECEMBER, D(2026, 1, 1), D(2026, 12, 31)),
    # within_days
    (W("within_days", days=30), SUNDAY, SUNDAY, D(2025, 9, 9)),
    (W("within_days", days=30), MID_DECEMBER, MID_DECEMBER, D(2026, 1, 14)),
    (W("within_days", days=14), LEAP_FEBRUARY, LEAP_FEBRUARY, D(2024, 2, 24)),
    # by_date: from today, or open when the deadline has passed
    (W("by_date", year=2025, month=8), SUNDAY, SUNDAY, D(2025, 8, 31)),
    (W("by_date", year=2025, month=8, day=15), SUNDAY, SUNDAY, D(2025, 8, 15)),
    (W("by_date", year=2025, month=8, day=10), SUNDAY, SUNDAY, SUNDAY),
    (W("by_date", year=2025, month=8, day=9), SUNDAY, None, D(2025, 8, 9)),
    (W("by_date", month=8), MID_DECEMBER, None, D(2025, 8, 31)),
    (W("by_date", month=10), SUNDAY, SUNDAY, D(2025, 10, 31)),
    (W("by_date", month=2), LEAP_FEBRUARY, LEAP_FEBRUARY, D(2024, 2, 29)),
    (W("by_date", month=2, day=29), D(2025, 2, 10), D(2025, 2, 10), D(2025, 2, 28)),  # clamped
    (W("by_date", year=2026, month=3), MID_DECEMBER, MID_DECEMBER, D(2026, 3, 31)),
    # in_month / in_quarter / in_year: the whole period, year None meaning today's
    (W("in_month", month=2), LEAP_FEBRUARY, D(2024, 2, 1), D(2024, 2, 29)),
    (W("in_month", year=2025, month=8), MID_DECEMBER, D(2025, 8, 1), D(2025, 8, 31)),
    (W("in_month", month=12), SUNDAY, D(2025, 12, 1), D(2025, 12, 31)),
    (W("in_quarter", quarter=4), MID_DECEMBER, D(2025, 10, 1), D(2025, 12, 31)),
    (W("in_quarter", year=2024, quarter=1), SUNDAY, D(2024, 1, 1), D(2024, 3, 31)),
    (W("in_quarter", quarter=3), SUNDAY, D(2025, 7, 1), D(2025, 9, 30)),
    (W("in_half", half=1), MID_DECEMBER, D(2025, 1, 1), D(2025, 6, 30)),
    (W("in_half", year=2024, half=2), SUNDAY, D(2024, 7, 1), D(2024, 12, 31)),
    (W("in_year", year=2026), SUNDAY, D(2026, 1, 1), D(2026, 12, 31)),
]


@pytest.mark.parametrize(("window", "today", "start", "end"), CASES)
def test_resolve_window(window: Window, today: date, start: date | None, end: date) -> None:
    assert resolve_window(window, today) == DateRange(start, end)


def test_every_kind_resolves() -> None:
    kinds = {case[0].kind for case in CASES}
    assert kinds == set(get_args(WindowKind))


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (W("in_month", month=13), "month=13"),
        (W("by_date", year=2025, month=4, day=31), "month 4 of 2025 has only 30 days"),
        (W("by_date", year=2025, month=2, day=29), "has only 28 days"),
        (W("in_quarter", quarter=5), "quarter=5"),
        (W("in_half", half=3), "half=3"),
        (W("in_half"), "needs half"),
        (W("within_days"), "needs days"),
        (W("in_year"), "needs year"),
    ],
)
def test_impossible_window_raises(window: Window, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_window(window, SUNDAY)


def test_window_past_the_calendar_raises() -> None:
    with pytest.raises(ValueError, match="past the calendar"):
        resolve_window(W("within_days", days=10**6), D(9999, 1, 1))


TIME_CHARS = "0123456789〇零一二两三四五六七八九十百半年月日号底末前后内之以第季度周星期礼拜天个本这当下今明去上次截至止到未来近qQ.-/ 期任务"


@settings(database=None, max_examples=300)
@given(
    text=st.one_of(st.text(max_size=40), st.text(alphabet=TIME_CHARS, max_size=20)),
    today=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
)
def test_found_windows_always_resolve(text: str, today: date) -> None:
    match = find_window(text)
    if match is None:
        return
    assert 0 <= match.start < match.end <= len(text)
    resolved = resolve_window(match.window, today)
    assert resolved.start is None or resolved.start <= resolved.end


def test_late_since_counts_back_by_the_calendar() -> None:
    assert late_since(date(2025, 8, 31), (6, "month")) == date(2025, 2, 28)
    assert late_since(date(2025, 7, 21), (1, "year")) == date(2024, 7, 21)
    assert late_since(date(2025, 7, 21), (30, "day")) == date(2025, 6, 21)
    assert late_since(date(2025, 1, 15), (2, "week")) == date(2025, 1, 1)


def test_a_half_of_the_year_is_six_months() -> None:
    assert resolve_window(Window("in_half", half=1), date(2025, 11, 20)) == DateRange(
        date(2025, 1, 1), date(2025, 6, 30)
    )
    assert resolve_window(Window("in_half", half=2, year_offset=-1), date(2025, 11, 20)) == DateRange(
        date(2024, 7, 1), date(2024, 12, 31)
    )


def test_a_month_without_a_year_is_the_nearest() -> None:
    december = date(2025, 12, 20)
    assert resolve_window(Window("in_month", month=1), december) == DateRange(
        date(2026, 1, 1), date(2026, 1, 31)
    )
    assert resolve_window(Window("in_month", month=8), december).start == date(2025, 8, 1)
    assert resolve_window(Window("in_quarter", quarter=1), december).start == date(2026, 1, 1)
    assert resolve_window(Window("by_date", month=2), december).end == date(2026, 2, 28)
    assert resolve_window(Window("in_month", month=1, year_offset=-1), december).start == date(2024, 1, 1)


def test_late_since_beyond_the_calendar_is_its_first_day() -> None:
    assert late_since(date(2025, 7, 21), (9999, "year")) == date.min
    assert late_since(date(2025, 7, 21), (99999, "week")) == date(109, 1, 14)  # still on the calendar
    assert late_since(date(2025, 7, 21), (999999, "day")) == date.min
