"""The weekly overdue summary for admins: how many tasks are late, which units have most, which are oldest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from schedules.calendar import WorkCalendar
from store.db import Database
from store.overdue import overdue_counts

TOP = 10


@dataclass(frozen=True)
class LateTask:
    plan_region: str
    number: int
    deadline: date
    units: tuple[str, ...]


@dataclass(frozen=True)
class OverdueSummary:
    day: date
    total: int
    by_unit: tuple[tuple[str, int], ...]  # most late tasks first
    oldest: tuple[LateTask, ...]


def weekly_summary_due(day: date, calendar: WorkCalendar) -> bool:
    """The first working day of the week."""
    monday = day - timedelta(days=day.weekday())
    return calendar.is_workday(day) and calendar.on_or_after(monday) == day


def overdue_summary(db: Database, day: date) -> OverdueSummary:
    """The tasks past their (delayed) deadline and not done, counted by the database."""
    counts = overdue_counts(db, day, top=TOP)
    oldest = tuple(LateTask(t.plan_region, t.number, t.deadline, t.units) for t in counts.oldest)
    return OverdueSummary(day, counts.total, counts.by_unit, oldest)
