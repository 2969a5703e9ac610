"""The daily sweep: plan the day's reminders (and any missed days') and put them in the outbox.

Idempotent by construction: the outbox's unique keys make a second sweep on the same day — after a restart,
or on a second instance — add nothing. After downtime the sweep covers the missed working days too, folding
what is still relevant into one digest per unit marked 补发; items completed meanwhile are gone because the
planner only sees open items. An unacknowledged digest is re-sent once, inside the next working day's digest;
a digest that never went out (its platform down until the window closed) goes into it too, and is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.plan import Reminder, ReminderKind, day_rules
from schedules.sources import Policies
from store.day_outbox import DaySweep, plan_without_writing, write_day
from store.db import Database
from store.due_items import DueRule
from store.outbox import EnqueueResult, last_covered_day
from store.reminder_sources import earliest_deadline

CARRY_DAYS = timedelta(days=7)  # a digest that never went out within a week goes into today's
MAX_CATCH_UP_WORKDAYS = 20  # a month of downtime; older reminders would be noise, the overdue notices remain


@dataclass(frozen=True)
class SweepReport:
    day: date
    missed: tuple[date, ...]  # working days caught up on
    digests: int  # units with something to send today
    created: EnqueueResult
    resent: int  # reminders re-sent because their digest was not acknowledged


def run_sweep(
    db: Database,
    *,
    now: datetime,
    calendar: WorkCalendar,
    instance: str,
    policies: Policies | None = None,
) -> SweepReport | None:
    """Sweep for now's Shanghai day; None on a non-working day (nothing is sent then)."""
    today = now.astimezone(SHANGHAI).date()
    if not calendar.is_workday(today):
        return None
    chosen = policies or Policies.load(db)
    last = last_covered_day(db)
    missed = missed_workdays(last, today, calendar)
    first_of_day = last is not None and last < today
    written = write_day(
        db,
        DaySweep(
            day=today,
            covered_from=missed[0] if missed else today,
            instance=instance,
            at=now,
            rules=due_rules((*missed, today), today, calendar, chosen, earliest_deadline(db) or today),
            own_policy_plans=set(chosen.by_plan),
            resend_from=calendar.on_or_before(today - timedelta(days=1)) if first_of_day else None,
            carry_from=today - CARRY_DAYS if first_of_day else None,
        ),
    )
    created = EnqueueResult(written.sweep_id, written.messages, written.items)
    return SweepReport(today, missed, written.units, created, written.resent)


def due_rules(
    days: tuple[date, ...], today: date, calendar: WorkCalendar, policies: Policies, earliest: date
) -> list[DueRule]:
    """The planner's rules for the swept days, for the default policy and for each plan with its own."""
    found = [
        DueRule(r.kind, r.day, None, r.deadline, r.workdays, r.escalate)
        for r in day_rules(days, today, earliest, calendar, policies.default)
    ]
    for plan, policy in sorted(policies.by_plan.items()):
        found += [
            DueRule(r.kind, r.day, plan, r.deadline, r.workdays, r.escalate)
            for r in day_rules(days, today, earliest, calendar, policy)
        ]
    return found


def missed_workdays(last: date | None, today: date, calendar: WorkCalendar) -> tuple[date, ...]:
    """Working days after the last swept day and before today (none on a first run)."""
    if last is None or last >= today:
        return ()
    days: list[date] = []
    day = calendar.on_or_after(last + timedelta(days=1))
    while day < today:
        days.append(day)
        day = calendar.on_or_after(day + timedelta(days=1))
    return tuple(days[-MAX_CATCH_UP_WORKDAYS:])


# (plan, number) -> (title, content, 责任领导)
TaskWords = dict[tuple[str, int], tuple[str | None, str, str | None]]


def planned_by_sweep(
    db: Database, day: date, calendar: WorkCalendar, policies: Policies | None = None
) -> tuple[list[Reminder], TaskWords]:
    """What the sweep plans for day, as reminders, writing nothing: the dry run's source. The same
    statements as a sweep (so a month on a national database takes what a month of sweeps takes), rolled
    back; re-sends are left out, as nothing is sent in a dry run."""
    if not calendar.is_workday(day):
        return [], {}
    chosen = policies or Policies.load(db)
    rules = due_rules((day,), day, calendar, chosen, earliest_deadline(db) or day)
    rows = plan_without_writing(db, rules, set(chosen.by_plan))
    reminders = [
        Reminder(
            day, r.unit, cast(ReminderKind, r.kind), r.plan, task=r.task, indicator=r.indicator,
            deadline=r.deadline, workdays=r.workdays, about_unit=r.about_unit,
        )  # the kinds are the planner's own rules
        for r in rows
    ]  # fmt: skip
    words = {
        (r.plan, r.task): (r.task_title, r.task_content or "", r.task_leader)
        for r in rows
        if r.task is not None
    }
    return reminders, words
