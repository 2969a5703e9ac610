"""Working days in mainland China: holidays and 调休 make-up days from chinese_calendar, overridable.

A year the calendar does not cover falls back to Monday–Friday, with one logged warning per year, so reminders
keep flowing while someone adds that year's overrides (the State Council publishes each year in November).
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")  # reminders are planned and sent by the Shanghai day and clock
_ONE_DAY = timedelta(days=1)
_FRIDAY = 4


@lru_cache(maxsize=64)
def _official_workdays(year: int) -> frozenset[date] | None:
    """The year's working days by the State Council's schedule, or None when chinese_calendar lacks the year.
    Kept for the process: every sweep builds a new calendar (overrides may have changed), and asking
    chinese_calendar day by day cost each one about 40 ms."""
    day, found = date(year, 1, 1), set()
    try:
        while day.year == year:
            if chinese_calendar.is_workday(day):
                found.add(day)
            day += _ONE_DAY
    except NotImplementedError:
        return None
    return frozenset(found)


class WorkCalendar:
    """Which days are working days, and counting in working days."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})  # day -> is it a working day (admin-edited)
        self._warned: set[int] = set()
        self._year = lru_cache(maxsize=64)(self._workdays_of_year)
        # a sweep asks about the same days tens of thousands of times; chinese_calendar validates each call
        self._year_set = lru_cache(maxsize=64)(lambda year: frozenset(self._year(year)))

    def is_workday(self, day: date) -> bool:
        return day in self._year_set(day.year)

    def _looked_up(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = _official_workdays(day.year)
        if official is None:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("chinese_calendar has no data for %s: Monday-Friday assumed", day.year)
            return day.weekday() <= _FRIDAY
        return day in official

    def covers(self, year: int) -> bool:
        """Whether the holiday data knows this year (else Monday–Friday plus overrides)."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def on_or_before(self, day: date) -> date:
        """The day itself if it is a working day, else the working day before it."""
        days = self._year(day.year)
        position = bisect_right(days, day)
        return days[position - 1] if position else self.on_or_before(date(day.year - 1, 12, 31))

    def on_or_after(self, day: date) -> date:
        days = self._year(day.year)
        position = bisect_left(days, day)
        return days[position] if position < len(days) else self.on_or_after(date(day.year + 1, 1, 1))

    def shift(self, day: date, workdays: int) -> date:
        """The working day `workdays` working days after (or, negative, before) day, not counting day."""
        current = day
        step = 1 if workdays > 0 else -1
        for _ in range(abs(workdays)):
            current = (
                self.on_or_after(current + _ONE_DAY) if step > 0 else self.on_or_before(current - _ONE_DAY)
            )
        return current

    def count_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days end is after start."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year)
            low = bisect_right(days, start) if year == start.year else 0
            high = bisect_right(days, end) if year == end.year else len(days)
            total += high - low
        return total

    def _workdays_of_year(self, year: int) -> list[date]:
        day, found = date(year, 1, 1), []
        while day.year == year:
            if self._looked_up(day):
                found.append(day)
            day += _ONE_DAY
        return found


def next_window_opening(now: datetime, calendar: WorkCalendar, opens: time, closes: time) -> datetime | None:
    """When the sending window next opens, as of now (Shanghai time); None while it is open."""
    local = now.astimezone(SHANGHAI)
    if calendar.is_workday(local.date()) and opens <= local.time() < closes:
        return None
    day = local.date()
    if not (calendar.is_workday(day) and local.time() < opens):  # today's window is past, or no window today
        day += timedelta(days=1)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return datetime.combine(day, opens, SHANGHAI)
