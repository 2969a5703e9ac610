"""The three colours a 督办 office marks its items with, as a pure function of the facts (no clock, no DB).

蓝 (blue): due within 5 working days. 黄 (yellow): behind — a due-soon reminder the unit has not acknowledged,
or a completion report sent back (退回) and not reported again. 红 (red): overdue. Done items, ongoing
(长期推进) items and items far from their deadline have no colour.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from schedules.calendar import WorkCalendar

Colour = Literal["red", "yellow", "blue"]
COLOURS: tuple[Colour, ...] = ("red", "yellow", "blue")  # most urgent first
SOON_WORKDAYS = 5


def task_colour(
    *, deadline: date | None, ongoing: bool, done: bool, today: date, calendar: WorkCalendar, behind: bool
) -> Colour | None:
    if done:
        return None
    dated = deadline is not None and not ongoing
    if dated and deadline is not None and deadline < today:
        return "red"
    if behind:
        return "yellow"
    if dated and deadline is not None and calendar.count_between(today, deadline) <= SOON_WORKDAYS:
        return "blue"
    return None


def soon_until(today: date, calendar: WorkCalendar) -> date:
    """The last day a deadline may fall on to be blue: the 5th working day after today."""
    return calendar.shift(today, SOON_WORKDAYS)
