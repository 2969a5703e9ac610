"""The Slack transport end to end: the real slack_bolt and slack_sdk, Web API calls to the fake Slack server,
signed events POSTed to the transport's own HTTP server (or sent over a Socket Mode WebSocket), the real
dispatcher and core on SQLite and PostgreSQL.

Nothing sleeps: the transport's sleep and the fake's rate-limit clock are one fake clock, and `drain()` waits
for the work a delivery started after bolt acknowledged it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from fakes.slack_events import Slack, dm, dm_event, envelope
from fakes.slack_server import DEFAULT_APP_TOKEN, DEFAULT_TOKEN, FakeSlack, SlackMessage
from sqlalchemy import text
from sqlmodel import Session, select

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.dispatch import Dispatcher
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from bot.conversation.reminders import ReminderTexts
from bot.transports.config import SlackSettings
from bot.transports.slack_port import MAX_SECTION, SECTIONS_PER_MESSAGE, message_parts
from bot.transports.slack_transport import COMMAND, EVENTS_PATH, SlackTransport, without_mention
from schedules.calendar import WorkCalendar
from schedules.delivery import Deliverer, DeliveryPolicy
from schedules.port import Outgoing
from schedules.service import ReminderService
from seeds.apply import apply_seeds
from store.db import Database
from store.evidence_files import MAX_BYTES, EvidenceFiles
from store.members import add_member, create_invite, find_member
from store.models import Evidence, PendingWrite, TaskEvent
from store.reminder_chats import Target, bind_unit_chat, unit_chats

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AT = datetime(2025, 9, 22, 10, 0, tzinfo=LOCAL_TZ)  # a Monday, 10:00 in Shanghai
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
BOT = FakeSlack.bot_user_id
# Tests of the transport alone run on SQLite only; those where the database decides run on both backends.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "slack-app-manifest.yaml"
GULOU = "鼓楼区人民政府"
GULOU_CHAT = "C0GULOU01"
ADMIN = "U0ADMIN01"
FAYUAN = "U0FAYUAN1"  # staff of 中院, the unit responsible for task 18
WANG = "U0WANGWU1"  # staff of 鼓楼区人民政府


class FakeClock:
    """Monotonic seconds for the fake's rate limits; the transport's sleep moves it on instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded SQLite file for the module, closed, so each test can start from a copy of it."""
    path = tmp_path_factory.mktemp("slack") / "seeded.sqlite3"
    database = Database(f"sqlite:///{path}")
    apply_seeds(database)
    database.dispose()
    return path


@pytest.fixture
def db(db_url: str, seeded_file: Path) -> Iterator[Database]:
    """conftest's `db` on both backends, but on SQLite a copy of a file seeded once: seeding is most of the
    time these tests would take, and a copy is the same database."""
    if db_url.startswith("sqlite:///"):
        shutil.copyfile(seeded_file, db_url.removeprefix("sqlite:///"))
        database = Database(db_url)
    else:
        database = Database(db_url)
        apply_seeds(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock, users={"U0NEWBIE1": "王芳"}) as server:
        yield server


@pytest.fixture
def dispatcher(db: Database) -> Iterator[Dispatcher]:
    add_member(
        db, platform="slack", user_id=ADMIN, display_name="陈督办", unit="市监局", role="admin", at=JOINED
    )
    add_member(
        db, platform="slack", user_id=FAYUAN, display_name="李法官", unit="中院", role="staff", at=JOINED
    )
    add_member(db, platform="slack", user_id=WANG, display_name="王五", unit=GULOU, role="staff", at=JOINED)
    dispatcher = Dispatcher(Core(Knowledge(db)))
    yield dispatcher
    dispatcher.close()


def settings(fake: FakeSlack, *, app_token: str | None = None) -> SlackSettings:
    return SlackSettings(
        bot_token=DEFAULT_TOKEN,
        app_token=app_token,
        signing_secret=None if app_token else SECRET,
        base_url=fake.base_url,
        listen=("127.0.0.1", 0),
    )


@pytest.fixture
async def transport(
    fake: FakeSlack, dispatcher: Dispatcher, clock: FakeClock
) -> AsyncIterator[SlackTransport]:
    transport = SlackTransport(settings(fake), dispatcher, clock=lambda: AT, sleep=clock.sleep)
    await transport.start()
    yield transport
    await transport.stop()


@pytest.fixture
def slack(transport: SlackTransport) -> Slack:
    assert transport.http_url is not None
    return Slack(transport.http_url, SECRET)


def answer(db: Database, user: str, channel: str, words: str, *, group: bool = False) -> str:
    """What a fresh core answers: the transport must post exactly this."""
    [reply] = Core(Knowledge(db)).handle(Inbound("slack", channel, user, words, AT, "check", group=group))
    return reply.text


def said(fake: FakeSlack, channel: str) -> list[str]:
    """What people read in channel: the section texts (the `text` fallback has &, < and > escaped)."""
    return [
        "\n".join(b["text"]["text"] for b in m.blocks or [] if b["type"] == "section")
        for m in fake.posted
        if m.channel == channel
    ]


def buttons(message: SlackMessage) -> dict[str, str]:
    """label → value of a posted message's buttons."""
    elements = [e for block in message.blocks or [] if block["type"] == "actions" for e in block["elements"]]
    return {e["text"]["text"]: e["value"] for e in elements}


def count(db: Database, table: type[TaskEvent] | type[PendingWrite]) -> int:
    with Session(db.engine) as session:
        return len(session.exec(select(table)).all())


def scalar_rows(db: Database, sql: str, **params: Any) -> list[Any]:
    with db.engine.connect() as connection:
        return [row[0] for row in connection.execute(text(sql), params)]


# ---- onboarding and questions ----------------------------------------------------------------------------


async def test_onboarding_by_dm_then_a_question(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database, clock: FakeClock
) -> None:
    invite = create_invite(
        db, unit=GULOU, role="staff", expires_at=AT + timedelta(days=7), at=JOINED, actor="test"
    )
    assert await slack.dm("U0NEWBIE1", f"绑定 {invite.code}") == (200, "")
    await transport.drain()
    assert said(fake, dm("U0NEWBIE1")) == [texts.bound("王芳", GULOU, "staff")]
    member = find_member(db, platform="slack", user_id="U0NEWBIE1")
    assert member is not None and member.display_name == "王芳" and member.unit == GULOU
    assert [c.params["user"] for c in fake.calls("users.info")] == ["U0NEWBIE1"]  # asked only to bind

    await slack.dm("U0NEWBIE1", "鼓楼专利授权量进度")
    await transport.drain()
    expected = answer(db, "U0NEWBIE1", dm("U0NEWBIE1"), "鼓楼专利授权量进度")
    assert "专利授权量" in expected
    assert said(fake, dm("U0NEWBIE1"))[1:] == [expected]
    posted = fake.posted[-1]
    assert posted.blocks is not None and {b["type"] for b in posted.blocks} == {"section"}
    assert posted.text == html.escape(expected, quote=False)  # the fallback is mrkdwn: &, < and > escaped
    # Two replies to one DM within a second: the fake answered 429 once and the transport waited it out.
    assert [c.status for c in fake.calls("chat.postMessage")] == [200, 429, 200]
    assert clock.slept == [1.0]
    assert len(fake.calls("users.info")) == 1


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_an_unbound_user_is_told_how_to_bind(
    transport: SlackTransport, slack: Slack, fake: FakeSlack
) -> None:
    await slack.dm("U0STRANGE", "任务41")
    await transport.drain()
    assert said(fake, dm("U0STRANGE")) == [texts.NOT_BOUND]


async def test_mention_in_a_channel_is_answered_there(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    assert (await slack.mention(WANG, "C0GENERAL", "任务41"))[0] == 200
    await transport.drain()
    assert said(fake, "C0GENERAL") == [answer(db, WANG, "C0GENERAL", "任务41", group=True)]
    assert without_mention(f"<@{BOT}>  任务41 <@{BOT}|duban>", BOT) == "任务41"
    assert without_mention("<@U123> 你好", None) == "你好"


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_bot_and_channel_messages_and_edits_are_ignored(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    own = {**dm_event(FAYUAN, "任务18", 1), "user": BOT, "bot_id": FakeSlack.bot_id}
    other_bot = {**dm_event(FAYUAN, "任务18", 2), "bot_id": "B0OTHER"}
    edited = {**dm_event(FAYUAN, "任务18", 3), "subtype": "message_changed"}
    in_channel = {**dm_event(FAYUAN, "任务18", 4), "channel": "C0GENERAL", "channel_type": "channel"}
    for event in (own, other_bot, edited, in_channel):
        assert (await slack.event(event))[0] == 200
    await transport.drain()
    assert fake.posted == []
    assert scalar_rows(db, "SELECT event_id FROM inbound_event") == []


# ---- signatures, acknowledgement, redelivery -------------------------------------------------------------


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_unsigned_or_badly_signed_requests_are_refused(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    body = json.dumps(envelope(dm_event(FAYUAN, "任务18", 1), "Ev1"))
    stamp = str(int(time.time()))
    forged = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + "0" * 64}
    assert (await slack.post(body, "application/json", headers=forged, sign=False))[0] == 401
    assert (await slack.post(body, "application/json", sign=False))[0] == 401
    old = str(int(time.time()) - 3600)  # a replayed request: signed right, but an hour old
    digest = hmac.new(SECRET.encode(), f"v0:{old}:{body}".encode(), hashlib.sha256).hexdigest()
    replayed = {"X-Slack-Request-Timestamp": old, "X-Slack-Signature": f"v0={digest}"}
    assert (await slack.post(body, "application/json", headers=replayed, sign=False))[0] == 401
    await transport.drain()
    assert fake.posted == [] and fake.calls("chat.postMessage") == []
    assert scalar_rows(db, "SELECT event_id FROM inbound_event") == []
    # Slack's check of a new Request URL is answered by bolt itself.
    challenge = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    status, answered = await slack.post(challenge, "application/json")
    assert status == 200 and json.loads(answered) == {"challenge": "c-123"}


async def test_a_redelivered_event_is_answered_once(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    event = dm_event(FAYUAN, "任务18已完成", 7)
    assert await slack.event(event, event_id="Ev0REPORT1") == (200, "")
    await transport.drain()
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await slack.event(event, event_id="Ev0REPORT1", headers=retry) == (200, "")
    await transport.drain()
    [preview] = fake.posted
    assert "市中级人民法院报告本任务已完成" in preview.text and set(buttons(preview)) == {"确认", "取消"}
    assert count(db, PendingWrite) == 1
    assert scalar_rows(db, "SELECT event_id FROM inbound_event") == ["Ev0REPORT1"]


async def test_messages_with_the_same_ts_in_two_dms_are_two_messages(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database, clock: FakeClock
) -> None:
    """A Slack ts is unique only within its channel: two people's DMs can carry the same one. Each must get
    the preview of their own report, with buttons for their own pending write, and both must be recorded."""
    assert await slack.event(dm_event(FAYUAN, "任务18已完成", 7), event_id="Ev0FAYUAN1") == (200, "")
    await transport.drain()
    assert await slack.event(dm_event(WANG, "任务41已完成", 7), event_id="Ev0WANGWU1") == (200, "")
    await transport.drain()
    [fayuan_preview] = [m for m in fake.posted if m.channel == dm(FAYUAN)]
    [wang_preview] = [m for m in fake.posted if m.channel == dm(WANG)]
    assert "任务18" in fayuan_preview.text and "任务41" in wang_preview.text
    assert buttons(fayuan_preview)["确认"] != buttons(wang_preview)["确认"]
    clock.now += 5
    await slack.press(FAYUAN, fayuan_preview, buttons(fayuan_preview)["确认"])
    await slack.press(WANG, wang_preview, buttons(wang_preview)["确认"])
    await transport.drain()
    assert said(fake, dm(WANG))[-1].startswith("已提交：任务41")
    assert sorted(scalar_rows(db, "SELECT message_id FROM task_event")) == [
        f"{dm(FAYUAN)}:1758506400.000007",
        f"{dm(WANG)}:1758506400.000007",
    ]


async def test_mentions_with_the_same_ts_in_two_channels_are_two_messages(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    for user, channel, words, event_id in (
        (FAYUAN, "C0COURT01", "任务18已完成", "Ev0MENTIONA"),
        (WANG, GULOU_CHAT, "任务41已完成", "Ev0MENTIONB"),
    ):
        event = {
            "type": "app_mention", "user": user, "text": f"<@{BOT}> {words}", "channel": channel,
            "ts": "1758506400.000009", "event_ts": "1758506400.000009",
        }  # fmt: skip
        assert await slack.event(event, event_id=event_id) == (200, "")
        await transport.drain()
    assert "任务18" in said(fake, "C0COURT01")[0] and "任务41" in said(fake, GULOU_CHAT)[0]
    assert count(db, PendingWrite) == 2


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_events_are_acknowledged_before_the_work_is_done(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, dispatcher: Dispatcher
) -> None:
    gate = gated(dispatcher)
    # Answered while the core has not even started (the bound only turns a hang into a failure).
    assert await asyncio.wait_for(slack.dm(FAYUAN, "任务18"), 60) == (200, "")
    assert await asyncio.wait_for(slack.command(FAYUAN, "C0GENERAL", ""), 60) == (200, "")
    assert fake.posted == []
    gate.set()
    await transport.drain()
    assert said(fake, "C0GENERAL") == [texts.HELP]  # an empty /duban is /help
    assert len(said(fake, dm(FAYUAN))) == 1


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_stop_lets_the_reply_in_flight_finish_and_then_refuses_more(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, dispatcher: Dispatcher
) -> None:
    gate = gated(dispatcher)
    await slack.dm(FAYUAN, "任务18")
    stopping = asyncio.create_task(transport.stop())
    for _ in range(50):  # let stop() run as far as it can: it must wait for the held reply
        await asyncio.sleep(0)
    assert not stopping.done() and fake.posted == []
    gate.set()
    await stopping
    assert len(said(fake, dm(FAYUAN))) == 1
    with pytest.raises(aiohttp.ClientConnectionError):
        await slack.dm(FAYUAN, "任务41")  # no longer listening


def gated(dispatcher: Dispatcher) -> asyncio.Event:
    """Hold every message before the core until the returned event is set."""
    gate = asyncio.Event()
    handle = dispatcher.handle

    async def held(inbound: Inbound, *, event_id: str | None = None) -> list[Outbound] | None:
        await gate.wait()
        return await handle(inbound, event_id=event_id)

    dispatcher.handle = held  # type: ignore[method-assign]
    return gate


async def test_slash_command_answered_in_the_channel_or_privately(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    await slack.command(WANG, "C0GENERAL", "任务41")
    await transport.drain()
    assert said(fake, "C0GENERAL") == [answer(db, WANG, "C0GENERAL", "任务41", group=True)]
    bind_unit_chat(
        db, unit=GULOU, target=Target("slack", "C0PRIVATE", True), member_id=None, actor="t", at=JOINED
    )
    fake.fail_next("chat.postMessage", "not_in_channel", channel="C0PRIVATE")
    answers: list[dict[str, Any]] = []
    runner, url = await response_url_server(answers)
    try:
        await slack.command(WANG, "C0PRIVATE", "任务41", response_url=url)
        await transport.drain()
    finally:
        await runner.cleanup()
    [private] = answers
    assert private["response_type"] == "ephemeral"
    assert html.unescape(private["text"]) == answer(db, WANG, "C0PRIVATE", "任务41", group=True)
    # A command says nothing about the chat's reminders: the binding stands and no admin is told.
    assert unit_chats(db)[GULOU] == Target("slack", "C0PRIVATE", True)
    assert notices(db) == []


async def response_url_server(answers: list[dict[str, Any]]) -> tuple[web.AppRunner, str]:
    """Slack's side of a command's response_url: records what the bot answers there."""

    async def receive(request: web.Request) -> web.Response:
        answers.append(await request.json())
        return web.Response(text="ok")

    application = web.Application()
    application.router.add_post("/commands/T0000FAKE/1/secret", receive)
    runner = web.AppRunner(application)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/commands/T0000FAKE/1/secret"


# ---- buttons -----------------------------------------------------------------------------------------------


async def test_a_report_confirmed_by_button_is_recorded_once(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database, clock: FakeClock
) -> None:
    await slack.dm(FAYUAN, "任务18已完成")
    await transport.drain()
    [preview] = fake.posted
    confirm = buttons(preview)["确认"]
    assert confirm.startswith("confirm:") and buttons(preview)["取消"].startswith("cancel:")
    clock.now += 5
    assert (await slack.press(FAYUAN, preview, confirm, action_ts="1758506500.000001"))[0] == 200
    await transport.drain()
    assert count(db, TaskEvent) == 1
    [update] = fake.updated
    assert update.ts == preview.ts and update.text == preview.text
    assert update.blocks is not None and [b["type"] for b in update.blocks] == ["section"]
    assert said(fake, dm(FAYUAN))[-1].startswith("已提交：任务18")

    # The same press delivered again changes nothing; a second press is answered politely.
    await slack.press(FAYUAN, preview, confirm, action_ts="1758506500.000001")
    clock.now += 5
    await slack.press(FAYUAN, preview, confirm)
    await transport.drain()
    assert count(db, TaskEvent) == 1
    assert said(fake, dm(FAYUAN))[-1] == texts.already_decided("confirmed")
    assert len(said(fake, dm(FAYUAN))) == 3


async def test_someone_elses_preview_keeps_its_buttons(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database, clock: FakeClock
) -> None:
    await slack.mention(FAYUAN, "C0SHARED", "任务18已完成")
    await transport.drain()
    [preview] = fake.posted
    clock.now += 5
    await slack.press(WANG, preview, buttons(preview)["确认"])
    await transport.drain()
    assert said(fake, "C0SHARED")[-1] == texts.NOT_YOUR_PENDING
    assert fake.updated == [] and count(db, TaskEvent) == 0


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_an_unknown_button_gets_a_private_polite_answer(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    old = SlackMessage("C0GENERAL", "1700000000.000100", "旧消息", None, None, 0.0)  # from another version
    assert (await slack.press(WANG, old, "done:41"))[0] == 200
    await transport.drain()
    assert [(m.channel, m.recipient, m.text) for m in fake.ephemeral] == [
        ("C0GENERAL", WANG, texts.BUTTON_EXPIRED)
    ]
    assert fake.posted == [] and fake.updated == []
    assert scalar_rows(db, "SELECT event_id FROM inbound_event") == []


# ---- reminders through the port ------------------------------------------------------------------------------


async def test_a_digest_from_the_outbox_is_acknowledged_by_its_button(
    fake: FakeSlack, dispatcher: Dispatcher, db: Database, clock: FakeClock
) -> None:
    now = datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)
    bind_unit_chat(
        db, unit=GULOU, target=Target("slack", GULOU_CHAT, True), member_id=None, actor="t", at=JOINED
    )
    transport = SlackTransport(settings(fake), dispatcher, clock=lambda: now, sleep=clock.sleep)
    await transport.start()
    try:

        def deliverer(calendar: WorkCalendar) -> Deliverer:
            return Deliverer(
                db, {"slack": transport.port}, ReminderTexts(), calendar, clock=lambda: now, worker="w1",
                policy=DeliveryPolicy(batch=50), monotonic=clock, sleep=clock.sleep,
            )  # fmt: skip

        await ReminderService(db, deliverer, clock=lambda: now, instance="i1").tick()
        [digest] = [m for m in fake.posted if m.channel == GULOU_CHAT]
        ack = buttons(digest)[texts.ACK_BUTTON]
        assert ack.startswith("ack:")
        message_id = int(ack.split(":")[1])
        assert scalar_rows(
            db,
            "SELECT platform_message_id FROM delivery_event WHERE message_id = :m AND kind = 'sent'",
            m=message_id,
        ) == [digest.ts]

        assert transport.http_url is not None
        await Slack(transport.http_url, SECRET).press(WANG, digest, ack)
        await transport.drain()
        assert said(fake, GULOU_CHAT)[-1] == texts.ACKED
        assert [m.ts for m in fake.updated] == [digest.ts]
        kinds = scalar_rows(
            db, "SELECT kind FROM delivery_event WHERE message_id = :m ORDER BY id", m=message_id
        )
        assert kinds[-1] == "acked"
    finally:
        await transport.stop()


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_port_results(transport: SlackTransport, fake: FakeSlack, clock: FakeClock) -> None:
    port = transport.port
    to = Target("slack", "C0PORT001", True)
    sent = await port.send(Outgoing(to, "任务41 今天到期", (("收到", "ack:7"),)))
    assert sent.status == "sent" and sent.platform_message_id == fake.posted[-1].ts
    assert buttons(fake.posted[-1]) == {"收到": "ack:7"}
    assert fake.posted[-1].blocks[-1]["elements"][0]["action_id"] == "duban_ack"  # type: ignore[index]

    clock.now += 5
    fake.fail_next("chat.postMessage", status=429, retry_after=30)
    throttled = await port.send(Outgoing(to, "x"))
    assert (throttled.status, throttled.retry_after) == ("throttled", 30.0)
    assert clock.slept == []  # the outbox paces the retry, not the port
    for error, status in (("channel_not_found", 200), ("is_archived", 200), ("not_in_channel", 200)):
        fake.fail_next("chat.postMessage", error, status=status)
        blocked = await port.send(Outgoing(to, "x"))
        assert (blocked.status, blocked.detail) == ("blocked", error)
    fake.fail_next("chat.postMessage", status=500)
    assert (await port.send(Outgoing(to, "x"))).status == "error"
    fake.fail_next("chat.postMessage", "invalid_auth")
    assert (await port.send(Outgoing(to, "x"))).status == "error"  # every chat's problem, not this one's
    assert port.limits == transport.port.limits and port.limits.per_chat is not None


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_long_texts_are_split_on_lines_and_the_buttons_go_last(
    transport: SlackTransport, fake: FakeSlack, clock: FakeClock
) -> None:
    line = "任务41 军门社区服务驿站建设 " + "进展说明" * 20
    long_text = "\n".join(f"{n}. {line}" for n in range(500))
    parts = message_parts(long_text)
    assert all(len(sections) <= SECTIONS_PER_MESSAGE for sections in parts)
    assert all(len(s) <= MAX_SECTION for sections in parts for s in sections)
    assert "\n".join("\n".join(sections) for sections in parts) == long_text
    result = await transport.port.send(
        Outgoing(Target("slack", "C0LONG001"), long_text, (("收到", "ack:9"),))
    )
    assert result.status == "sent"
    posted = [m for m in fake.posted if m.channel == "C0LONG001"]
    assert len(posted) == len(parts) > 1
    assert "\n".join(m.text for m in posted) == long_text
    assert [bool(buttons(m)) for m in posted] == [False] * (len(parts) - 1) + [True]
    assert all(len(m.blocks or []) <= 50 for m in posted)
    # The later parts met the fake's one-a-second limit and waited for it here, so nothing went twice.
    assert clock.slept and all(wait == 1 for wait in clock.slept)
    assert message_parts("x" * 7000) == [["x" * 3000, "x" * 3000, "x" * 1000]]


async def test_a_reply_to_a_refused_channel_unbinds_it_and_tells_the_admins(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, db: Database
) -> None:
    bind_unit_chat(
        db, unit=GULOU, target=Target("slack", GULOU_CHAT, True), member_id=None, actor="t", at=JOINED
    )
    assert GULOU in unit_chats(db)
    fake.fail_next("chat.postMessage", "channel_not_found", channel=GULOU_CHAT)
    await slack.mention(WANG, GULOU_CHAT, "任务41")
    await transport.drain()
    assert said(fake, GULOU_CHAT) == []
    assert GULOU not in unit_chats(db)
    [notice] = notices(db)
    assert notice.startswith("【聊天不可达】") and GULOU in notice and "channel_not_found" in notice


def notices(db: Database) -> list[str]:
    return scalar_rows(db, "SELECT body FROM reminder_message WHERE kind = 'notice' ORDER BY id")


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_a_rate_limited_reply_gives_up_after_a_few_tries(
    transport: SlackTransport, slack: Slack, fake: FakeSlack, clock: FakeClock
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=120, times=3)
    await slack.dm(FAYUAN, "任务18")
    await transport.drain()
    assert fake.posted == [] and len(fake.calls("chat.postMessage")) == 3
    assert clock.slept == [30.0, 30.0]  # Retry-After 120 s is capped: a reply that late is no use


# ---- Socket Mode -----------------------------------------------------------------------------------------------


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_socket_mode_event_is_acknowledged_and_answered(
    fake: FakeSlack, dispatcher: Dispatcher, db: Database, clock: FakeClock
) -> None:
    """apps.connections.open on the fake hands out a WebSocket served here, which sends one events_api
    envelope as Slack does and waits for the envelope's acknowledgement."""
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    event = envelope(dm_event(FAYUAN, "任务18", 1), "Ev0SOCKET1")
    runner = await websocket_server(acks, {"envelope_id": "env-1", "type": "events_api", "payload": event,
                                           "accepts_response_payload": False, "retry_attempt": 0})  # fmt: skip
    fake.socket_mode_url = f"ws://127.0.0.1:{runner.addresses[0][1]}/link"
    transport = SlackTransport(
        settings(fake, app_token=DEFAULT_APP_TOKEN), dispatcher, clock=lambda: AT, sleep=clock.sleep
    )
    try:
        await transport.start()
        assert transport.http_url is None
        assert await asyncio.wait_for(acks.get(), 30) == {"envelope_id": "env-1"}
        await transport.drain()
        assert said(fake, dm(FAYUAN)) == [answer(db, FAYUAN, dm(FAYUAN), "任务18")]
        [opened] = fake.calls("apps.connections.open")
        assert opened.token == DEFAULT_APP_TOKEN
    finally:
        await transport.stop()
        await runner.cleanup()


async def test_socket_mode_slash_command_and_button_press(
    fake: FakeSlack, dispatcher: Dispatcher, db: Database, clock: FakeClock
) -> None:
    """Over Socket Mode too: `/duban 任务18已完成` answers with a preview, and its 确认 button, pressed and sent
    as an `interactive` envelope, records the completion once; every envelope is acknowledged."""
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    runner = await pushing_websocket_server(acks, outgoing)
    fake.socket_mode_url = f"ws://127.0.0.1:{runner.addresses[0][1]}/link"
    transport = SlackTransport(
        settings(fake, app_token=DEFAULT_APP_TOKEN), dispatcher, clock=lambda: AT, sleep=clock.sleep
    )
    try:
        await transport.start()
        command = {
            "token": "x", "team_id": FakeSlack.team_id, "channel_id": dm(FAYUAN), "channel_name": "directmessage",
            "user_id": FAYUAN, "user_name": "fayuan", "command": COMMAND, "text": "任务18已完成",
            "api_app_id": "A0000DUBAN", "response_url": "http://127.0.0.1:9/unused", "trigger_id": "1.1.trigger",
        }  # fmt: skip
        await outgoing.put({"envelope_id": "env-cmd", "type": "slash_commands", "payload": command,
                            "accepts_response_payload": True})  # fmt: skip
        assert (await asyncio.wait_for(acks.get(), 30))["envelope_id"] == "env-cmd"
        await transport.drain()
        [preview] = fake.posted
        confirm = buttons(preview)["确认"]
        pressed = {
            "type": "block_actions", "team": {"id": FakeSlack.team_id}, "user": {"id": FAYUAN},
            "api_app_id": "A0000DUBAN", "trigger_id": "2.1.trigger",
            "container": {"type": "message", "message_ts": preview.ts, "channel_id": preview.channel},
            "channel": {"id": preview.channel},
            "message": {"type": "message", "ts": preview.ts, "text": preview.text, "blocks": preview.blocks},
            "actions": [{"type": "button", "action_id": "duban_confirm", "block_id": "duban_buttons",
                         "value": confirm, "action_ts": "1758506500.000009"}],
        }  # fmt: skip
        clock.now += 5
        await outgoing.put({"envelope_id": "env-btn", "type": "interactive", "payload": pressed,
                            "accepts_response_payload": False})  # fmt: skip
        assert (await asyncio.wait_for(acks.get(), 30))["envelope_id"] == "env-btn"
        await transport.drain()
        assert count(db, TaskEvent) == 1
        assert said(fake, preview.channel)[-1].startswith("已提交：任务18")
        assert [u.ts for u in fake.updated] == [preview.ts]  # the buttons are gone from the preview
    finally:
        await transport.stop()
        await runner.cleanup()


async def pushing_websocket_server(
    acks: asyncio.Queue[dict[str, Any]], outgoing: asyncio.Queue[dict[str, Any]]
) -> web.AppRunner:
    """A Socket Mode endpoint that sends hello, then whatever the test puts in outgoing, and collects acks."""

    async def link(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})

        async def push() -> None:
            while True:
                await socket.send_json(await outgoing.get())

        pushing = asyncio.create_task(push())
        try:
            async for received in socket:
                if received.type == aiohttp.WSMsgType.TEXT:
                    await acks.put(json.loads(received.data))
        finally:
            pushing.cancel()
        return socket

    application = web.Application()
    application.router.add_get("/link", link)
    runner = web.AppRunner(application)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def websocket_server(acks: asyncio.Queue[dict[str, Any]], *messages: dict[str, Any]) -> web.AppRunner:
    """A Socket Mode endpoint that sends hello and then messages at once, and collects acks."""
    outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for message in messages:
        outgoing.put_nowait(message)
    return await pushing_websocket_server(acks, outgoing)


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_a_wrong_app_token_fails_start(fake: FakeSlack, dispatcher: Dispatcher) -> None:
    from slack_sdk.errors import SlackApiError

    transport = SlackTransport(settings(fake, app_token="xapp-1-wrong-token"), dispatcher)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await transport.start()
    await transport.stop()


@SQLITE_ONLY  # the transport alone: one backend is enough
def test_http_mode_needs_the_signing_secret(fake: FakeSlack, dispatcher: Dispatcher) -> None:
    with pytest.raises(ValueError, match="signing secret"):
        SlackTransport(SlackSettings(bot_token=DEFAULT_TOKEN), dispatcher)


# ---- the app manifest -------------------------------------------------------------------------------------------


def test_manifest_declares_what_the_transport_relies_on() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert manifest["display_information"]["name"] == "督办"
    assert manifest["features"]["bot_user"]["display_name"] == "督办"
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    settings_ = manifest["settings"]
    assert set(settings_["event_subscriptions"]["bot_events"]) == {"message.im", "app_mention"}
    assert settings_["interactivity"]["is_enabled"] is True
    assert settings_["socket_mode_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "im:history", "app_mentions:read", "commands", "users:read", "im:write"} <= scopes
    assert {"files:read", "files:write"} <= scopes  # 佐证材料 in and out
    assert EVENTS_PATH in MANIFEST.read_text(encoding="utf-8")  # the HTTP-mode request URLs in the comments


# ---- 佐证材料: files shared with the bot -----------------------------------------------------------------------

PDF_FILE = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_FILE = b"\xff\xd8\xff\xe0" + bytes(300)


@pytest.fixture
async def filing(
    fake: FakeSlack, dispatcher: Dispatcher, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[SlackTransport]:
    """The transport over a core that keeps evidence under tmp_path."""
    files = EvidenceFiles(tmp_path / "evidence", tmp_path / "inbox")
    dispatcher.core = Core(Knowledge(dispatcher.db, evidence=files))
    transport = SlackTransport(settings(fake), dispatcher, clock=lambda: AT, sleep=clock.sleep)
    await transport.start()
    yield transport
    await transport.stop()


def file_share(slack: Slack, user: str, caption: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    number = slack.next_id()
    return {
        "type": "message", "subtype": "file_share", "channel": dm(user), "user": user, "text": caption,
        "files": files, "channel_type": "im", "ts": f"1758506400.{number:06d}",
        "event_ts": f"1758506400.{number:06d}",
    }  # fmt: skip


def evidence_rows(db: Database) -> list[Evidence]:
    with Session(db.engine) as session:
        return list(session.exec(select(Evidence).order_by(Evidence.id)).all())  # type: ignore[arg-type]


async def test_shared_files_become_evidence_and_an_admin_gets_one_uploaded(
    filing: SlackTransport, fake: FakeSlack, db: Database
) -> None:
    assert filing.http_url is not None
    slack = Slack(filing.http_url, SECRET)
    pdf = fake.add_file(PDF_FILE, "验收报告.pdf", mimetype="application/pdf")
    jpeg = fake.add_file(JPEG_FILE, "现场.jpg", mimetype="image/jpeg")
    event = file_share(slack, FAYUAN, "任务18已完成", [pdf, jpeg])
    assert (await slack.event(event))[0] == 200
    await filing.drain()
    preview, second = said(fake, dm(FAYUAN))
    assert "请确认以下上报：" in preview and "已收到佐证材料「验收报告.pdf」" in preview
    assert "已收到佐证材料「现场.jpg」" in second and "待确认的上报“任务18”" in second  # joins the preview
    assert fake.downloads == [pdf["id"], jpeg["id"]]
    first_row, second_row = evidence_rows(db)
    assert first_row.pending_id == second_row.pending_id is not None
    assert first_row.message_id == f"{dm(FAYUAN)}:{event['ts']}"
    assert second_row.message_id == f"{dm(FAYUAN)}:{event['ts']}:file1"

    await slack.event(event, event_id="Ev-again")  # the same message delivered again: nothing new
    await filing.drain()
    assert len(evidence_rows(db)) == 2

    await slack.dm(ADMIN, f"查看佐证 {first_row.id}")
    await filing.drain()
    [uploaded] = fake.uploaded
    assert (uploaded.channel, uploaded.filename, uploaded.content) == (dm(ADMIN), "验收报告.pdf", PDF_FILE)
    assert said(fake, dm(ADMIN))[0].startswith(f"佐证 {first_row.id}「验收报告.pdf」")

    await slack.dm(WANG, f"查看佐证 {first_row.id}")  # another unit's member
    await filing.drain()
    assert said(fake, dm(WANG)) == [texts.evidence_not_found(first_row.id)] and len(fake.uploaded) == 1


@SQLITE_ONLY  # the transport alone: one backend is enough
async def test_a_shared_file_over_the_limit_is_not_downloaded(
    filing: SlackTransport, fake: FakeSlack, db: Database
) -> None:
    assert filing.http_url is not None
    slack = Slack(filing.http_url, SECRET)
    huge = fake.add_file(b"%PDF-", "大.pdf", mimetype="application/pdf", size=30 * 1024 * 1024)
    await slack.event(file_share(slack, FAYUAN, "", [huge]))
    await filing.drain()
    assert said(fake, dm(FAYUAN)) == [texts.evidence_refused("too_large", MAX_BYTES)]
    assert fake.downloads == [] and evidence_rows(db) == []


def test_the_token_goes_only_to_slacks_file_host() -> None:
    from bot.transports.slack_files import _trusted

    assert _trusted("https://files.slack.com/files-pri/T1-F1/a.pdf", "https://slack.com/api/")
    assert not _trusted("http://files.slack.com/files-pri/T1-F1/a.pdf", "https://slack.com/api/")
    assert not _trusted("https://evil.example/files-pri/a.pdf", "https://slack.com/api/")
    assert not _trusted("https://slack.com/files-pri/a.pdf", "https://slack.com/api/")
    assert _trusted("http://127.0.0.1:5000/files-pri/a.pdf", "http://127.0.0.1:5000/api/")
    assert not _trusted("http://127.0.0.1:5001/files-pri/a.pdf", "http://127.0.0.1:5000/api/")
