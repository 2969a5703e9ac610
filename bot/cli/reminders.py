"""`duban reminders --from DATE --to DATE [--json]`: what the sweep would send; a dry run, writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.cli import tables
from bot.cli.days import parse_day
from bot.cli.settings import Settings
from bot.conversation import texts
from bot.conversation.knowledge import Catalog
from bot.conversation.reminders import ESCALATION, Line, ReminderTexts, digest_entries, item_label
from bot.transports.console_transport import ConsolePort
from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.delivery import Deliverer
from schedules.plan import Digest, Reminder, digests
from schedules.service import queue_weekly_summary
from schedules.sources import Policies
from schedules.sweep import TaskWords, planned_by_sweep, run_sweep
from schedules.weekly_notice import queue_weekly_reports
from store.calendar_overrides import calendar_overrides
from store.catalog_queries import resolve_unit
from store.db import Database
from store.delivery_events import DIGEST
from store.errors import StoreError
from store.outbox import LogEntry, delivery_log
from store.reminder_chats import waiting_by_platform
from store.task_sections import section_places_by_code
from store.views import plan_short_name

MAX_DAYS = 400


def reminders_command(args: argparse.Namespace, db: Database) -> int:
    if args.start is None or args.end is None:
        raise StoreError(texts.BAD_REMINDER_RANGE)
    start, end = _range(args.start, args.end)
    catalog = Catalog.load(db)
    calendar = WorkCalendar(calendar_overrides(db))
    policies = Policies.load(db)
    # Day by day, planned by the sweep's own statements (rolled back), each day's tasks read in a few batches
    # and its messages written at once: a month on a national catalog takes what a month of sweeps takes and
    # keeps no more than a day in memory (issue 17).
    written = 0
    places: Places = {}
    seen_plans: set[str] = set()
    day = start
    while day <= end:
        found, words = planned_by_sweep(db, day, calendar, policies)
        planned = digests(found)
        new_plans = {r.plan for r in found if r.task is not None} - seen_plans
        if new_plans:  # a plan's lists do not change during the run: read once
            with db.engine.connect() as connection:
                places.update(section_places_by_code(connection, new_plans))
            seen_plans.update(new_plans)
        for digest in planned:
            message = _message(digest, catalog, Wording(words, places))
            if args.json:
                prefix = "[\n" if written == 0 else ",\n"
                sys.stdout.write(prefix + json.dumps(message, ensure_ascii=False, indent=2))
            else:
                sys.stdout.write(("\n\n" if written else "") + message["text"])
            written += 1
        day += timedelta(days=1)
    if args.json:
        sys.stdout.write("\n]\n" if written else "[]\n")
    else:
        sys.stdout.write("\n" if written else texts.NO_ROWS + "\n")
    return 0


def _range(start: str, end: str) -> tuple[date, date]:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise StoreError(texts.BAD_REMINDER_RANGE) from None
    if first > last or (last - first).days > MAX_DAYS:
        raise StoreError(texts.BAD_REMINDER_RANGE)
    return first, last


def _message(digest: Digest, catalog: Catalog, wording: Wording) -> dict[str, Any]:
    items = [_item(r) for r in digest.items]
    entries = digest_entries([_line(r, catalog, wording) for r in digest.items])
    text = texts.digest(digest.unit, digest.day, [t for _, t in entries], plans=[p for p, _ in entries])
    return {"date": digest.day.isoformat(), "unit": digest.unit, "items": items, "text": text}


def _item(reminder: Reminder) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": reminder.kind, "plan": reminder.plan}
    if reminder.task is not None:
        item["task"] = reminder.task
    if reminder.indicator is not None:
        item["indicator"] = reminder.indicator
    if reminder.deadline is not None:
        item["deadline"] = reminder.deadline.isoformat()
    if reminder.workdays is not None:
        item["workdays"] = reminder.workdays
    if reminder.about_unit is not None:
        item["about_unit"] = reminder.about_unit
    return item


Places = dict[tuple[str, int], tuple[str, int]]  # (plan, item) -> its list and place (plans with several)


@dataclass(frozen=True)
class Wording:
    """What a day's lines need besides the catalog, read with the day's reminders."""

    words: TaskWords  # each task's title and content
    places: Places


def _line(reminder: Reminder, catalog: Catalog, wording: Wording) -> Line:
    """The same wording the deliverer gives the item (bot.conversation.reminders.item_label)."""
    plan = catalog.plans[reminder.plan]
    indicator = catalog.indicators[f"{reminder.plan}:{reminder.indicator}"] if reminder.indicator else None
    key = (reminder.plan, reminder.task or 0)
    title, content, leader = wording.words.get(key, (None, "", None)) if reminder.task else (None, "", None)
    label = item_label(
        task=reminder.task, task_title=title, plan_region=plan.region,
        indicator_name=indicator.name if indicator else None,
        indicator_region=indicator.region if indicator else None,
        plan_short=plan_short_name(plan.region, plan.short_names),
        task_words=(title or content) if reminder.task is not None else None,
        task_section=wording.places.get(key) if reminder.task is not None else None,
    )  # fmt: skip
    if reminder.kind == ESCALATION and leader:  # as the deliverer words it (bot.conversation.reminders)
        label += texts.leader_of_item(leader)
    return Line(
        reminder.kind, label, reminder.about_unit, reminder.workdays, reminder.deadline,
        plan=plan_short_name(plan.region, plan.short_names),
        period=texts.reported_period(indicator.report_rule if indicator else None, reminder.day.month),
    )  # fmt: skip


def sweep_command(args: argparse.Namespace, db: Database) -> str:
    """Plan the day into the outbox; send only on the embedded default (the console). With Telegram or
    Slack configured, sending is `duban run`'s: this process has no chat platform, and printing what was
    meant for a unit's chat would record it as delivered."""
    now = _sweep_time(args.today)
    calendar = WorkCalendar(calendar_overrides(db))
    report = run_sweep(db, now=now, calendar=calendar, instance=_instance())
    if report is None:
        return texts.sweep_skipped(now.astimezone(SHANGHAI).date())
    summary = texts.sweep_summary(
        report.day, report.digests, report.created.messages, report.missed, report.resent
    )
    queue_weekly_summary(db, ReminderTexts(), calendar, now)
    queue_weekly_reports(db, ReminderTexts(), calendar, now)
    configured = Settings.from_env().platforms()
    if configured:
        return "\n".join([summary, texts.sweep_planned_only(configured)])
    lines: list[str] = []
    deliverer = Deliverer(
        db,
        {},
        ReminderTexts(),
        calendar,
        clock=lambda: now,
        worker=_instance(),
        console=ConsolePort(lines.append),
    )
    if not deliverer.in_window(now):
        return "\n".join([summary, texts.OUTSIDE_WINDOW])
    stats = asyncio.run(deliverer.deliver_due())
    result = texts.delivery_summary(stats.sent, stats.throttled, stats.retried, stats.failed, stats.unbound)
    waiting = waiting_by_platform(db, available=frozenset())
    notes = [texts.waiting_for_platforms(waiting)] if waiting else []
    return "\n\n".join([*lines, summary + "\n" + result, *notes])


def log_command(args: argparse.Namespace, db: Database) -> str:
    unit = resolve_unit(db, args.unit).name if args.unit else None
    entries = delivery_log(db, unit=unit, limit=max(1, min(args.limit, 10_000)))
    if args.json:
        return json.dumps([_log_json(e) for e in entries], ensure_ascii=False, indent=2)
    rows = [
        [
            str(e.message_id),
            texts.day(e.day),
            e.recipient,
            f"{len_items(e)}",
            texts.LOG_STATUS.get(e.status, e.status) + ("（补发）" if e.catch_up else ""),
            texts.moment(e.at) if e.at else "",
            e.detail or "",
        ]
        for e in entries
    ]
    return (
        tables.render(["编号", "日期", "接收方", "事项", "状态", "时间", "说明"], rows)
        if rows
        else texts.NO_ROWS
    )


def len_items(entry: LogEntry) -> str:
    return str(entry.items) if entry.kind == DIGEST else "通知"


def _log_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "message": entry.message_id,
        "date": entry.day.isoformat(),
        "kind": entry.kind,
        "recipient": entry.recipient,
        "status": entry.status,
        "at": entry.at.astimezone(SHANGHAI).isoformat() if entry.at else None,
        "target": entry.target,
        "items": entry.items,
        "catch_up": entry.catch_up,
        "detail": entry.detail,
    }


def _sweep_time(today: str | None) -> datetime:
    if today is None:
        return datetime.now(SHANGHAI)
    return datetime.combine(parse_day(today, texts.BAD_SWEEP_DAY, "--today"), time(9), SHANGHAI)


def _instance() -> str:
    return f"cli:{socket.gethostname()}:{os.getpid()}"
