"""The webhook servers against what anyone on the network can send (issue 15): the Telegram webhook and Slack's
HTTP events, served on 127.0.0.1 and driven with raw sockets, so the test controls every byte and when it is
sent: idle connections by the hundred, bodies announced at 50 MiB and never sent, chunked bodies past the cap,
headers and bodies that never finish, bad signatures and malformed JSON. The transports run for real (python-
telegram-bot and slack-bolt, the fake Bot API and Web API servers, the real core on SQLite).

Short limits are injected through the settings (`WebhookLimits`); nothing sleeps: every wait is on a socket or
a fake server's record, under an overall timeout. `duban run` itself against 1,100 idle connections is
`benchmarks/webhook_flood.py`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes.slack_events import Slack, dm, dm_event, envelope
from fakes.slack_server import DEFAULT_TOKEN, FakeSlack
from fakes.telegram_server import FakeTelegram

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.dispatch import Dispatcher
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from bot.transports.config import SlackSettings, TelegramSettings, WebhookLimits
from bot.transports.slack_transport import EVENTS_PATH, SlackTransport
from bot.transports.telegram_transport import TelegramTransport
from schedules.port import Outgoing
from seeds.apply import apply_seeds
from store.db import Database
from store.members import add_member
from store.reminder_chats import Target

TOKEN = "123456789:TEST-token"
SECRET = "s3cret-Token"  # the Telegram webhook's secret token
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's signing secret
NOW = datetime(2025, 9, 22, 10, 0, tzinfo=LOCAL_TZ)
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
GULOU = "鼓楼区人民政府"
QUESTION = "市检察院有哪些任务"
HOOK_PATH = "/telegram/hook"
USER = 1201
SLACK_USER = "U0WANGWU1"
FIFTY_MIB = 50 * 1024 * 1024
CAP = 16 * 1024  # the body cap in these tests: small, so a body past it is one write on loopback
FLOOD = 300  # idle connections opened in the flood tests
ROOMY = WebhookLimits(max_body=CAP, max_connections=50, header_timeout=60.0, body_timeout=60.0)
WAIT = 60.0  # the bound on any one wait: a hang fails the test instead of stalling the run

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("webhooks") / "seeded.sqlite3"
    database = Database(f"sqlite:///{path}")
    apply_seeds(database)
    database.dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, seeded_file: Path) -> Iterator[Database]:
    """A copy of a SQLite database seeded once for the module: these tests are about receiving, which does
    not depend on the backend, and seeding would otherwise be most of their time."""
    shutil.copyfile(seeded_file, tmp_path / "test.sqlite3")
    database = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    add_member(database, platform="telegram", user_id=str(USER), display_name="王五", unit=GULOU,
               role="staff", at=JOINED)  # fmt: skip
    add_member(database, platform="slack", user_id=SLACK_USER, display_name="王五", unit=GULOU,
               role="staff", at=JOINED)  # fmt: skip
    yield database
    database.dispose()


# ---- raw HTTP on a socket ----------------------------------------------------------------------------------


def head(path: str, headers: dict[str, str], *, method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(body: bytes, piece: int = 4096) -> bytes:
    parts = [body[i : i + piece] for i in range(0, len(body), piece)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


async def answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The status and body of the response on this connection; AssertionError if it closes without one."""
    async with asyncio.timeout(WAIT):
        status_line = await reader.readline()
        assert status_line, "the server closed the connection without answering"
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await reader.readexactly(length)


async def exchange(port: int, data: bytes) -> tuple[int, bytes]:
    """Send these bytes on a new connection and read the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await answer(reader)
    finally:
        writer.close()


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Whatever the server still sent, once it has closed the connection (EOF or reset)."""
    async with asyncio.timeout(WAIT):
        try:
            return await reader.read()
        except ConnectionResetError:
            return b""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def idle_connections(port: int, count: int, path: str) -> list[Connection]:
    """Connections that send a request line and then nothing (the flood of the adversarial run)."""
    opened: list[Connection] = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST {path} HTTP/1.1\r\n".encode())
        opened.append((reader, writer))
    await asyncio.gather(*(writer.drain() for _, writer in opened), return_exceptions=True)
    return opened


async def close_all(connections: list[Connection]) -> None:
    for _, writer in connections:
        writer.close()
    await asyncio.gather(*(writer.wait_closed() for _, writer in connections), return_exceptions=True)


async def server_closes(connections: list[Connection], at_least: int) -> None:
    """Wait until the server has closed at least this many of the connections."""

    pending = {asyncio.ensure_future(closed_by_server(reader)) for reader, _ in connections}
    done = 0
    async with asyncio.timeout(WAIT):
        while done < at_least:
            finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            done += len(finished)
    for task in pending:
        task.cancel()


# ---- Telegram --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Telegram:
    """A webhook-mode transport on a fake Bot API; `update()` is what Telegram would POST."""

    def __init__(
        self, db: Database, fake: FakeTelegram, limits: WebhookLimits, dispatcher: Dispatcher | None
    ):
        self.fake = fake
        self.port = free_port()
        self.dispatcher = dispatcher or Dispatcher(Core(Knowledge(db)))
        settings = TelegramSettings(
            TOKEN,
            base_url=fake.base_url,
            webhook_url=f"http://127.0.0.1:{self.port}{HOOK_PATH}",
            webhook_secret=SECRET,
            webhook_listen=("127.0.0.1", self.port),
            webhook_limits=limits,
        )
        self.transport = TelegramTransport(settings, self.dispatcher, clock=lambda: NOW)
        self.updates = 0

    def update(self, words: str = QUESTION, user: int = USER) -> bytes:
        self.updates += 1
        message = {
            "message_id": 5000 + self.updates,
            "date": int(NOW.timestamp()),
            "chat": {"id": user, "type": "private", "first_name": "王五"},
            "from": {"id": user, "is_bot": False, "first_name": "王五"},
            "text": words,
        }
        return json.dumps({"update_id": 9000 + self.updates, "message": message}).encode()

    def post(self, body: bytes, *, secret: str | None = SECRET, **extra: str) -> bytes:
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **extra}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return head(HOOK_PATH, headers) + body

    async def answered(self, count: int) -> None:
        await self.fake.wait_for(lambda: len(self.fake.sent) >= count, timeout=WAIT)

    async def stop(self) -> None:
        await self.transport.stop()
        self.dispatcher.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


async def telegram_on(
    db: Database, fake: FakeTelegram, limits: WebhookLimits = ROOMY, dispatcher: Dispatcher | None = None
) -> Telegram:
    bot = Telegram(db, fake, limits, dispatcher)
    await bot.transport.start()
    return bot


async def test_a_telegram_body_over_the_cap_is_refused_by_its_length_before_it_is_read(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    bot = await telegram_on(db, fake_telegram)
    try:
        huge = {"Content-Type": "application/json", "Content-Length": str(FIFTY_MIB)}
        # The answer comes although not one byte of the announced 50 MiB was sent; the secret is checked first.
        wrong = head(HOOK_PATH, huge | {"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert (await exchange(bot.port, wrong))[0] == 403
        assert (await exchange(bot.port, head(HOOK_PATH, huge)))[0] == 403
        right = head(HOOK_PATH, huge | {"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert (await exchange(bot.port, right))[0] == 413
        # A chunked body is cut off as soon as it passes the cap.
        padded = bot.update()[:-1] + b', "pad": "' + b"x" * CAP + b'"}'
        chunked_head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked",
                        "X-Telegram-Bot-Api-Secret-Token": SECRET}  # fmt: skip
        assert (await exchange(bot.port, head(HOOK_PATH, chunked_head) + chunked(padded)))[0] == 413
        # Under the cap, chunked or not, an update is taken and answered.
        assert (await exchange(bot.port, head(HOOK_PATH, chunked_head) + chunked(bot.update())))[0] == 200
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(2)
    finally:
        await bot.stop()
    assert len(fake_telegram.sent) == 2


async def test_malformed_telegram_json_gets_400_and_no_traceback(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await telegram_on(db, fake_telegram)
    try:
        for body in (
            b'{"update_id": 1, "message": ',
            b"[1, 2]",
            b"\xff\xfe\x00",
            b'{"update_id": 2, "message": 7}',
        ):
            status, _ = await exchange(bot.port, bot.post(body))
            assert status == 400, body
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
    finally:
        await bot.stop()
    assert [m.text for m in fake_telegram.sent] == [Core(Knowledge(db)).handle(
        Inbound("telegram", str(USER), str(USER), QUESTION, NOW))[0].text]  # fmt: skip
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_broken_http_gets_4xx_and_no_traceback(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # even at debug, one line each and no traceback
    bot = await telegram_on(db, fake_telegram)
    try:
        secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        for broken in (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # TLS spoken to plain HTTP
            head(HOOK_PATH, secret | {"Transfer-Encoding": "chunked"}) + b"zz\r\nabc\r\n0\r\n\r\n",
            head(HOOK_PATH, secret | {"X-Long": "x" * 20_000}),
            head(HOOK_PATH, secret | {"Content-Length": "-5"}),
        ):
            status, _ = await exchange(bot.port, broken)
            assert 400 <= status < 500, broken[:60]
        assert (await exchange(bot.port, head("/elsewhere", secret | {"Content-Length": "0"})))[0] == 404
        assert (await exchange(bot.port, head(HOOK_PATH, secret, method="GET")))[0] == 405
        _, writer = await asyncio.open_connection("127.0.0.1", bot.port)
        writer.write(bot.post(bot.update())[:-10])  # and then the client goes away mid-body
        await writer.drain()
        writer.close()
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
    finally:
        await bot.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in caplog.text


async def test_idle_telegram_connections_cannot_crowd_out_an_update(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    bot = await telegram_on(db, fake_telegram)
    flood: list[Connection] = []
    try:
        flood = await idle_connections(bot.port, FLOOD, HOOK_PATH)
        # During the flood: the 300 idle connections are all still open on this side.
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
        # The server keeps no more than its cap open: the oldest idle ones were closed to make room.
        await server_closes(flood, at_least=FLOOD - ROOMY.max_connections)
        await close_all(flood)
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200  # and after it
        await bot.answered(2)
    finally:
        await close_all(flood)
        await bot.stop()


async def test_telegram_headers_and_bodies_must_arrive_in_time(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    limits = WebhookLimits(max_body=CAP, max_connections=50, header_timeout=0.2, body_timeout=0.2)
    bot = await telegram_on(db, fake_telegram, limits)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
        writer.write(f"POST {HOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())  # headers never finish
        assert await closed_by_server(reader) == b""
        writer.close()
        body = bot.update()
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
        writer.write(bot.post(body)[: -len(body) // 2])  # half the body, then nothing
        assert (await answer(reader))[0] == 408
        writer.close()
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
    finally:
        await bot.stop()


async def test_bodies_trickling_at_the_cap_make_room_for_an_update_oldest_first(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    limits = WebhookLimits(max_body=CAP, max_connections=3, header_timeout=60.0, body_timeout=60.0)
    bot = await telegram_on(db, fake_telegram, limits)
    slow: list[Connection] = []
    try:
        body = bot.update()
        for _ in range(limits.max_connections):  # requests in progress: headers read, the body trickling
            reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
            writer.write(bot.post(b"", **{"Content-Length": str(len(body)), "Expect": "100-continue"}))
            async with asyncio.timeout(WAIT):  # the server asks for the body once the headers are accepted
                assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
            writer.write(body[:-10])
            slow.append((reader, writer))
        # One more, complete: the slowest body (the oldest) makes room, the update is taken.
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
        await closed_by_server(slow[0][0])
        assert not any(reader.at_eof() for reader, _ in slow[1:])
    finally:
        await close_all(slow)
        await bot.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_at_the_cap_with_every_request_being_answered_a_newcomer_is_closed_at_once(
    db: Database, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    limits = WebhookLimits(max_body=CAP, max_connections=2, header_timeout=60.0, body_timeout=60.0)
    slack = await slack_on(db, fake_slack, limits)
    gate = asyncio.Event()
    entered = asyncio.Semaphore(0)
    dispatch = slack.transport.app.async_dispatch

    async def held(request: Any) -> Any:  # bolt holds its answer: both requests are being answered
        entered.release()
        await gate.wait()
        return await dispatch(request)

    slack.transport.app.async_dispatch = held  # type: ignore[method-assign]
    try:
        answering = [
            asyncio.create_task(exchange(slack.port, slack.dm())) for _ in range(limits.max_connections)
        ]
        async with asyncio.timeout(WAIT):
            for _ in answering:
                await entered.acquire()
        reader, writer = await asyncio.open_connection("127.0.0.1", slack.port)
        writer.write(slack.dm())
        assert await closed_by_server(reader) == b""  # no room, nothing to evict: closed, unanswered
        writer.close()
        gate.set()
        assert [(await task)[0] for task in answering] == [200, 200]
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(3)
        await slack.transport.drain()
    finally:
        gate.set()
        await slack.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # the dropped newcomer included


async def test_a_failure_in_the_core_is_one_log_record_and_an_apology_on_telegram(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await telegram_on(db, fake_telegram, dispatcher=Broken(Core(Knowledge(db))))
    try:
        assert (await exchange(bot.port, bot.post(bot.update())))[0] == 200
        await bot.answered(1)
    finally:
        await bot.stop()
    assert [m.text for m in fake_telegram.sent] == [texts.TELEGRAM_FAILED]
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and failures[0].exc_info is not None
    assert TOKEN not in caplog.text and SECRET not in caplog.text


class Broken(Dispatcher):
    async def handle(self, inbound: Inbound, *, event_id: str | None = None) -> list[Outbound] | None:
        raise RuntimeError("database went away")


# ---- Slack -------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(limits=None) as server:  # no rate limits: the transport would wait them out for real
        yield server


class SlackHttp:
    def __init__(self, db: Database, fake: FakeSlack, limits: WebhookLimits, dispatcher: Dispatcher | None):
        self.fake = fake
        self.dispatcher = dispatcher or Dispatcher(Core(Knowledge(db)))
        settings = SlackSettings(
            bot_token=DEFAULT_TOKEN,
            signing_secret=SIGNING,
            base_url=fake.base_url,
            listen=("127.0.0.1", 0),
            webhook_limits=limits,
        )
        self.transport = SlackTransport(settings, self.dispatcher, clock=lambda: NOW)
        self.count = 0

    @property
    def port(self) -> int:
        assert self.transport.http_url is not None
        return int(self.transport.http_url.rsplit(":", 1)[1].split("/")[0])

    @property
    def events(self) -> Slack:
        assert self.transport.http_url is not None
        return Slack(self.transport.http_url, SIGNING)

    def signed(self, body: bytes, content_type: str = "application/json", stamp: str | None = None) -> bytes:
        stamp = stamp or str(int(time.time()))
        digest = hmac.new(SIGNING.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": content_type, "Content-Length": str(len(body)),
                   "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}  # fmt: skip
        return head(EVENTS_PATH, headers) + body

    def dm(self, words: str = QUESTION) -> bytes:
        self.count += 1
        event = envelope(dm_event(SLACK_USER, words, self.count), f"EvLIMIT{self.count:04d}")
        return self.signed(json.dumps(event).encode())

    async def answered(self, count: int) -> None:
        await asyncio.to_thread(self.fake.wait_for, lambda: len(self.fake.posted) >= count, WAIT)

    async def stop(self) -> None:
        await self.transport.stop()
        self.dispatcher.close()


async def slack_on(
    db: Database, fake: FakeSlack, limits: WebhookLimits = ROOMY, dispatcher: Dispatcher | None = None
) -> SlackHttp:
    slack = SlackHttp(db, fake, limits, dispatcher)
    await slack.transport.start()
    return slack


async def test_bad_slack_headers_and_signed_malformed_bodies_get_4xx_and_no_traceback(
    db: Database, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack = await slack_on(db, fake_slack)
    try:
        body = json.dumps(envelope(dm_event(SLACK_USER, QUESTION, 1), "EvBAD0001")).encode()
        for stamp in ("abc", "", "1e9", "-5", "99999999999999999999999"):
            headers = {"Content-Type": "application/json", "Content-Length": str(len(body)),
                       "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + "0" * 64}  # fmt: skip
            assert (await exchange(slack.port, head(EVENTS_PATH, headers) + body))[0] == 401, stamp
        assert (await exchange(slack.port, slack.signed(b"abc", stamp="abc")))[0] == 401
        for malformed, content_type in (
            (b'{"type": "event_callback", "event": ', "application/json"),
            (b"[1, 2, 3]", "application/json"),
            (b"\xff\xfe{}", "application/json"),
            (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
            (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
        ):
            assert (await exchange(slack.port, slack.signed(malformed, content_type)))[0] == 400, malformed
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(1)
        await slack.transport.drain()
    finally:
        await slack.stop()
    assert len(fake_slack.posted) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_a_slack_body_over_the_cap_is_refused_before_it_is_read(
    db: Database, fake_slack: FakeSlack
) -> None:
    slack = await slack_on(db, fake_slack)
    try:
        stamp = str(int(time.time()))
        unsigned = {"Content-Type": "application/json", "Content-Length": str(FIFTY_MIB)}
        assert (await exchange(slack.port, head(EVENTS_PATH, unsigned)))[
            0
        ] == 401  # the signature's headers first
        signed = unsigned | {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + "0" * 64}
        assert (await exchange(slack.port, head(EVENTS_PATH, signed)))[0] == 413
        big = json.dumps(envelope(dm_event(SLACK_USER, "x" * CAP, 2), "EvBIG0001")).encode()
        digest = hmac.new(SIGNING.encode(), f"v0:{stamp}:".encode() + big, hashlib.sha256).hexdigest()
        chunked_head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked",
                        "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}  # fmt: skip
        assert (await exchange(slack.port, head(EVENTS_PATH, chunked_head) + chunked(big)))[0] == 413
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(1)
    finally:
        await slack.stop()


async def test_idle_slack_connections_cannot_crowd_out_an_event(db: Database, fake_slack: FakeSlack) -> None:
    slack = await slack_on(db, fake_slack)
    flood: list[Connection] = []
    try:
        flood = await idle_connections(slack.port, FLOOD, EVENTS_PATH)
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(1)
        await server_closes(flood, at_least=FLOOD - ROOMY.max_connections)
        await close_all(flood)
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(2)
    finally:
        await close_all(flood)
        await slack.stop()


async def test_slack_headers_and_bodies_must_arrive_in_time(db: Database, fake_slack: FakeSlack) -> None:
    limits = WebhookLimits(max_body=CAP, max_connections=50, header_timeout=0.2, body_timeout=0.2)
    slack = await slack_on(db, fake_slack, limits)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", slack.port)
        writer.write(f"POST {EVENTS_PATH} HTTP/1.1\r\n".encode())
        assert await closed_by_server(reader) == b""
        writer.close()
        request = slack.dm()
        reader, writer = await asyncio.open_connection("127.0.0.1", slack.port)
        writer.write(request[:-20])
        assert (await answer(reader))[0] == 408
        writer.close()
        assert (await exchange(slack.port, slack.dm()))[0] == 200
        await slack.answered(1)
    finally:
        await slack.stop()


async def test_a_failure_in_the_core_gets_a_chinese_apology_on_slack_logged_once(
    db: Database, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack = await slack_on(db, fake_slack, dispatcher=Broken(Core(Knowledge(db))))
    try:
        assert (await slack.events.dm(SLACK_USER, QUESTION))[0] == 200
        assert (await slack.events.command(SLACK_USER, "C0GENERAL", QUESTION))[0] == 200
        await slack.answered(2)
        await slack.transport.port.send(
            Outgoing(Target("slack", dm(SLACK_USER)), "【督办提醒】…", (("收到", "ack:9"),))
        )
        [digest] = [m for m in fake_slack.posted if m.text.startswith("【督办提醒】")]
        assert (await slack.events.press(SLACK_USER, digest, "ack:9"))[0] == 200
        await slack.answered(4)
        await slack.transport.drain()
    finally:
        await slack.stop()
    assert fake_slack.sent(dm(SLACK_USER)) == [texts.SLACK_FAILED, "【督办提醒】…", texts.SLACK_FAILED]
    assert fake_slack.sent("C0GENERAL") == [texts.SLACK_FAILED]
    assert fake_slack.calls("chat.update") == []  # the pressed button stays, to be pressed again
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 3 and all(r.exc_info is not None for r in failures)  # one per failed message
    for secret in (DEFAULT_TOKEN, SIGNING):
        assert secret not in caplog.text


# ---- settings ----------------------------------------------------------------------------------------------


def test_webhook_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.cli.settings import Settings
    from store.errors import StoreError

    for name in [n for n in os.environ if n.startswith("DUBAN_") and n != "DUBAN_ENV_FILE"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DUBAN_HOME", str(tmp_path))
    monkeypatch.setenv("DUBAN_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DUBAN_SLACK_BOT_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("DUBAN_SLACK_SIGNING_SECRET", SIGNING)
    settings = Settings.from_env()
    assert settings.telegram is not None and settings.slack is not None
    assert settings.telegram.webhook_limits == settings.slack.webhook_limits == WebhookLimits()
    assert WebhookLimits().max_body == 1024 * 1024
    monkeypatch.setenv("DUBAN_WEBHOOK_MAX_BODY", "256KiB")
    monkeypatch.setenv("DUBAN_WEBHOOK_MAX_CONNECTIONS", "40")
    monkeypatch.setenv("DUBAN_WEBHOOK_TIMEOUT", "2.5")
    settings = Settings.from_env()
    assert settings.slack is not None
    expected = WebhookLimits(max_body=256 * 1024, max_connections=40, header_timeout=2.5, body_timeout=2.5)
    assert settings.slack.webhook_limits == expected
    for name, bad in (("DUBAN_WEBHOOK_MAX_BODY", "lots"), ("DUBAN_WEBHOOK_MAX_CONNECTIONS", "0"),
                      ("DUBAN_WEBHOOK_TIMEOUT", "-1")):  # fmt: skip
        monkeypatch.setenv(name, bad)
        with pytest.raises(StoreError) as raised:
            Settings.from_env()
        assert name in str(raised.value)
        monkeypatch.delenv(name)
