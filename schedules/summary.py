"""The overdue summaries for admins: how many tasks are late, which units have most, which are oldest — every
week for all late tasks, every month for those more than three months late (the cadence's last step)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from schedules.calendar import WorkCalendar
from schedules.plan import Policy, add_months
from store.db import Database
from store.item_names import ItemName, item_names
from store.overdue import LateTaskView, overdue_counts

TOP = 10


@dataclass(frozen=True)
class LateTask:
    plan_region: str
    number: int
    deadline: date
    units: tuple[str, ...]
    name: ItemName | None = None  # named as digests and chat name it (【示范区】任务6「…」)


@dataclass(frozen=True)
class OverdueSummary:
    day: date
    total: int
    by_unit: tuple[tuple[str, int], ...]  # most late tasks first
    oldest: tuple[LateTask, ...]
    late_before: date | None = None  # the monthly summary: only tasks whose deadline is before this day


def weekly_summary_due(day: date, calendar: WorkCalendar) -> bool:
    """The first working day of the week."""
    monday = day - timedelta(days=day.weekday())
    return calendar.is_workday(day) and calendar.on_or_after(monday) == day


def overdue_summary(db: Database, day: date) -> OverdueSummary:
    """The tasks past their (delayed) deadline and not done, counted by the database; only plans in force
    (an expired or archived plan had its one closing request, and is not listed week after week)."""
    counts = overdue_counts(db, day, top=TOP, in_force_only=True)
    return OverdueSummary(day, counts.total, counts.by_unit, _named(db, counts.oldest))


def monthly_summary_due(day: date, calendar: WorkCalendar) -> bool:
    """The first working day of the month."""
    return calendar.is_workday(day) and calendar.on_or_after(day.replace(day=1)) == day


def long_overdue_summary(db: Database, day: date, policy: Policy | None = None) -> OverdueSummary:
    """Tasks of plans in force more than three months past their deadline: from then on the unit is chased
    monthly, and the supervising office sees them together once a month."""
    months = (policy or Policy()).monthly_after_months
    before = add_months(day, -months)
    counts = overdue_counts(db, day, top=TOP, late_before=before, in_force_only=True)
    return OverdueSummary(day, counts.total, counts.by_unit, _named(db, counts.oldest), late_before=before)


def _named(db: Database, late: Sequence[LateTaskView]) -> tuple[LateTask, ...]:
    names = item_names(db, [(t.plan, t.number) for t in late])
    return tuple(
        LateTask(t.plan_region, t.number, t.deadline, t.units, names.get((t.plan, t.number))) for t in late
    )
