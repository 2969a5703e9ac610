"""`duban calendar` (working-day overrides) and `duban chats` (where each unit's reminders go)."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from bot.cli import tables
from bot.cli.admin import cli_actor
from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ
from store.calendar_overrides import list_overrides, set_override
from store.catalog_queries import resolve_unit
from store.db import Database
from store.errors import StoreError
from store.reminder_chats import Target, bind_unit_chat, unit_chats


def set_day_command(args: argparse.Namespace, db: Database) -> str:
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise StoreError(texts.BAD_CALENDAR_DAY) from None
    set_override(db, day=day, workday=bool(args.workday), note=args.note, actor=cli_actor(), at=_now())
    return texts.calendar_set(day, bool(args.workday))


def list_days_command(args: argparse.Namespace, db: Database) -> str:
    rows = [
        [texts.day(o.day), "工作日" if o.workday else "休息日", o.note, o.actor, texts.moment(o.recorded_at)]
        for o in list_overrides(db)
    ]
    return tables.render(["日期", "设为", "说明", "设置人", "时间"], rows) if rows else texts.NO_ROWS


def bind_chat_command(args: argparse.Namespace, db: Database) -> str:
    unit = resolve_unit(db, args.unit).name
    chat = str(args.chat).strip()
    # Telegram gives groups and channels negative ids: those are paced as groups even without --group.
    group = bool(args.group) or (args.platform == "telegram" and chat.startswith("-"))
    target = Target(args.platform, chat, group)
    if not target.chat_id:
        raise StoreError(texts.BAD_CHAT_ID)
    bind_unit_chat(db, unit=unit, target=target, member_id=None, actor=cli_actor(), at=_now())
    return texts.chat_bound_cli(unit, str(target))


def unbind_chat_command(args: argparse.Namespace, db: Database) -> str:
    unit = resolve_unit(db, args.unit).name
    current = unit_chats(db).get(unit)
    if current is None:
        return texts.no_reminder_chat(unit)
    bind_unit_chat(
        db, unit=unit, target=current, member_id=None, actor=cli_actor(), at=_now(), action="unbound"
    )
    return texts.chat_unbound(unit)


def list_chats_command(args: argparse.Namespace, db: Database) -> str:
    rows = [
        [unit, str(target), "群聊" if target.is_group else "私聊"]
        for unit, target in sorted(unit_chats(db).items())
    ]
    return tables.render(["单位", "聊天", "类型"], rows) if rows else texts.NO_ROWS


def _now() -> datetime:
    return datetime.now(LOCAL_TZ)
