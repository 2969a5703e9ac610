"""`duban ask` and `duban chat`: the conversation core on the command line."""

from __future__ import annotations

import argparse
import gc
import json
import sys
import traceback
import uuid
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from bot.cli.days import check_day, parse_day
from bot.cli.settings import Settings
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_ADMIN, LOCAL_PLATFORM, LOCAL_TZ, Inbound, message_key
from bot.transports.console_transport import run_console
from store.db import Database, is_busy
from store.errors import StoreError

_NOON = time(12, 0)  # a --today question is asked at noon, well inside the working day
# A line's message id is kept as "<user>:<message_id>" where the store keeps 100 characters.
MAX_ID_CHARS = 40


def ask_command(args: argparse.Namespace, db: Database) -> str | int:
    today = _parse_today(args.today, texts.BAD_TODAY)
    settings = Settings.from_env()
    knowledge = Knowledge(db, evidence=settings.evidence_files(), imports=settings.imports_folder())
    core = Core(knowledge, public_read=settings.public_read)
    if args.jsonl:
        return _answer_lines(core, today)
    if args.text is None:
        raise StoreError("请给出消息内容，例如：duban ask 鼓楼专利授权量进度")
    replies = core.handle(_inbound(args.text, args.user, today, "1"))
    return "\n".join(reply.text for reply in replies)


def chat_command(args: argparse.Namespace, db: Database) -> int:
    today = _parse_today(args.today, texts.BAD_TODAY)
    settings = Settings.from_env()
    knowledge = Knowledge(db, evidence=settings.evidence_files(), imports=settings.imports_folder())
    core = Core(knowledge, public_read=settings.public_read)
    gc.freeze()  # start-up's objects live as long as the session: no collection walks them again
    run_console(core, user=args.user, clock=lambda: _moment(today))
    return 0


def _answer_lines(core: Core, default_today: date | None) -> int:
    """One JSON object per input line; a bad line gets an error object and the rest still run."""
    status = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            text, user, today = _read_line(line, default_today)
            at, message_id = _timing(line, today)
        except ValueError as exc:
            status = 2
            _emit({"reply": texts.bad_jsonl_line(number, str(exc)), "intent": "invalid_input"})
            continue
        inbound = _inbound(text, user, today, str(number))
        # A given id is the sender's own, as in a chat: the same id from two people is two messages.
        given = message_key(inbound.chat_id, message_id) if message_id else None
        inbound = replace(inbound, at=at or inbound.at, message_id=given or inbound.message_id)
        try:
            replies = core.handle(inbound)
        except Exception as exc:  # one line's failure must not cost the lines after it their answers
            status = 2
            _emit(_failed(number, exc))
            continue
        _emit({"reply": "\n".join(r.text for r in replies), "intent": replies[0].intent if replies else None})
    return status


def _failed(number: int, exc: Exception) -> dict[str, Any]:
    """The answer to a line the core failed on; a busy database is said as such, anything else is a bug
    whose traceback goes to standard error."""
    if is_busy(exc):
        return {"reply": texts.DB_BUSY, "intent": "busy"}
    print(texts.bad_jsonl_line(number, texts.LINE_FAILED), file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)
    return {"reply": texts.LINE_FAILED, "intent": "error"}


def _read_line(line: str, default_today: date | None) -> tuple[str, str, date | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise ValueError(texts.JSONL_NOT_JSON) from None
    if not isinstance(record, dict):
        raise ValueError(texts.JSONL_NOT_JSON)
    text, user = record.get("text"), record.get("user", LOCAL_ADMIN)
    if not isinstance(text, str):
        raise ValueError(texts.JSONL_NO_TEXT)
    if isinstance(user, int) and not isinstance(user, bool):
        user = str(user)
    if not isinstance(user, str) or not user:
        raise ValueError(texts.JSONL_BAD_USER)
    if len(user) > MAX_ID_CHARS:
        raise ValueError(texts.jsonl_too_long("user", MAX_ID_CHARS))
    today = record.get("today")
    parsed = (
        _parse_today(today, texts.JSONL_BAD_TODAY, "字段 today", ValueError)
        if today is not None
        else default_today
    )
    return text, user, parsed


def _timing(line: str, today: date | None) -> tuple[datetime | None, str | None]:
    """Optional "at" ("HH:MM" on the line's day, or an ISO time; Shanghai unless it says otherwise) and
    "message_id" (a platform message id: the same id twice is one redelivered message)."""
    record = json.loads(line)
    at, message_id = record.get("at"), record.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not message_id.strip()):
        raise ValueError(texts.JSONL_BAD_MESSAGE_ID)
    if message_id is not None and len(message_id) > MAX_ID_CHARS:
        raise ValueError(texts.jsonl_too_long("message_id", MAX_ID_CHARS))
    if at is None:
        return None, message_id
    try:
        moment = (
            datetime.combine(today or datetime.now(LOCAL_TZ).date(), time.fromisoformat(str(at)))
            if len(str(at)) <= 8
            else datetime.fromisoformat(str(at))
        )
    except ValueError:
        raise ValueError(texts.JSONL_BAD_AT) from None
    check_day(moment.date(), "字段 at", ValueError)
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)), message_id


def _parse_today(
    value: Any, message: str, what: str = "--today", error: type[Exception] = StoreError
) -> date | None:
    return None if value is None else parse_day(value, message, what, error)


def _inbound(text: str, user: str, today: date | None, message_id: str) -> Inbound:
    # Message ids must stay unique across runs: reports recorded from them are deduplicated by id.
    return Inbound(
        LOCAL_PLATFORM, user, user, text, _moment(today), message_id=f"{uuid.uuid4().hex}-{message_id}"
    )


def _moment(today: date | None) -> datetime:
    return datetime.combine(today, _NOON, LOCAL_TZ) if today else datetime.now(LOCAL_TZ)


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False), flush=True)
