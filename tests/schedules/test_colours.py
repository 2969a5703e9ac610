"""督办 colours as a pure function of the facts: 红 overdue, 黄 behind, 蓝 due within 5 working days."""

from __future__ import annotations

from datetime import date

import pytest

from schedules.calendar import WorkCalendar
from schedules.colours import task_colour

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("deadline", "ongoing", "done", "behind", "today", "colour"),
    [
        (date(2025, 8, 31), False, False, False, date(2025, 9, 1), "red"),
        (date(2025, 8, 31), False, False, True, date(2025, 9, 1), "red"),  # late outranks behind
        (date(2025, 8, 31), False, True, False, date(2025, 9, 1), None),  # done: no colour
        (date(2025, 8, 31), False, False, False, date(2025, 8, 25), "blue"),  # 5 working days ahead
        (date(2025, 9, 1), False, False, False, date(2025, 8, 25), "blue"),  # the 5th working day
        (date(2025, 9, 2), False, False, False, date(2025, 8, 25), None),  # the 6th
        (date(2025, 10, 10), False, False, False, date(2025, 9, 30), "blue"),  # 国庆 is not counted
        (date(2025, 12, 31), False, False, True, date(2025, 9, 1), "yellow"),  # returned / unacknowledged
        (None, True, False, True, date(2025, 9, 1), "yellow"),  # an ongoing task can be behind
        (None, True, False, False, date(2025, 9, 1), None),  # but never due or late
    ],
)
def test_task_colour(
    deadline: date | None, ongoing: bool, done: bool, behind: bool, today: date, colour: str | None
) -> None:
    found = task_colour(
        deadline=deadline, ongoing=ongoing, done=done, today=today, calendar=CALENDAR, behind=behind
    )
    assert found == colour
