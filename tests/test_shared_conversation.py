"""One conversation table through the console, Telegram and Slack transports: the same replies on all three.

The core decides every reply; a transport that changed one (dropped a line, lost the conversation's subject,
mangled a symbol) would show here. Each row is a turn of one admin's conversation, in order (follow-ups lean
on the turns before them), with the start of the reply the table expects; the three transports must then
agree to the character.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fakes.slack_events import Slack, dm, dm_event
from fakes.slack_server import DEFAULT_TOKEN, FakeSlack
from fakes.telegram_server import FakeTelegram

from bot.conversation.core import Core
from bot.conversation.dispatch import Dispatcher
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_ADMIN, LOCAL_TZ
from bot.transports.config import SlackSettings, TelegramSettings
from bot.transports.console_transport import run_console
from bot.transports.slack_transport import SlackTransport
from bot.transports.telegram_transport import TelegramTransport
from store.db import Database
from store.members import add_member

NOW = datetime(2025, 9, 22, 10, 0, tzinfo=LOCAL_TZ)  # a Monday morning
TOKEN = "123456789:SHARED-table-token"
SECRET = "sharedTableSigningSecret0123456789"
TG_USER = 9001
SLACK_USER = "U0SHARED1"

TABLE: tuple[tuple[str, str], ...] = (
    ("鼓楼专利授权量进度", "【鼓楼区】年专利授权量"),
    ("那商标申请呢", "【鼓楼区】商标申请数量"),  # follows the subject of the turn before
    ("市检察院有哪些任务", "市检察院承担的任务共 3 项"),
    ("任务25谁负责", "任务25的责任单位：市检察院"),
    ("下个月到期的任务", ""),
    ("逾期任务", ""),
    ("/tasks 市检察院", "市检察院承担的任务共 3 项"),
    ("/progress", "【福州市】《福州市国家知识产权保护示范区建设方案》共 14 项指标"),
    ("先行所的目标是多少", "【福州市】建成知识产权行政保护先行所"),
    ("任务18已完成", "请确认以下上报：\n任务18："),  # a report: the preview, with 确认/取消 buttons
    ("取消", "已取消，未记录任何内容。"),
    ("收到", "目前没有需要确认的督办提醒。"),
    ("@@@###", "抱歉，我没有理解这个问题。"),
    ("/help", "可以这样问："),
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def dispatcher(db: Database) -> Iterator[Dispatcher]:
    """Admins of no unit on Telegram and Slack, as the console's local operator is."""
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    for platform, user in (("telegram", str(TG_USER)), ("slack", SLACK_USER)):
        add_member(
            db, platform=platform, user_id=user, display_name="陈督办", unit=None, role="admin", at=joined
        )
    dispatcher = Dispatcher(Core(Knowledge(db)))
    yield dispatcher
    dispatcher.close()


def on_console(dispatcher: Dispatcher) -> list[str]:
    turns = iter(text for text, _ in TABLE)
    written: list[str] = []

    def read(_prompt: str) -> str:
        line = next(turns, None)
        if line is None:
            raise EOFError
        return line

    run_console(dispatcher.core, user=LOCAL_ADMIN, read=read, write=written.append, clock=lambda: NOW)
    return written[1:-2]  # without the welcome, and the blank line and 再见 at the end


async def on_telegram(dispatcher: Dispatcher) -> list[str]:
    async with FakeTelegram(token=TOKEN) as fake:
        transport = TelegramTransport(
            TelegramSettings(TOKEN, base_url=fake.base_url), dispatcher, clock=lambda: NOW
        )
        await transport.start()
        try:
            for number, (text, _) in enumerate(TABLE, 1):
                fake.queue_update({"message": _telegram_message(number, text)})
                await fake.wait_for(lambda n=number: len(fake.sent) >= n, timeout=30)  # type: ignore[misc]
        finally:
            await transport.stop()
        return [m.text for m in fake.sent]


def _telegram_message(number: int, text: str) -> dict[str, Any]:
    return {
        "message_id": number,
        "date": int(NOW.timestamp()),
        "chat": {"id": TG_USER, "type": "private", "first_name": "陈督办"},
        "from": {"id": TG_USER, "is_bot": False, "first_name": "陈督办"},
        "text": text,
    }


async def on_slack(dispatcher: Dispatcher) -> list[str]:
    with FakeSlack() as fake:
        settings = SlackSettings(DEFAULT_TOKEN, None, SECRET, fake.base_url, ("127.0.0.1", 0))
        transport = SlackTransport(settings, dispatcher, clock=lambda: NOW)
        await transport.start()
        try:
            assert transport.http_url is not None
            events, ids = Slack(transport.http_url, SECRET), itertools.count(1)
            for text, _ in TABLE:
                number = next(ids)
                status, _body = await events.event(dm_event(SLACK_USER, text, number), event_id=f"Ev{number}")
                assert status == 200
                await transport.drain()  # the reply is posted after the event was acknowledged
        finally:
            await transport.stop()
        # What people read: the message's sections (the plain `text` fallback escapes &, < and >).
        return [
            "\n".join(b["text"]["text"] for b in m.blocks or [] if b["type"] == "section")
            for m in fake.posted
            if m.channel == dm(SLACK_USER)
        ]


@pytest.fixture
async def replies(dispatcher: Dispatcher) -> AsyncIterator[dict[str, list[str]]]:
    console = await asyncio.to_thread(on_console, dispatcher)
    yield {"console": console, "telegram": await on_telegram(dispatcher), "slack": await on_slack(dispatcher)}


async def test_the_table_gives_the_same_replies_on_console_telegram_and_slack(
    replies: dict[str, list[str]],
) -> None:
    console = replies["console"]
    assert len(console) == len(TABLE)
    for (text, expected), reply in zip(TABLE, console, strict=True):
        assert reply.startswith(expected), f"{text!r} → {reply[:80]!r}"
    for transport in ("telegram", "slack"):
        for (text, _), ours, theirs in zip(TABLE, console, replies[transport], strict=True):
            assert theirs == ours, f"{transport} answered {text!r} differently"
