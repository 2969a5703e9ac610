"""The sending window's next opening, as `duban run` tells the console outside the sending hours (issue 17)."""

from __future__ import annotations

from datetime import datetime, time

from schedules.calendar import SHANGHAI, WorkCalendar, next_window_opening

OPENS, CLOSES = time(9), time(18)


def _at(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def _next(day: str, hour: int) -> datetime | None:
    return next_window_opening(_at(day, hour), WorkCalendar(), OPENS, CLOSES)


def test_the_next_sending_window_skips_evenings_weekends_and_holidays() -> None:
    assert _next("2025-09-01", 10) is None  # open now
    assert _next("2025-09-01", 7) == _at("2025-09-01", 9)
    assert _next("2025-09-01", 18) == _at("2025-09-02", 9)
    assert _next("2025-09-05", 19) == _at("2025-09-08", 9)  # Friday evening → Monday
    assert _next("2025-09-30", 20) == _at("2025-10-09", 9)  # 国庆 and 中秋, 1–8 October
    assert _next("2025-09-28", 8) == _at("2025-09-28", 9)  # a Sunday made a working day (调休)
