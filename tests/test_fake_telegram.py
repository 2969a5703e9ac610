"""The fake Telegram Bot API server, driven by the real python-telegram-bot client over 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import signal
import sys
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakes.telegram_server import FakeTelegram
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import EndPointNotFound, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from schedules.limits import Limit, TransportLimits

TOKEN = "123456789:TEST-token"
SERVER_SCRIPT = Path(__file__).resolve().parent / "fakes" / "telegram_server.py"

# PTB 22.x warns that RetryAfter.retry_after will become a timedelta; the exception reads it itself.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` as seconds: an int in PTB 22.x by default, a timedelta with PTB_TIMEDELTA=true."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url) as client:
        yield client


async def test_get_me(server: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "duban_test_bot"
    assert server.port > 0 and server.base_url == f"http://127.0.0.1:{server.port}/bot"
    # PTB joins base_url + token + "/" + method.
    assert server.calls[0][0] == "getMe"


async def test_send_message_is_recorded_with_its_keyboard(server: FakeTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确认完成", callback_data="done:41"),
                InlineKeyboardButton("申请延期", callback_data="delay:41"),
            ]
        ]
    )
    first = await bot.send_message(chat_id=42, text="任务41 今天到期", reply_markup=markup)
    second = await bot.send_message(chat_id="-100777", text="群通知")
    assert second.message_id == first.message_id + 1
    assert first.chat.id == 42 and first.chat.type == "private"
    assert second.chat.type == "supergroup"
    assert first.text == "任务41 今天到期"
    assert first.reply_markup == markup
    assert [(m.chat_id, m.text) for m in server.sent] == [("42", "任务41 今天到期"), ("-100777", "群通知")]
    assert server.sent[0].reply_markup == {
        "inline_keyboard": [
            [
                {"text": "确认完成", "callback_data": "done:41"},
                {"text": "申请延期", "callback_data": "delay:41"},
            ]
        ]
    }
    assert server.sent[1].reply_markup is None
    assert server.sent[0].message_id == first.message_id
    assert server.sent[0].at <= time.monotonic()


async def test_edit_and_answer_callback(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(chat_id=42, text="待确认")
    assert await bot.answer_callback_query("cbq-1", text="已记录") is True
    edited = await bot.edit_message_text("已确认", chat_id=42, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "已确认" and edited.message_id == sent.message_id
    assert server.callback_answers[0]["callback_query_id"] == "cbq-1"
    assert [(m.chat_id, m.message_id, m.text) for m in server.edited] == [("42", sent.message_id, "已确认")]
    assert len(server.sent) == 1


async def test_scripted_429_raises_retry_after(server: FakeTelegram, bot: Bot) -> None:
    server.fail_next("42", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=42, text="x")
    assert retry_after_seconds(caught.value) == 3
    assert server.sent == [] and server.failures_served == 1
    await bot.send_message(chat_id=42, text="x")  # only the next one failed
    assert len(server.sent) == 1


async def test_scripted_403_raises_forbidden(server: FakeTelegram, bot: Bot) -> None:
    server.fail_next(7, 403, "Forbidden: bot was blocked by the user", times=2)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(chat_id=7, text="x")
    await bot.send_message(chat_id=8, text="other chats are fine")
    await bot.send_message(chat_id=7, text="and then it recovers")
    assert [m.chat_id for m in server.sent] == ["8", "7"]


async def test_scripted_500_is_a_network_error(server: FakeTelegram, bot: Bot) -> None:
    server.fail_next("9", 500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(chat_id=9, text="x")


async def test_unknown_method_is_a_telegram_404(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})


async def test_get_updates_returns_and_consumes_queued_updates(server: FakeTelegram, bot: Bot) -> None:
    server.queue_update(
        {
            "message": {
                "message_id": 1,
                "date": 1_760_000_000,
                "chat": {"id": 42, "type": "private", "first_name": "王"},
                "from": {"id": 42, "is_bot": False, "first_name": "王"},
                "text": "/start",
            }
        }
    )
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 1 and isinstance(updates[0], Update)
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].effective_chat is not None and updates[0].effective_chat.id == 42
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_get_updates_honours_offset(server: FakeTelegram, bot: Bot) -> None:
    ids = [server.queue_update({"callback_query": _callback(n)}) for n in range(3)]
    updates = await bot.get_updates(offset=ids[1], timeout=0)
    assert [u.update_id for u in updates] == ids[1:]
    assert updates[0].callback_query is not None and updates[0].callback_query.data == "done:1"


async def test_long_poll_wakes_as_soon_as_an_update_is_queued(server: FakeTelegram, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, server.queue_update, {"callback_query": _callback(5)})
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    assert time.monotonic() - started < 2.0
    assert len(updates) == 1 and updates[0].callback_query is not None


async def test_limits_turn_a_second_message_to_the_same_chat_into_429() -> None:
    async with (
        FakeTelegram(limits=TransportLimits(per_chat=Limit(1, 1.0))) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        await bot.send_message(chat_id=42, text="one")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat_id=42, text="two")
        assert retry_after_seconds(caught.value) == 1
        await bot.send_message(chat_id=43, text="another chat goes through")
        assert [m.text for m in server.sent] == ["one", "another chat goes through"]
        assert server.rejected == 1


async def test_group_and_overall_limits_on_a_fake_clock() -> None:
    clock = FakeClock()
    limits = TransportLimits(per_group=Limit(2, 60.0), overall=Limit(3, 1.0))
    async with (
        FakeTelegram(limits=limits, group_chats={"team"}, clock=clock) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        await bot.send_message(chat_id="team", text="1")
        clock.now += 0.5
        await bot.send_message(chat_id="team", text="2")
        clock.now += 0.25
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat_id="team", text="3")
        assert (
            retry_after_seconds(caught.value) == 60
        )  # 59.25 s until the first leaves the minute, rounded up
        await bot.send_message(chat_id=1, text="private")  # the overall limit still has room for a third
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat_id=2, text="private")
        assert retry_after_seconds(caught.value) == 1  # 0.25 s, rounded up to a whole second
        clock.now += 0.25
        await bot.send_message(chat_id=2, text="private")
        assert server.rejected == 2
        assert [m.at - 5000.0 for m in server.sent] == [0.0, 0.5, 0.75, 1.0]


async def test_raw_http_json_body_keep_alive_and_errors(server: FakeTelegram) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for text in ("第一", "第二"):  # two requests on one connection
            body = json.dumps({"chat_id": 5, "text": text, "reply_markup": {"inline_keyboard": []}}).encode()
            writer.write(
                f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            status, payload = await _read_response(reader)
            assert status == 200 and payload["result"]["text"] == text
        writer.write(f"GET /bot{TOKEN}/nope HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        status, payload = await _read_response(reader)
        assert status == 404
        assert payload == {"ok": False, "error_code": 404, "description": "Not Found"}
        writer.write(f"GET /bot{TOKEN}/sendMessage?chat_id=5 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        status, payload = await _read_response(reader)
        assert status == 400 and payload["description"] == "Bad Request: message text is empty"
    finally:
        writer.close()
    assert [m.text for m in server.sent] == ["第一", "第二"]
    assert server.sent[0].reply_markup == {"inline_keyboard": []}


async def test_record_file_gets_one_line_per_accepted_message(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    async with (
        FakeTelegram(limits=TransportLimits(per_chat=Limit(1, 60.0)), record_path=record) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        await bot.send_message(chat_id=1, text="甲")
        lines = record.read_text(encoding="utf-8").splitlines()  # flushed at once
        assert len(lines) == 1
        with pytest.raises(RetryAfter):
            await bot.send_message(chat_id=1, text="乙")
        await bot.send_message(chat_id=2, text="丙")
    rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [(r["chat_id"], r["text"]) for r in rows] == [("1", "甲"), ("2", "丙")]
    assert rows[0]["message_id"] == 1 and isinstance(rows[0]["at"], float)


async def test_runs_as_a_separate_process(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SERVER_SCRIPT),
        "--port",
        "0",
        "--limits",
        "telegram",
        "--record",
        str(record),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        assert first.startswith("PORT ")
        port = int(first.split()[1])
        async with Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot") as bot:
            await bot.send_message(chat_id=42, text="hello")
            with pytest.raises(RetryAfter):
                await bot.send_message(chat_id=42, text="too soon")
        assert json.loads(record.read_text(encoding="utf-8"))["text"] == "hello"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    assert "accepted 1 rejected 1" in stderr.decode()


def _callback(n: int) -> dict[str, object]:
    return {
        "id": f"cbq-{n}",
        "from": {"id": 42, "is_bot": False, "first_name": "王"},
        "chat_instance": "ci",
        "data": f"done:{n}",
    }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, object]]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status = int(head.split(" ")[1])
    length = next(
        int(line.split(":")[1]) for line in head.split("\r\n") if line.lower().startswith("content-length")
    )
    payload = json.loads(await reader.readexactly(length))
    assert isinstance(payload, dict)
    return status, payload
