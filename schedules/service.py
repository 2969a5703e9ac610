"""The reminder job in the bot process: one APScheduler job that sweeps and delivers.

One job, not one job per reminder: what is due is computed from the domain tables at each run, so nothing is
pickled into a job store and a changed deadline or a completed task is honoured at the next run. The job is
idempotent (the outbox's unique keys), so a coalesced or doubled run does no harm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.delivery import Deliverer, DeliveryStats, Renderer
from schedules.plan import Policy, add_months
from schedules.summary import long_overdue_summary, monthly_summary_due, overdue_summary, weekly_summary_due
from schedules.sweep import SweepReport, run_sweep
from schedules.weekly_notice import queue_weekly_reports
from store.calendar_overrides import calendar_overrides
from store.db import Database
from store.delivery_events import SUMMARY
from store.item_names import item_names
from store.outbox import enqueue_notice, notice_queued, summary_queued
from store.plan_status import expired_plans, plan_regions
from store.reminder_sources import open_tasks

log = logging.getLogger(__name__)
SWEEP_JOB_ID = "duban-reminder-sweep"
SWEEP_EVERY = timedelta(minutes=5)
MISFIRE_GRACE = timedelta(minutes=10)  # a run delayed longer than this is skipped; the next one catches up


@dataclass(frozen=True)
class TickReport:
    sweep: SweepReport | None
    delivery: DeliveryStats


class ReminderService:
    """What each run does: (re)sweep today once the sending window has opened, then deliver what is due."""

    def __init__(
        self,
        db: Database,
        deliverer_for: Callable[[WorkCalendar], Deliverer],
        *,
        clock: Callable[[], datetime],
        instance: str,
    ) -> None:
        self.db = db
        self.deliverer_for = deliverer_for
        self.clock = clock
        self.instance = instance
        self._stopping = False
        self._running = asyncio.Lock()  # held while a run sweeps and sends
        # One deliverer for the process's life: its rate limiters, the sender leases it holds and what it
        # knows of each platform's health carry from one run to the next.
        self._deliverer: Deliverer | None = None

    def calendar(self) -> WorkCalendar:
        """Read per run, so an override an admin adds is used at the next run."""
        return WorkCalendar(calendar_overrides(self.db))

    def deliverer(self, calendar: WorkCalendar) -> Deliverer:
        if self._deliverer is None:
            self._deliverer = self.deliverer_for(calendar)
            self._deliverer.should_continue = lambda: not self._stopping
        self._deliverer.calendar = calendar
        return self._deliverer

    async def tick(self) -> TickReport:
        calendar = self.calendar()
        deliverer = self.deliverer(calendar)
        now = self.clock()
        if not deliverer.in_window(now):
            return TickReport(None, DeliveryStats())
        sweep = run_sweep(self.db, now=now, calendar=calendar, instance=self.instance)
        if sweep is not None:
            queue_weekly_summary(self.db, deliverer.renderer, calendar, now)
            queue_weekly_reports(self.db, deliverer.renderer, calendar, now)  # 周通报: once a week per plan
            queue_closing_requests(self.db, deliverer.renderer, now)
            queue_leader_escalations(self.db, deliverer.renderer, now)
            queue_monthly_summary(self.db, deliverer.renderer, calendar, now)
        return TickReport(sweep, await deliverer.deliver_due())

    async def run_job(self) -> None:
        """The scheduled callable: a failure is logged and the next run tries again."""
        if self._stopping:
            return
        try:
            async with self._running:
                report = await self.tick()
        except Exception:
            log.exception("reminder sweep failed; the next run retries")
            return
        if report.sweep is not None:
            log.info("reminder sweep %s: %s", report.sweep.day, report.delivery)

    async def drain(self) -> None:
        """Shutting down: a run in progress finishes the batch it is sending (claimed messages are sent and
        recorded, none left half-done) and claims no more; no new run starts."""
        self._stopping = True
        async with self._running:
            if self._deliverer is not None:
                try:
                    self._deliverer.release_leases()
                except Exception:  # the database may be away; the leases then simply expire
                    log.warning("could not release the sender leases; they expire on their own")


def queue_weekly_summary(db: Database, renderer: Renderer, calendar: WorkCalendar, now: datetime) -> None:
    """On the week's first working day each admin gets the overdue summary, once (a unique notice key)."""
    today = now.astimezone(SHANGHAI).date()
    # every run of the day gets here; the summary reads every late task, so it is made once
    if weekly_summary_due(today, calendar) and not summary_queued(db, today):
        body = renderer.overdue_summary(overdue_summary(db, today))
        enqueue_notice(db, reason=SUMMARY, day=today, body=body, at=now)


MONTHLY = "monthly"


def queue_monthly_summary(db: Database, renderer: Renderer, calendar: WorkCalendar, now: datetime) -> None:
    """On the month's first working day each admin gets the tasks more than three months late, once (by key);
    none is sent when there are none."""
    today = now.astimezone(SHANGHAI).date()
    month = today.strftime("%Y-%m")
    if not monthly_summary_due(today, calendar) or notice_queued(db, MONTHLY, month):
        return
    summary = long_overdue_summary(db, today)
    if summary.total:
        enqueue_notice(
            db, reason=MONTHLY, about=month, day=today, body=renderer.overdue_summary(summary), at=now
        )


def queue_closing_requests(db: Database, renderer: Renderer, now: datetime) -> None:
    """A plan past its validity chases no more; its supervising office is asked once to collect the closing
    report (总结报告), naming what is still open (one notice per admin and plan, by key)."""
    today = now.astimezone(SHANGHAI).date()
    for plan in expired_plans(db, today):
        enqueue_notice(
            db, reason="closing", about=plan.code, day=today, body=renderer.closing_request(plan), at=now
        )


LEADER_CATCH_UP = timedelta(days=14)  # a month's mark passed while the bot was down is still told


def queue_leader_escalations(db: Database, renderer: Renderer, now: datetime) -> None:
    """The overdue cadence's one step up: a task a month late, still open, is told once to the supervising
    office's leaders (members of role leader), naming the units still open; from then on the unit alone is
    chased, weekly (schedules.plan.overdue_stage)."""
    today = now.astimezone(SHANGHAI).date()
    policy = Policy()
    crossed = {
        deadline
        for back in range(1, 31 * (policy.weekly_after_months + 1) + LEADER_CATCH_UP.days)
        if today - LEADER_CATCH_UP
        <= add_months(deadline := today - timedelta(days=back), policy.weekly_after_months)
        < today
    }
    regions = plan_regions(db)
    rows = [
        row
        for row in open_tasks(db, deadlines=crossed, ongoing=False)
        if row.deadline is not None and (row.valid_to is None or row.valid_to >= today)
    ]
    names = item_names(db, [(row.plan, row.number) for row in rows])
    for row in rows:
        assert row.deadline is not None
        region, name = regions.get(row.plan, ""), names.get((row.plan, row.number))
        body = renderer.leader_escalation(region, row.number, row.deadline, row.units, name)
        enqueue_notice(
            db, reason="leader", about=f"{row.plan}:{row.number}", day=today, body=body, at=now, role="leader"
        )


def make_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=SHANGHAI)


def install_sweep_job(
    scheduler: AsyncIOScheduler, service: ReminderService, *, first_run: datetime | None = None
) -> Job:
    """The one sweep job: stable id (a restart replaces it rather than adding a second), at most one run
    at a time, missed runs coalesced into one."""
    return scheduler.add_job(
        service.run_job,
        IntervalTrigger(seconds=int(SWEEP_EVERY.total_seconds()), timezone=SHANGHAI),
        id=SWEEP_JOB_ID,
        name="督办提醒：扫描并发送",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        next_run_time=first_run or service.clock(),  # first run at start-up: catch up after downtime at once
    )
