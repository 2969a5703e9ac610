"""The weekly 通报 (issue 17 item 9) on a national-scale database: one plan's, and every plan's as the service
makes them on the week's first working day.

    .venv/bin/python benchmarks/weekly_report.py --db URL [--plans 3000] [--tasks-per-plan 50] [--units 50000]
        [--today 2025-09-22] [--sample 50]
    .venv/bin/python benchmarks/weekly_report.py --seeds      # the two seed plans, on a fresh SQLite file

An empty database is filled by benchmarks/national.py first (an already generated one is reused). Nothing is
written: the reports are read and worded, not queued. One plan's 通报 is timed for --sample plans spread over
the catalog (median and worst), each as `duban report weekly --plan` makes it (the plan looked up, its parts
and events read, the figures and text made); then all plans at once, in the service's batches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import national

from bot.conversation.reminders import ReminderTexts
from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.weekly import SENT_AT
from schedules.weekly_notice import weekly_reports
from store.catalog_queries import resolve_plan
from store.db import Database
from store.weekly import weekly_plans

GENERATED_ON = date(2025, 9, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national database (generated when empty)")
    parser.add_argument("--seeds", action="store_true", help="the seed plans on a fresh SQLite file instead")
    parser.add_argument("--plans", type=int, default=3000)
    parser.add_argument("--tasks-per-plan", type=int, default=50)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2025, 9, 22))
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()
    db = _seeded() if args.seeds else _national(args)
    now = datetime.combine(args.today, SENT_AT, SHANGHAI)
    calendar = WorkCalendar()
    wording = ReminderTexts()
    codes = [p.code for p in weekly_plans(db)]
    print(f"backend: {db.engine.dialect.name}; {len(codes)} plans with tasks; 通报 as of {now.isoformat()}")
    sample = codes[:: max(1, len(codes) // args.sample)][: args.sample]
    timings, sizes = [], []
    for code in sample:
        started = time.perf_counter()
        plans = weekly_plans(db, [code])  # `--plan CODE` finds it by its code at once
        [report] = weekly_reports(db, calendar, now=now, plans=plans)
        body = wording.weekly_report(report)
        timings.append(time.perf_counter() - started)
        sizes.append((report.parts, len(report.units), len(body)))
    parts, units, text = (f"{min(s[i] for s in sizes)}–{max(s[i] for s in sizes)}" for i in range(3))
    print(
        f"one plan's 通报 ({len(sample)} plans): median {statistics.median(timings) * 1000:.1f} ms, "
        f"worst {max(timings) * 1000:.1f} ms; parts per plan {parts}, units {units}, text {text} characters"
    )
    started = time.perf_counter()
    resolve_plan(db, sample[0])
    print(f"(a plan named by title or region is looked up first: {time.perf_counter() - started:.2f} s)")
    started = time.perf_counter()
    every = [wording.weekly_report(r) for r in weekly_reports(db, calendar, now=now, plans=weekly_plans(db))]
    elapsed = time.perf_counter() - started
    print(
        f"every plan's 通报 ({len(every)}), as the service makes them: {elapsed:.2f} s; "
        f"longest text {max(len(b) for b in every)} characters"
    )
    db.dispose()


def _national(args: argparse.Namespace) -> Database:
    if not args.db:
        sys.exit("--db is required (or --seeds)")
    db = Database(args.db)
    if not db.is_initialised():
        started = time.perf_counter()
        national.generate(
            db, plans=args.plans, tasks_per_plan=args.tasks_per_plan, units=args.units, seed=1,
            today=GENERATED_ON,
        )  # fmt: skip
        print(f"generated {args.plans} plans in {time.perf_counter() - started:.1f} s: {db.safe_url}")
    return db


def _seeded() -> Database:
    from seeds.apply import apply_seeds

    db = Database(f"sqlite:///{Path(tempfile.mkdtemp()) / 'seeds.sqlite3'}")
    apply_seeds(db)
    return db


if __name__ == "__main__":
    main()
