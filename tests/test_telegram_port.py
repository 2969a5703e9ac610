"""Reminder delivery through the real python-telegram-bot client against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fakes.telegram_server import FakeTelegram
from telegram import Bot

from bot.transports.telegram_port import TelegramPort, split_text
from schedules.port import Outgoing
from store.reminder_chats import Target

TOKEN = "123456789:TEST-token"
# PTB 22 warns from RetryAfter's constructor that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def port() -> AsyncIterator[tuple[FakeTelegram, TelegramPort]]:
    async with FakeTelegram() as server, Bot(TOKEN, base_url=server.base_url) as bot:
        yield server, TelegramPort(bot)


async def test_a_digest_goes_with_its_acknowledgement_button(port: tuple[FakeTelegram, TelegramPort]) -> None:
    server, telegram = port
    result = await telegram.send(Outgoing(Target("telegram", "42"), "【督办提醒】…", (("收到", "ack:7"),)))
    assert result.status == "sent" and result.platform_message_id
    sent = server.sent[0]
    assert (sent.chat_id, sent.text) == ("42", "【督办提醒】…")
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "收到", "callback_data": "ack:7"}]]}


async def test_429_403_and_500_become_throttled_blocked_and_error(
    port: tuple[FakeTelegram, TelegramPort],
) -> None:
    server, telegram = port
    server.fail_next("1", 429, retry_after=3)
    server.fail_next("2", 403, "Forbidden: bot was blocked by the user")
    server.fail_next("3", 500)
    outcomes = [await telegram.send(Outgoing(Target("telegram", chat), "x")) for chat in ("1", "2", "3")]
    assert [o.status for o in outcomes] == ["throttled", "blocked", "error"]
    assert outcomes[0].retry_after == 3
    assert "blocked by the user" in outcomes[1].detail
    assert server.sent == []


async def test_a_long_digest_is_split_on_lines_with_the_button_last(
    port: tuple[FakeTelegram, TelegramPort],
) -> None:
    server, telegram = port
    text = "\n".join(
        f"{n}. 任务{n}已逾期 3 个工作日（时限 2025-08-31），请尽快办结并报送" for n in range(1, 200)
    )
    await telegram.send(Outgoing(Target("telegram", "9"), text, (("收到", "ack:1"),)))
    assert len(server.sent) > 1 and all(len(m.text) <= 4096 for m in server.sent)
    assert "\n".join(m.text for m in server.sent) == text
    assert [m.reply_markup is not None for m in server.sent] == [False] * (len(server.sent) - 1) + [True]


def test_split_text_keeps_lines_whole_and_cuts_only_an_overlong_line() -> None:
    assert split_text("a\nb\nc", limit=3) == ["a\nb", "c"]
    assert split_text("abcdefg", limit=3) == ["abc", "def", "g"]
    assert split_text("") == [""]
