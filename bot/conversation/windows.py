"""Resolve a symbolic time window ("next_month", "by_date 8月") into dates against an injected today."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from nlu.time_words import Window, WindowKind, window_error

__all__ = ["DateRange", "late_since", "resolve_window"]


@dataclass(frozen=True)
class DateRange:
    """Inclusive dates; start None means an open start (everything up to end)."""

    start: date | None
    end: date


def resolve_window(window: Window, today: date) -> DateRange:
    """Turn window into dates relative to today; raise ValueError if it names an impossible period."""
    problem = window_error(window)
    if problem is not None:
        raise ValueError(f"cannot resolve {window}: {problem}")
    try:
        return _RESOLVERS[window.kind](window, today)
    except OverflowError as exc:
        raise ValueError(f"cannot resolve {window} against {today}: it runs past the calendar") from exc


def late_since(today: date, late: tuple[int, str]) -> date:
    """The day a deadline must fall before to be `late` ago (6 months before 2025-08-31 is 2025-02-28)."""
    amount, unit = late
    days = {"day": 1, "week": 7}.get(unit)
    if days is not None:
        # 逾期超过99999天: before the calendar begins, so nothing is that late
        return today - timedelta(days=amount * days) if amount * days < (today - date.min).days else date.min
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    if year < date.min.year:
        return date.min
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _this_week(_window: Window, today: date) -> DateRange:
    """Monday to Sunday of the week holding today."""
    monday = today - timedelta(days=today.weekday())
    return DateRange(monday, monday + timedelta(days=6))


def _next_week(window: Window, today: date) -> DateRange:
    """Monday to Sunday of the following week."""
    return _this_week(window, today + timedelta(days=7))


def _this_month(_window: Window, today: date) -> DateRange:
    """The whole calendar month holding today."""
    return _month(today.year, today.month)


def _next_month(_window: Window, today: date) -> DateRange:
    """The whole following calendar month (December rolls into January)."""
    year, month = divmod(today.year * 12 + today.month, 12)  # month index of the next month, 0-based
    return _month(year, month + 1)


def _this_quarter(_window: Window, today: date) -> DateRange:
    """The whole calendar quarter holding today."""
    return _quarter(today.year, _quarter_of(today))


def _next_quarter(_window: Window, today: date) -> DateRange:
    """The whole following quarter (Q4 rolls into Q1 of next year)."""
    quarter = _quarter_of(today)
    return _quarter(today.year + quarter // 4, quarter % 4 + 1)


def _this_year(_window: Window, today: date) -> DateRange:
    """Today to 31 December: what is left of this year."""
    return DateRange(today, date(today.year, 12, 31))


def _next_year(_window: Window, today: date) -> DateRange:
    """The whole next calendar year."""
    return _year(today.year + 1)


def _within_days(window: Window, today: date) -> DateRange:
    """Today to today + days."""
    return DateRange(today, today + timedelta(days=_need(window.days, "days")))


def _by_date(window: Window, today: date) -> DateRange:
    """Today to the deadline, or everything up to it when the deadline has passed."""
    deadline = _deadline(window, today)
    return DateRange(today if deadline >= today else None, deadline)


def _in_month(window: Window, today: date) -> DateRange:
    """The whole named month."""
    month = _need(window.month, "month")
    return _month(_nearest_year(window, today, month), month)


def _in_quarter(window: Window, today: date) -> DateRange:
    """The whole named quarter."""
    quarter = _need(window.quarter, "quarter")
    return _quarter(_nearest_year(window, today, quarter * 3), quarter)


HALF_A_YEAR = 6


def _nearest_year(window: Window, today: date, month: int) -> int:
    """A month said without a year is the nearest one: 一月份 asked in December is the coming January, 8月
    asked in December the August just past (the reply's heading shows the dates taken)."""
    if window.year is not None or window.year_offset:
        return window.year_from(today.year)
    return today.year + 1 if month - today.month < -HALF_A_YEAR else today.year


def _in_half(window: Window, today: date) -> DateRange:
    year, half = window.year_from(today.year), _need(window.half, "half")
    return DateRange(date(year, half * 6 - 5, 1), _month(year, half * 6).end)


def _in_year(window: Window, today: date) -> DateRange:
    """The whole named year."""
    return _year(window.year_from(today.year))


def _deadline(window: Window, today: date) -> date:
    """The day a by_date window ends: the given day, else the last day of its month."""
    month = _need(window.month, "month")
    year = _nearest_year(window, today, month)
    last = calendar.monthrange(year, month)[1]
    # min() only bites for 29 February with year=None, which window_error allows for leap years.
    return date(year, month, last if window.day is None else min(window.day, last))


def _month(year: int, month: int) -> DateRange:
    """First to last day of a calendar month."""
    return DateRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _quarter(year: int, quarter: int) -> DateRange:
    """First to last day of a calendar quarter."""
    return DateRange(date(year, quarter * 3 - 2, 1), _month(year, quarter * 3).end)


def _year(year: int) -> DateRange:
    """1 January to 31 December."""
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _quarter_of(day: date) -> int:
    """Quarter (1–4) holding day."""
    return (day.month - 1) // 3 + 1


def _need(value: int | None, name: str) -> int:
    """value, which window_error has already required; narrows the type for mypy."""
    if value is None:
        raise ValueError(f"window needs {name}")
    return value


_RESOLVERS: dict[WindowKind, Callable[[Window, date], DateRange]] = {
    "this_week": _this_week,
    "next_week": _next_week,
    "this_month": _this_month,
    "next_month": _next_month,
    "this_quarter": _this_quarter,
    "next_quarter": _next_quarter,
    "this_year": _this_year,
    "next_year": _next_year,
    "within_days": _within_days,
    "by_date": _by_date,
    "in_month": _in_month,
    "in_quarter": _in_quarter,
    "in_half": _in_half,
    "in_year": _in_year,
}
