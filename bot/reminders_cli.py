"""`duban reminders --from DATE --to DATE [--json]`: what the sweep would send; a dry run, writes nothing."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from typing import Any

from bot import texts
from bot.knowledge import Catalog
from schedules.calendar import WorkCalendar
from schedules.plan import Digest, Reminder, digests, plan_day
from schedules.sources import open_items
from store.db import Database
from store.errors import StoreError

MAX_DAYS = 400


def add_reminder_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    reminders = commands.add_parser(
        "reminders", parents=[db_option], help="预览某段日期内将发送的提醒（不写入）"
    )
    reminders.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
    reminders.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD")
    reminders.add_argument("--json", action="store_true", help="输出 JSON 数组，每条消息一个对象")
    reminders.set_defaults(handler=reminders_command)


def reminders_command(args: argparse.Namespace, db: Database) -> str:
    start, end = _range(args.start, args.end)
    catalog = Catalog.load(db)
    tasks, indicators = open_items(db)
    calendar = WorkCalendar()
    planned: list[Digest] = []
    day = start
    while day <= end:
        planned.extend(digests(plan_day(day, tasks, indicators, calendar)))
        day += timedelta(days=1)
    messages = [_message(d, catalog) for d in planned]
    if args.json:
        return json.dumps(messages, ensure_ascii=False, indent=2)
    return "\n\n".join(m["text"] for m in messages) or texts.NO_ROWS


def _range(start: str, end: str) -> tuple[date, date]:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise StoreError(texts.BAD_REMINDER_RANGE) from None
    if first > last or (last - first).days > MAX_DAYS:
        raise StoreError(texts.BAD_REMINDER_RANGE)
    return first, last


def _message(digest: Digest, catalog: Catalog) -> dict[str, Any]:
    items = [_item(r) for r in digest.items]
    lines = [_line(r, catalog) for r in digest.items]
    return {
        "date": digest.day.isoformat(),
        "unit": digest.unit,
        "items": items,
        "text": texts.digest(digest.unit, digest.day, lines),
    }


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


def _line(reminder: Reminder, catalog: Catalog) -> str:
    if reminder.indicator is not None:
        indicator = catalog.indicators[f"{reminder.plan}:{reminder.indicator}"]
        label = f"【{indicator.region}】{indicator.name}"
    else:
        numbered = catalog.plans[reminder.plan].code
        label = (
            f"任务{reminder.task}"
            if _numbered(catalog, numbered)
            else f"{catalog.plans[reminder.plan].region}第{reminder.task}项"
        )
    return texts.REMINDER_LINES[reminder.kind].format(
        label=label,
        about=reminder.about_unit or "",
        workdays=reminder.workdays,
        deadline=texts.day(reminder.deadline) if reminder.deadline else "",
    )


def _numbered(catalog: Catalog, plan: str) -> bool:
    """Plans whose tasks have no titles are numbered by 任务N (see Catalog.names)."""
    return not any(t.title for t in catalog.tasks.values() if t.plan == plan)
