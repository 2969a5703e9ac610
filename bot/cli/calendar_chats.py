"""`duban calendar` (working-day overrides) and `duban chats` (where each unit's reminders go)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from bot.cli import tables
from bot.cli.admin import _actor
from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ
from store.calendar_overrides import list_overrides, set_override
from store.catalog_queries import resolve_unit
from store.db import Database
from store.errors import StoreError
from store.outbox import Target, bind_unit_chat, unit_chats

PLATFORMS = ("telegram", "slack", "console", "local")


def add_calendar_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    calendar = commands.add_parser("calendar", help="工作日调整（法定节假日以外的放假或补班）")
    actions = calendar.add_subparsers(dest="action", required=True)
    setting = actions.add_parser("set", parents=[db_option], help="把某天设为工作日或休息日")
    setting.add_argument("day", help="日期 YYYY-MM-DD")
    kind = setting.add_mutually_exclusive_group(required=True)
    kind.add_argument("--workday", action="store_true", help="设为工作日（如补班）")
    kind.add_argument("--holiday", action="store_true", help="设为休息日")
    setting.add_argument("--note", default="", help="说明，如“2027年春节调休”")
    setting.set_defaults(handler=_set_day)
    listing = actions.add_parser("list", parents=[db_option], help="列出已设的调整")
    listing.set_defaults(handler=_list_days)

    chats = commands.add_parser("chats", help="各单位接收提醒的聊天")
    chat_actions = chats.add_subparsers(dest="action", required=True)
    bind = chat_actions.add_parser("bind", parents=[db_option], help="指定单位接收提醒的聊天")
    bind.add_argument("--unit", required=True, help="单位，可用简称")
    bind.add_argument("--platform", required=True, choices=PLATFORMS)
    bind.add_argument("--chat", required=True, help="聊天 ID（Telegram 群为负数，Slack 频道如 C0123）")
    bind.add_argument("--group", action="store_true", help="这是群聊（发送频率按群限制）")
    bind.set_defaults(handler=_bind)
    unbind = chat_actions.add_parser("unbind", parents=[db_option], help="取消单位的提醒聊天")
    unbind.add_argument("--unit", required=True)
    unbind.set_defaults(handler=_unbind)
    listing = chat_actions.add_parser("list", parents=[db_option], help="列出各单位的提醒聊天")
    listing.set_defaults(handler=_list_chats)


def _set_day(args: argparse.Namespace, db: Database) -> str:
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise StoreError(texts.BAD_CALENDAR_DAY) from None
    set_override(db, day=day, workday=bool(args.workday), note=args.note, actor=_actor(), at=_now())
    return texts.calendar_set(day, bool(args.workday))


def _list_days(args: argparse.Namespace, db: Database) -> str:
    rows = [
        [texts.day(o.day), "工作日" if o.workday else "休息日", o.note, o.actor, texts.moment(o.recorded_at)]
        for o in list_overrides(db)
    ]
    return tables.render(["日期", "设为", "说明", "设置人", "时间"], rows) if rows else texts.NO_ROWS


def _bind(args: argparse.Namespace, db: Database) -> str:
    unit = resolve_unit(db, args.unit).name
    chat = str(args.chat).strip()
    # Telegram gives groups and channels negative ids: those are paced as groups even without --group.
    group = bool(args.group) or (args.platform == "telegram" and chat.startswith("-"))
    target = Target(args.platform, chat, group)
    if not target.chat_id:
        raise StoreError(texts.BAD_CHAT_ID)
    bind_unit_chat(db, unit=unit, target=target, member_id=None, actor=_actor(), at=_now())
    return texts.chat_bound_cli(unit, str(target))


def _unbind(args: argparse.Namespace, db: Database) -> str:
    unit = resolve_unit(db, args.unit).name
    current = unit_chats(db).get(unit)
    if current is None:
        return texts.no_reminder_chat(unit)
    bind_unit_chat(db, unit=unit, target=current, member_id=None, actor=_actor(), at=_now(), action="unbound")
    return texts.chat_unbound(unit)


def _list_chats(args: argparse.Namespace, db: Database) -> str:
    rows = [
        [unit, str(target), "群聊" if target.is_group else "私聊"]
        for unit, target in sorted(unit_chats(db).items())
    ]
    return tables.render(["单位", "聊天", "类型"], rows) if rows else texts.NO_ROWS


def _now() -> datetime:
    return datetime.now(LOCAL_TZ)
