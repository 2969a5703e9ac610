"""The common reminder-bot design, measured: one APScheduler 3.x job per reminder.

duban keeps one sweep job and derives due reminders from the database; the usual alternative schedules a
`date`-trigger job per reminder. This script adds N such jobs to a real job store and reports what that costs:

    .venv/bin/python benchmarks/apscheduler_per_reminder.py [--reminders 600000] \\
        [--sqlalchemy-reminders 20000] [--sqlalchemy-url URL] [--seed 1]

N defaults to 600,000 (150,000 tasks × 4 reminders: 30, 7 and 1 days before the deadline and on the day, at
09:00 Asia/Shanghai; deadlines 2024-01..2027-12, mostly month ends, added task by task as a bot would). The
memory store gets all N; the SQLAlchemy store (a SQLite file in a temporary directory unless --sqlalchemy-url
is given) gets a smaller N, because it commits one transaction per job, and its add time is also extrapolated
linearly to the full N, labelled as such.

The scheduler is started paused: `BaseScheduler.add_job` only queues jobs while the scheduler is stopped
(`_pending_jobs`) and calls `_real_add_job` -> `jobstore.add_job` once it is started, and a paused scheduler
never runs `_process_jobs`, so every job reaches the store and none fires. Add and lookup times come from an
untraced pass; peak memory from a second pass under tracemalloc (about five times slower).
"""

from __future__ import annotations

import argparse
import calendar
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

TIMEZONE = ZoneInfo("Asia/Shanghai")
TABLE = "bench_reminder_jobs"  # the SQLAlchemy store's table; dropped before and after each measurement
REMINDER_DAYS = (30, 7, 1, 0)  # days before the deadline
MiB = 1024 * 1024


def remind(task_key: str, days_before: int) -> None:
    """What each job would call: send one reminder (never runs here, the scheduler stays paused)."""
    print(f"reminder: {task_key}, {days_before} days before the deadline")


def measure(
    run_times: Sequence[datetime],
    *,
    jobstore: Literal["memory", "sqlalchemy"],
    sqlalchemy_url: str | None = None,
    now: datetime | None = None,
    trace_memory: bool = True,
) -> dict[str, float]:
    """Add one `date` job per run time to a paused BackgroundScheduler, time it, then find the jobs due `now`.

    Timings come from an untraced pass; with trace_memory a second pass adds the same jobs to a fresh store
    under tracemalloc (which slows job creation about fivefold) for the peak. `now` defaults to the earliest
    run time: the first wakeup, with every job still in the store (in steady state the jobs before `now`
    would have run and left it, so this is what one ordinary wakeup costs).

    Returns jobs (counted back from the store), add_seconds, add_per_job_us, due_jobs, due_seconds (fastest
    of 5 `jobstore.get_due_jobs(now)` calls), peak_mib (NaN without trace_memory) and add_seconds_traced.
    """
    if not run_times:
        raise ValueError("no run times")
    store = _store(jobstore, sqlalchemy_url)
    scheduler = BackgroundScheduler(timezone=TIMEZONE, jobstores={"default": store})
    try:
        add_seconds = _add_all(scheduler, run_times)
        due, due_seconds = _due(store, now or min(run_times))
        stored = _stored(store)
    finally:
        _stop(scheduler, store)
    figures = {
        "jobs": float(stored),
        "add_seconds": add_seconds,
        "add_per_job_us": add_seconds / len(run_times) * 1e6,
        "due_jobs": float(len(due)),
        "due_seconds": due_seconds,
        "peak_mib": float("nan"),
        "add_seconds_traced": float("nan"),
    }
    if trace_memory:
        store = _store(jobstore, sqlalchemy_url)
        scheduler = BackgroundScheduler(timezone=TIMEZONE, jobstores={"default": store})
        tracemalloc.start()
        try:
            figures["add_seconds_traced"] = _add_all(scheduler, run_times)
            figures["peak_mib"] = tracemalloc.get_traced_memory()[1] / MiB
        finally:
            tracemalloc.stop()
            _stop(scheduler, store)
    return figures


def _due(store: BaseJobStore, now: datetime, repeats: int = 5) -> tuple[list[Job], float]:
    """The jobs due at `now` and the fastest of a few lookups (one can include a garbage-collector pass)."""
    fastest = float("inf")
    due: list[Job] = []
    for _ in range(repeats):
        started = time.perf_counter()
        due = store.get_due_jobs(now)
        fastest = min(fastest, time.perf_counter() - started)
    return due, fastest


def _add_all(scheduler: BackgroundScheduler, run_times: Sequence[datetime]) -> float:
    """Start paused (add_job then reaches the store at once; nothing fires), add every job; seconds taken."""
    scheduler.start(paused=True)
    started = time.perf_counter()
    for index, run_time in enumerate(run_times):
        scheduler.add_job(
            remind,
            "date",
            run_date=run_time,
            args=(f"task-{index // len(REMINDER_DAYS)}", REMINDER_DAYS[index % len(REMINDER_DAYS)]),
            id=f"reminder-{index}",
            replace_existing=False,
        )
    return time.perf_counter() - started


def _stop(scheduler: BackgroundScheduler, store: BaseJobStore) -> None:
    """Detach the store, then shut down; drop the SQLAlchemy store's table.

    Shutting down wakes the scheduler thread for one more `_process_jobs` pass (the state is then STOPPED,
    not PAUSED), which would try to submit every overdue job to the stopped executor and remove the date
    jobs; with no store attached that pass finds nothing.
    """
    if scheduler.running:
        scheduler.remove_jobstore("default")  # also shuts the store down
        scheduler.shutdown(wait=False)
    if isinstance(store, SQLAlchemyJobStore):
        store.jobs_t.drop(store.engine, checkfirst=True)
        store.engine.dispose()


def _store(jobstore: Literal["memory", "sqlalchemy"], sqlalchemy_url: str | None) -> BaseJobStore:
    if jobstore == "memory":
        return MemoryJobStore()
    if sqlalchemy_url is None:
        raise ValueError("the sqlalchemy job store needs sqlalchemy_url")
    store = SQLAlchemyJobStore(url=_psycopg(sqlalchemy_url), tablename=TABLE)
    store.jobs_t.drop(store.engine, checkfirst=True)  # a table left by an interrupted run would clash on ids
    return store


def _psycopg(url: str) -> str:
    """Plain postgresql:// URLs would ask SQLAlchemy for psycopg2; this project installs psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _stored(store: BaseJobStore) -> int:
    if isinstance(store, SQLAlchemyJobStore):
        with store.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(store.jobs_t)).scalar_one())
    return len(store.get_all_jobs())


def reminder_times(count: int, seed: int) -> list[datetime]:
    """`count` run times, four per task (30/7/1/0 days before its deadline, 09:00 Asia/Shanghai), by task.

    Deadlines fall in 2024-01..2027-12, 70 % on month ends (as "2025.8" in the documents), so reminders crowd
    on some mornings; the list is in the order a bot would add them, not in time order.
    """
    rng = random.Random(seed)
    times: list[datetime] = []
    while len(times) < count:
        offset = rng.randrange(48)
        year, month = 2024 + offset // 12, 1 + offset % 12
        last = calendar.monthrange(year, month)[1]
        deadline = date(year, month, last if rng.random() < 0.7 else rng.randint(1, last))
        at_nine = datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=TIMEZONE)
        times.extend(at_nine - timedelta(days=days) for days in REMINDER_DAYS)
    return times[:count]


def _report(label: str, figures: dict[str, float]) -> None:
    jobs, peak = figures["jobs"], figures["peak_mib"]
    print(f"{label}: {int(jobs):,} jobs stored")
    print(f"  add all jobs:       {figures['add_seconds']:9.2f} s   ({figures['add_per_job_us']:.1f} µs/job)")
    print(
        f"  get_due_jobs(now):  {figures['due_seconds'] * 1000:9.3f} ms  ({int(figures['due_jobs']):,} due)"
    )
    print(f"  peak traced memory: {peak:9.1f} MiB ({peak * 1024 / jobs:.2f} KiB/job", end="")
    print(f"; traced pass took {figures['add_seconds_traced']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="One APScheduler job per reminder: add time, memory, due lookup."
    )
    parser.add_argument("--reminders", type=int, default=600_000, help="jobs for the memory store")
    parser.add_argument(
        "--sqlalchemy-reminders", type=int, default=20_000, help="jobs for the SQLAlchemy store (0: skip it)"
    )
    parser.add_argument("--sqlalchemy-url", help="job store database (default: a SQLite file in a temp dir)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    times = reminder_times(args.reminders, args.seed)
    print(f"run times: {len(times):,} from {min(times):%Y-%m-%d} to {max(times):%Y-%m-%d} ({TIMEZONE.key})")
    _report("memory store", measure(times, jobstore="memory"))
    small = min(args.sqlalchemy_reminders, args.reminders)
    if small > 0:
        with tempfile.TemporaryDirectory() as folder:
            url = args.sqlalchemy_url or f"sqlite:///{Path(folder) / 'jobs.sqlite3'}"
            figures = measure(times[:small], jobstore="sqlalchemy", sqlalchemy_url=url)
        where = "given database" if args.sqlalchemy_url else "SQLite file"
        _report(f"sqlalchemy store ({where}), N = {small:,}", figures)
        if small < args.reminders:
            scale = args.reminders / small
            print(
                f"  EXTRAPOLATION (linear, × {scale:.1f}) to N = {args.reminders:,}: add all jobs ≈ "
                f"{figures['add_seconds'] * scale:.0f} s ({figures['add_seconds'] * scale / 60:.1f} min); "
                "not measured"
            )
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
