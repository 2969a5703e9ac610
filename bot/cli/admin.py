"""`duban users add|list|remove` and `duban invite`: who may use the bot, from the command line."""

from __future__ import annotations

import argparse
import getpass
import json
import re
from dataclasses import asdict
from datetime import datetime, timedelta

from bot.conversation import texts
from bot.conversation.messages import LOCAL_PLATFORM, LOCAL_TZ
from store.catalog_queries import resolve_unit
from store.db import Database
from store.errors import StoreError
from store.members import ROLES, add_member, create_invite, list_members, remove_member

_DURATION = re.compile(r"(\d{1,4})\s*([mhdw])")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def platform_user(user: str) -> tuple[str, str]:
    """ "telegram:123" names a Telegram user; a bare name is a user of this machine's `duban ask/chat`."""
    platform, colon, user_id = user.partition(":")
    return (platform.strip().lower(), user_id.strip()) if colon else (LOCAL_PLATFORM, user.strip())


def add_user_command(args: argparse.Namespace, db: Database) -> str:
    role = _role(args.role)
    platform, user_id = platform_user(args.id)
    if not user_id.strip() or not platform.strip():
        raise StoreError(texts.EMPTY_USER_ID)
    if not args.name.strip():
        raise StoreError(texts.EMPTY_USER_NAME)
    resolve_unit(db, args.unit)  # an empty or unknown name stops here, with close matches
    member = add_member(
        db, platform=platform, user_id=user_id, display_name=args.name, unit=args.unit, role=role,
        at=_now(), actor=cli_actor(),
    )  # fmt: skip
    return texts.member_added(member.display_name, member.unit, member.role)


def list_users_command(args: argparse.Namespace, db: Database) -> str:
    members = list_members(db)
    if args.json:
        return json.dumps([asdict(m) for m in members], ensure_ascii=False, default=str, indent=2)
    lines = [texts.member_line(m.platform, m.user_id, m.display_name, m.unit, m.role) for m in members]
    return "\n".join(lines) or texts.NO_ROWS


def remove_user_command(args: argparse.Namespace, db: Database) -> str:
    platform, user_id = platform_user(args.id)
    try:
        member = remove_member(db, platform=platform, user_id=user_id, at=_now(), actor=cli_actor())
    except StoreError:
        raise StoreError(texts.no_member(args.id)) from None
    return texts.member_removed(member.display_name)


def invite_command(args: argparse.Namespace, db: Database) -> str:
    role, lifetime, now = _role(args.role), _duration(args.expires), _now()
    invite = create_invite(
        db, unit=args.unit, role=role, expires_at=now + lifetime, at=now, actor=cli_actor()
    )
    expires = invite.expires_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return (
        texts.invite_created(invite.unit, invite.role, expires) + "\n" + invite.code
    )  # the code alone, last


def _role(value: str) -> str:
    if value not in ROLES:
        raise StoreError(texts.BAD_ROLE)
    return value


def _duration(value: str) -> timedelta:
    found = _DURATION.fullmatch(value.strip().lower())
    if found is None or int(found.group(1)) == 0:
        raise StoreError(texts.BAD_EXPIRES)
    return int(found.group(1)) * _UNITS[found.group(2)]


def _now() -> datetime:
    return datetime.now(LOCAL_TZ)


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"
