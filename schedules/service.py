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
from schedules.summary import overdue_summary, weekly_summary_due
from schedules.sweep import SweepReport, run_sweep
from store.calendar_overrides import calendar_overrides
from store.db import Database
from store.delivery_events import SUMMARY
from store.outbox import enqueue_notice, summary_queued

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
