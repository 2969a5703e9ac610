"""The weekly 通报 from the store: each plan's report as of a moment, and its queueing once a week.

On its week's first working day every admin gets one 通报 per plan in force (the plan's supervising office
reads it; admins are not yet scoped to plans; an expired plan's office gets its closing request instead),
keyed notice:weekly:<plan>:<ISO week>:<admin> in the outbox, so a second run, a restart or a second instance
adds nothing. `duban report weekly` prints the same body, for any plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.delivery import Renderer
from schedules.weekly import (
    WeeklyReport,
    by_plan,
    iso_week,
    previous_moment,
    recent_first_workdays,
    weekly_due,
    weekly_report,
)
from store.db import Database
from store.outbox import admins, enqueue_notice
from store.weekly import WEEKLY, WeeklyPlan, plan_parts, weekly_notices, weekly_plans

BATCH = 100  # plans read per pair of statements: a national catalog's 3,000 plans in thirty


def weekly_reports(
    db: Database, calendar: WorkCalendar, *, now: datetime, plans: Sequence[WeeklyPlan]
) -> Iterator[WeeklyReport]:
    """Each plan's 通报 as of now, compared with its previous one (the outbox's, else the week before)."""
    day = now.astimezone(SHANGHAI).date()
    last: dict[str, datetime] = {}
    for (code, _week), at in weekly_notices(db, recent_first_workdays(day, calendar)).items():
        if at < now and (code not in last or at > last[code]):
            last[code] = at
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        before = {p.id: previous_moment(day, calendar, last.get(p.code)) for p in batch}
        parts = by_plan(plan_parts(db, [p.id for p in batch], now=now, before=before))
        for plan in batch:
            yield weekly_report(plan, parts.get(plan.id, []), day=day, now=now, before=before[plan.id])


def queue_weekly_reports(db: Database, renderer: Renderer, calendar: WorkCalendar, now: datetime) -> int:
    """On the week's first working day, each plan's 通报 to every admin, once; how many messages were added.
    Every run of that day gets here: plans already queued this week are skipped before anything is read."""
    day = now.astimezone(SHANGHAI).date()
    if not weekly_due(day, calendar) or not admins(db):
        return 0
    week = iso_week(day)
    queued = {code for code, w in weekly_notices(db, [day]) if w == week}
    plans = [p for p in weekly_plans(db, in_force_on=day) if p.code not in queued]
    added = 0
    for report in weekly_reports(db, calendar, now=now, plans=plans):
        body = renderer.weekly_report(report)
        about = f"{report.plan.code}:{week}"
        added += enqueue_notice(db, reason=WEEKLY, about=about, day=day, body=body, at=now)
    return added
