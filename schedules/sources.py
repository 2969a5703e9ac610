"""A day's reminders from the store's open items: the planner's rules over what the database says now."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from schedules.calendar import WorkCalendar
from schedules.plan import (
    OpenIndicator,
    OpenTask,
    Policy,
    Reminder,
    deadlines_due,
    is_check_in_day,
    is_data_request_day,
    plan_day,
)
from store.db import Database
from store.reminder_sources import OpenTaskRow, earliest_deadline, open_indicators, open_tasks, reminder_plans


@dataclass(frozen=True)
class Policies:
    """The default policy and the plans that set their own."""

    default: Policy
    by_plan: dict[str, Policy]

    @classmethod
    def load(cls, db: Database, default: Policy | None = None) -> Policies:
        base = default or Policy()
        plans = reminder_plans(db)
        return cls(base, {p.code: Policy.from_json(p.policy_json, base) for p in plans if p.policy_json})

    def distinct(self) -> set[Policy]:
        return {self.default, *self.by_plan.values()}


def reminders_for_day(
    db: Database, day: date, calendar: WorkCalendar, policies: Policies | None = None
) -> list[Reminder]:
    """Everything due on day for units that have not reported their part; nothing on a non-working day."""
    if not calendar.is_workday(day):
        return []
    chosen = policies or Policies.load(db)
    earliest = earliest_deadline(db) or day
    deadlines: set[date] = set()
    for policy in chosen.distinct():
        deadlines |= deadlines_due(day, min(earliest, day), calendar, policy)
    check_in = any(is_check_in_day(day, calendar, p) for p in chosen.distinct())
    found: list[Reminder] = []
    for batch in _batches(open_tasks(db, deadlines=deadlines, ongoing=check_in)):
        found.extend(plan_day(day, batch, (), calendar, chosen.default, chosen.by_plan))
    # any month may end an indicator's period (按月报送); each indicator's own rule is applied in plan_day
    if any(is_data_request_day(day, calendar, p, "monthly") for p in chosen.distinct()):
        indicators = [
            OpenIndicator(i.plan, i.code, i.units, i.valid_to, i.valid_from, i.rule)
            for i in open_indicators(db)
        ]
        found.extend(plan_day(day, (), indicators, calendar, chosen.default, chosen.by_plan))
    return found


def _batches(rows: Iterator[OpenTaskRow], size: int = 2000) -> Iterator[list[OpenTask]]:
    """Plan in slices so memory stays flat however many tasks fall due."""
    batch: list[OpenTask] = []
    for row in rows:
        batch.append(OpenTask(**row.__dict__))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
