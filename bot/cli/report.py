"""`duban report weekly [--plan P] [--today D]`: the weekly 通报, worded as the supervising office gets it."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.days import parse_day
from bot.conversation import texts
from bot.conversation.reminders import ReminderTexts
from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.weekly import SENT_AT
from schedules.weekly_notice import weekly_reports
from store.calendar_overrides import calendar_overrides
from store.catalog_queries import resolve_plan
from store.db import Database
from store.weekly import WeeklyPlan, weekly_plans


def weekly_command(args: argparse.Namespace, db: Database) -> str:
    """Each plan's 通报 (or the one named) as of now, or as of --today's 09:00 as the bot would send it."""
    now = _moment(args.today)
    plans = _plans(db, args.plan)
    if not plans:
        return texts.WEEKLY_NO_TASKS
    calendar = WorkCalendar(calendar_overrides(db))
    wording = ReminderTexts()
    return "\n\n".join(wording.weekly_report(r) for r in weekly_reports(db, calendar, now=now, plans=plans))


def _plans(db: Database, name: str | None) -> list[WeeklyPlan]:
    """Every plan, or the one named: by its code at once, else by title or region (福州, 鼓楼), which reads
    every plan (seconds on a national catalog) and suggests the closest names when none matches."""
    if name is None:
        return weekly_plans(db)
    return weekly_plans(db, [name]) or weekly_plans(db, [resolve_plan(db, name).code])


def _moment(today: str | None) -> datetime:
    if today is None:
        return datetime.now(SHANGHAI)
    return datetime.combine(parse_day(today, texts.WEEKLY_BAD_DAY, "--today"), SENT_AT, SHANGHAI)
