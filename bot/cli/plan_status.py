"""`duban plans archive|restore PLAN`: the office's own word on a plan's status, recorded in the ledger."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from bot.cli.admin import cli_actor
from bot.cli.days import parse_day
from bot.conversation import texts
from schedules.calendar import SHANGHAI
from store.catalog_queries import resolve_plan
from store.db import Database
from store.plan_status import SetStatus, set_plan_status


def archive_command(args: argparse.Namespace, db: Database) -> str:
    """From --from (default today) the plan chases no more; its office is asked once for the closing
    report by the next sweep."""
    return _set(args, db, "archived")


def restore_command(args: argparse.Namespace, db: Database) -> str:
    return _set(args, db, "in_force")


def _set(args: argparse.Namespace, db: Database, status: SetStatus) -> str:
    now = datetime.now(SHANGHAI)
    plan = resolve_plan(db, args.plan)
    effective = _effective_day(getattr(args, "start", None), now)
    set_plan_status(
        db, plan=plan.code, status=status, effective_on=effective, note=args.note, actor=cli_actor(), at=now
    )
    if status == "archived":
        return texts.plan_archived(plan.title, effective)
    return texts.plan_restored(plan.title, effective)


def _effective_day(value: str | None, now: datetime) -> date:
    if value is None:
        return now.date()
    return parse_day(value, texts.BAD_STATUS_DAY, "--from")
