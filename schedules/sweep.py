"""The daily sweep: plan the day's reminders (and any missed days') and put them in the outbox.

Idempotent by construction: the outbox's unique keys make a second sweep on the same day — after a restart,
or on a second instance — add nothing. After downtime the sweep covers the missed working days too, folding
what is still relevant into one digest per unit marked 补发; items completed meanwhile are gone because the
planner only sees open items. An unacknowledged digest is re-sent once, inside the next working day's digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.plan import Reminder, ReminderKind
from schedules.sources import Policies, reminders_for_day
from store.db import Database
from store.outbox import (
    EnqueueResult,
    OutboxDigest,
    PlannedItem,
    SweepRecord,
    enqueue_digests,
    last_covered_day,
    unacknowledged_items,
)

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
    planned = [r for day in (*missed, today) for r in reminders_for_day(db, day, calendar, chosen)]
    items: list[PlannedItem] = list(fold(planned, today, calendar))
    resend = _resend(db, today, calendar, items) if last is not None and last < today else []
    digests = _digests(today, items + resend)
    record = SweepRecord(today, missed[0] if missed else today, today, instance, now)
    created = enqueue_digests(db, record, digests)
    return SweepReport(today, missed, len(digests), created, len(resend))


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


def fold(reminders: Sequence[Reminder], today: date, calendar: WorkCalendar) -> list[Reminder]:
    """One reminder per unit and item: the latest day's, restated as of today (a deadline that passed
    while the process was down makes a before-deadline reminder an overdue one)."""
    if all(r.day == today for r in reminders):  # no catch-up: every reminder already is today's
        return list({(r.unit, r.item): r for r in reminders}.values())
    latest: dict[tuple[str, str], Reminder] = {}
    for reminder in sorted(reminders, key=lambda r: r.day):
        latest[(reminder.unit, reminder.item)] = reminder
    return [_as_of(r, today, calendar) for r in latest.values()]


def _as_of(reminder: Reminder, today: date, calendar: WorkCalendar) -> Reminder:
    if reminder.day == today or reminder.deadline is None:
        return reminder
    due_day = calendar.on_or_before(reminder.deadline)
    if reminder.kind in ("before_deadline", "due_today") and today <= due_day:
        left = calendar.count_between(today, due_day)
        return replace(reminder, kind="due_today" if left == 0 else "before_deadline", workdays=left)
    if reminder.kind in ("before_deadline", "due_today", "overdue", "escalation"):
        kind: ReminderKind = "escalation" if reminder.kind == "escalation" else "overdue"
        return replace(reminder, kind=kind, workdays=calendar.count_between(reminder.deadline, today))
    return reminder


def _resend(
    db: Database, today: date, calendar: WorkCalendar, planned: Sequence[PlannedItem]
) -> list[PlannedItem]:
    """The previous working day's unacknowledged reminders, once, unless today's digest has them anyway."""
    previous = calendar.on_or_before(today - timedelta(days=1))
    already = {(i.unit, i.item) for i in planned}
    return [
        replace(item, day=today, resent_from_id=item_id)
        for item_id, item in unacknowledged_items(db, previous)
        if (item.unit, item.item) not in already
    ]


def _digests(today: date, items: Sequence[PlannedItem]) -> list[OutboxDigest]:
    by_unit: dict[str, list[PlannedItem]] = {}
    for item in items:
        by_unit.setdefault(item.unit, []).append(item)
    return [
        OutboxDigest(
            unit, today, any(i.day < today and i.resent_from_id is None for i in found), tuple(found)
        )
        for unit, found in sorted(by_unit.items())
    ]
