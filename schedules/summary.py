"""The weekly overdue summary for admins: how many tasks are late, which units have most, which are oldest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from schedules.calendar import WorkCalendar
from store.catalog_queries import list_plans
from store.db import Database
from store.reminder_sources import earliest_deadline, open_tasks

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
    """Streams the open tasks past their (delayed) deadline; keeps only counts and the oldest few."""
    earliest = earliest_deadline(db)
    regions = {plan.code: plan.region for plan in list_plans(db)}
    if earliest is None or earliest >= day:
        return OverdueSummary(day, 0, (), ())
    deadlines = [earliest + timedelta(days=n) for n in range((day - earliest).days)]
    total, units, oldest = 0, Counter[str](), list[LateTask]()
    for task in open_tasks(db, deadlines=deadlines, ongoing=False):
        if task.deadline is None:
            continue
        total += 1
        units.update(task.units)
        oldest.append(LateTask(regions.get(task.plan, task.plan), task.number, task.deadline, task.units))
        if len(oldest) > 4 * TOP:
            oldest = sorted(oldest, key=lambda t: t.deadline)[:TOP]
    return OverdueSummary(
        day, total, tuple(units.most_common(TOP)), tuple(sorted(oldest, key=lambda t: t.deadline)[:TOP])
    )
