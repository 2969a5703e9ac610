"""The Telegram transport end to end: the real python-telegram-bot Application polls (or serves a webhook for)
the fake Bot API on 127.0.0.1, the dispatcher runs the real core on a seeded database (SQLite and PostgreSQL).

Nothing here sleeps for timing: the tests wait on the fake server (`wait_for`, woken by every request) and,
where the effect is in the database after the last request, stop the transport, which finishes the handlers
in flight.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.telegram_server import FakeTelegram, SentMessage
from sqlalchemy import text
from sqlmodel import Session, select

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.dispatch import Dispatcher
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Button, Inbound, Outbound
from bot.conversation.reminders import ReminderTexts
from bot.transports.config import TelegramSettings
from bot.transports.telegram_transport import TelegramTransport, addressed_text, reply_parts, toast
from schedules.calendar import WorkCalendar
from schedules.delivery import Deliverer
from schedules.port import Outgoing
from schedules.sweep import run_sweep
from store.calendar_overrides import calendar_overrides
from store.db import Database
from store.evidence_files import MAX_BYTES, EvidenceFiles
from store.members import add_member, create_invite, find_member
from store.models import Evidence, TaskEvent
from store.reminder_chats import Target, bind_unit_chat, latest_unacknowledged, unit_chats

TOKEN = "123456789:TEST-token"
NOW = datetime(2025, 9, 22, 10, 0, tzinfo=LOCAL_TZ)  # a Monday, inside the reminder sending window
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
GULOU = "鼓楼区人民政府"
BOT_NAME = "duban_test_bot"
QUESTION = "市检察院有哪些任务"

# PTB 22 warns from RetryAfter's constructor that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Harness:
    """A transport on a fake Bot API with a fixed clock and a recording sleep."""

    def __init__(
        self, db: Database, fake: FakeTelegram, dispatcher: Dispatcher | None = None, **settings: Any
    ):
        self.db = db
        self.fake = fake
        self.dispatcher = dispatcher or Dispatcher(Core(Knowledge(db)))
        self.sleeps: list[float] = []
        self.transport = TelegramTransport(
            TelegramSettings(TOKEN, base_url=fake.base_url, **settings),
            self.dispatcher,
            clock=lambda: NOW,
            sleep=self._sleep,
        )
        self._message_ids = itertools.count(10_000)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def close(self) -> None:
        await self.transport.stop()
        self.dispatcher.close()

    def member(self, user: int, unit: str | None, role: str = "staff", name: str = "王五") -> None:
        add_member(
            self.db,
            platform="telegram",
            user_id=str(user),
            display_name=name,
            unit=unit,
            role=role,
            at=JOINED,
        )

    def expected(self, user: int, question: str) -> str:
        """What the core answers this user, asked directly (a core of its own: no shared conversation)."""
        inbound = Inbound("telegram", str(user), str(user), question, NOW)
        return Core(self.dispatcher.core.knowledge).handle(inbound)[0].text

    def say(self, chat: int, user: int, words: str, **kwargs: Any) -> int:
        return self.fake.queue_update(self.message(chat, user, words, **kwargs))

    def message(
        self, chat: int, user: int, words: str, *, name: str = "王五", reply_to_bot: bool = False
    ) -> dict[str, Any]:
        chat_json = (
            {"id": chat, "type": "supergroup", "title": "督办群"}
            if chat < 0
            else {"id": chat, "type": "private", "first_name": name}
        )
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(NOW.timestamp()),
            "chat": chat_json,
            "from": {"id": user, "is_bot": False, "first_name": name},
            "text": words,
        }
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": 1,
                "date": int(NOW.timestamp()),
                "chat": chat_json,
                "from": self.fake.bot_user(),
                "text": "之前的回答",
            }
        return {"message": message}

    def press(self, sent: SentMessage, user: int, data: str, query_id: str) -> int:
        """A callback query for a button under a message the bot sent."""
        chat = int(sent.chat_id)
        message = {
            "message_id": sent.message_id,
            "date": int(NOW.timestamp()),
            "chat": {"id": chat, "type": "supergroup" if chat < 0 else "private", "first_name": "x"},
            "from": self.fake.bot_user(),
            "text": sent.text,
            "reply_markup": sent.reply_markup,
        }
        query = {
            "id": query_id,
            "from": {"id": user, "is_bot": False, "first_name": "王五"},
            "chat_instance": "ci-1",
            "data": data,
            "message": message,
        }
        return self.fake.queue_update({"callback_query": query})

    def to(self, chat: int) -> list[str]:
        return [m.text for m in self.fake.sent if m.chat_id == str(chat)]

    async def replies(self, count: int) -> None:
        await self.fake.wait_for(lambda: len(self.fake.sent) >= count)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(db: Database, fake: FakeTelegram) -> AsyncIterator[Harness]:
    harness = Harness(db, fake)
    await harness.transport.start()
    try:
        yield harness
    finally:
        await harness.close()


def buttons(sent: SentMessage) -> list[str]:
    assert sent.reply_markup is not None
    return [b["callback_data"] for row in sent.reply_markup["inline_keyboard"] for b in row]


def task_events(db: Database) -> list[TaskEvent]:
    with Session(db.engine) as session:
        return list(session.exec(select(TaskEvent)).all())


# --- conversations -----------------------------------------------------------------------------------


async def test_onboarding_by_invite_code_then_a_question(bot: Harness) -> None:
    invite = create_invite(
        bot.db, unit=GULOU, role="staff", expires_at=NOW + timedelta(days=7), at=NOW, actor="test"
    )
    bot.say(501, 501, f"/start {invite.code}", name="王五")
    await bot.replies(1)
    member = find_member(bot.db, platform="telegram", user_id="501")
    assert member is not None and member.unit == GULOU and member.display_name == "王五"
    assert bot.to(501) == [texts.bound("王五", GULOU, "staff")]
    bot.say(501, 501, "鼓楼专利授权量进度")
    await bot.replies(2)
    assert bot.to(501)[1] == bot.expected(501, "鼓楼专利授权量进度")
    assert "年专利授权量" in bot.to(501)[1]
    # polling, after the command menu was set, dropping nothing that was waiting
    methods = [method for method, _ in bot.fake.calls]
    assert "getUpdates" in methods and "setWebhook" not in methods
    assert [c["command"] for c in bot.fake.commands] == ["start", "help", "bind", "tasks", "progress"]
    assert all(params.get("drop_pending_updates") in (None, "False", "false") for _, params in bot.fake.calls)


async def test_an_unbound_user_is_told_how_to_bind(bot: Harness) -> None:
    bot.say(502, 502, QUESTION)
    await bot.replies(1)
    assert bot.to(502) == [texts.NOT_BOUND]


async def test_a_report_confirmed_by_its_button_is_recorded_once(bot: Harness) -> None:
    bot.member(601, "中院", name="李法官")
    bot.say(601, 601, "任务18已完成")
    await bot.replies(1)
    preview = bot.fake.sent[0]
    assert "任务18" in preview.text
    confirm, cancel = buttons(preview)
    assert confirm.startswith("confirm:") and cancel.startswith("cancel:")
    assert task_events(bot.db) == []

    bot.press(preview, 601, confirm, "q-1")
    await bot.fake.wait_for(lambda: len(bot.fake.sent) >= 2 and bot.fake.callback_answers != [])
    confirmation = bot.fake.sent[1]
    assert confirmation.text.startswith("已提交：任务18") and confirmation.reply_markup is None
    answer = bot.fake.callback_answers[0]
    assert answer["callback_query_id"] == "q-1" and answer["text"] == confirmation.text.split("\n")[0]
    assert [(e.message_id, e.reply_markup) for e in bot.fake.markup_edits] == [(preview.message_id, None)]
    assert len(task_events(bot.db)) == 1

    bot.press(preview, 601, confirm, "q-2")  # the same button again (an old client still showing it)
    await bot.fake.wait_for(lambda: len(bot.fake.sent) >= 3)
    assert bot.fake.sent[2].text == texts.already_decided("confirmed")
    assert bot.fake.callback_answers[1]["text"] == texts.already_decided("confirmed").split("\n")[0]
    assert len(task_events(bot.db)) == 1  # no second record
    assert len(bot.fake.markup_edits) == 1  # "message is not modified" from Telegram, only logged


async def test_messages_with_the_same_id_in_two_chats_are_two_messages(bot: Harness) -> None:
    """Telegram counts message ids per chat: two private chats both have a message 5. Each sender gets the
    preview of their own report, and both reports are recorded."""
    bot.member(701, "中院", name="李法官")
    bot.member(702, GULOU)
    for chat, words in ((701, "任务18已完成"), (702, "任务41已完成")):
        update = bot.message(chat, chat, words)
        update["message"]["message_id"] = 5
        bot.fake.queue_update(update)
        await bot.replies(1 if chat == 701 else 2)
    [first], [second] = ([m for m in bot.fake.sent if m.chat_id == str(chat)] for chat in (701, 702))
    assert "任务18" in first.text and "任务41" in second.text
    bot.press(first, 701, buttons(first)[0], "q-701")
    bot.press(second, 702, buttons(second)[0], "q-702")
    await bot.replies(4)
    await bot.close()
    assert sorted(str(e.message_id) for e in task_events(bot.db)) == ["701:5", "702:5"]


async def test_an_unknown_button_gets_a_polite_answer_and_nothing_else(bot: Harness) -> None:
    bot.member(602, GULOU)
    bot.say(602, 602, QUESTION)
    await bot.replies(1)
    for number, data in enumerate(("done:41", "confirm:abc", "ack:1;DROP TABLE")):
        bot.press(bot.fake.sent[0], 602, data, f"odd-{number}")
    await bot.fake.wait_for(lambda: len(bot.fake.callback_answers) == 3)
    assert {a["text"] for a in bot.fake.callback_answers} == {texts.BUTTON_EXPIRED}
    await bot.close()
    assert len(bot.fake.sent) == 1 and bot.fake.markup_edits == []


async def test_a_digest_sent_through_the_port_is_acknowledged_by_its_button(bot: Harness) -> None:
    bot.member(701, GULOU)
    bind_unit_chat(
        bot.db, unit=GULOU, target=Target("telegram", "701"), member_id=None, actor="test", at=JOINED
    )
    calendar = WorkCalendar(calendar_overrides(bot.db))
    assert run_sweep(bot.db, now=NOW, calendar=calendar, instance="test") is not None

    async def no_wait(_seconds: float) -> None:
        return None

    deliverer = Deliverer(
        bot.db, {"telegram": bot.transport.port}, ReminderTexts(), calendar, clock=lambda: NOW,
        worker="test", monotonic=lambda: 0.0, sleep=no_wait,
    )  # fmt: skip
    stats = await deliverer.deliver_due()
    assert stats.sent == 1  # the one unit with a chat; the others are reported unbound
    digest = bot.fake.sent[0]
    assert digest.chat_id == "701" and digest.text.startswith("【督办提醒】鼓楼区人民政府")
    (ack,) = buttons(digest)
    assert latest_unacknowledged(bot.db, GULOU, today=NOW.date()) == int(ack.removeprefix("ack:"))

    bot.press(digest, 701, ack, "q-ack")
    await bot.fake.wait_for(lambda: len(bot.fake.sent) >= 2 and bot.fake.callback_answers != [])
    assert bot.to(701)[1] == texts.ACKED
    assert bot.fake.callback_answers[0]["text"] == texts.ACKED
    assert [e.message_id for e in bot.fake.markup_edits] == [digest.message_id]
    assert latest_unacknowledged(bot.db, GULOU, today=NOW.date()) is None
    with bot.db.engine.connect() as connection:
        kinds = connection.execute(
            text("SELECT kind FROM delivery_event WHERE message_id = :id ORDER BY id"),
            {"id": int(ack.removeprefix("ack:"))},
        ).scalars()
        assert list(kinds)[-1] == "acked"


# --- delivery problems -------------------------------------------------------------------------------


async def test_a_429_is_waited_out_through_the_injected_sleep(bot: Harness) -> None:
    bot.member(801, GULOU)
    bot.fake.fail_next(801, 429, retry_after=7)
    bot.say(801, 801, QUESTION)
    await bot.replies(1)
    assert bot.to(801) == [bot.expected(801, QUESTION)]
    assert bot.sleeps == [7.0] and bot.fake.failures_served == 1


async def test_a_reply_throttled_again_and_again_is_given_up(bot: Harness) -> None:
    bot.member(802, GULOU)
    bot.fake.fail_next(802, 429, retry_after=2, times=10)
    bot.say(802, 802, QUESTION)
    await bot.fake.wait_for(lambda: bot.fake.failures_served == 4)
    await bot.close()
    assert bot.sleeps == [2.0, 2.0, 2.0] and bot.fake.sent == []


async def test_a_user_who_blocked_the_bot_loses_the_unit_chat_and_the_admins_are_told(bot: Harness) -> None:
    bot.member(900, "市监局", role="admin", name="陈督办")
    bot.member(901, GULOU)
    bot.say(901, 901, "接收提醒")
    await bot.replies(1)
    assert bot.to(901) == [texts.chat_bound(GULOU)]
    assert unit_chats(bot.db)[GULOU] == Target("telegram", "901", False)

    bot.fake.fail_next(901, 403, "Forbidden: bot was blocked by the user")
    bot.say(901, 901, QUESTION)
    await bot.fake.wait_for(lambda: bot.fake.failures_served == 1)
    await bot.close()  # lets the handler finish recording the refusal
    assert GULOU not in unit_chats(bot.db)
    with bot.db.engine.connect() as connection:
        notices = connection.execute(
            text("SELECT body FROM reminder_message WHERE kind = 'notice'")
        ).scalars()
        bodies = list(notices)
    assert len(bodies) == 1 and GULOU in bodies[0] and "blocked by the user" in bodies[0]
    assert len(bot.fake.sent) == 1


async def test_a_long_reply_is_split_on_lines_with_the_buttons_on_the_last_part(
    db: Database, fake: FakeTelegram
) -> None:
    long_text = "\n".join(
        f"{n}. 任务{n}已逾期 3 个工作日（时限 2025-08-31），请尽快办结并报送" for n in range(300)
    )

    class LongAnswers(Dispatcher):
        async def handle(self, inbound: Inbound, *, event_id: str | None = None) -> list[Outbound] | None:
            return [Outbound(long_text, (Button("收到", "ack:1"),))]

    harness = Harness(db, fake, LongAnswers(Core(Knowledge(db))))
    await harness.transport.start()
    try:
        harness.say(42, 42, "全部任务")
        await harness.fake.wait_for(lambda: "\n".join(harness.to(42)) == long_text)
    finally:
        await harness.close()
    sent = fake.sent
    assert len(sent) > 2 and all(len(m.text) <= 4096 for m in sent)
    assert [m.reply_markup is not None for m in sent] == [False] * (len(sent) - 1) + [True]


async def test_a_failure_in_the_core_gets_an_apology_not_a_traceback(
    db: Database, fake: FakeTelegram
) -> None:
    class Broken(Dispatcher):
        async def handle(self, inbound: Inbound, *, event_id: str | None = None) -> list[Outbound] | None:
            raise RuntimeError("database went away")

    harness = Harness(db, fake, Broken(Core(Knowledge(db))))
    await harness.transport.start()
    try:
        harness.say(43, 43, QUESTION)
        await harness.replies(1)
        await harness.transport.port.send(
            Outgoing(Target("telegram", "43"), "【督办提醒】…", (("收到", "ack:9"),))
        )
        harness.press(fake.sent[1], 43, "ack:9", "q-broken")
        await harness.replies(3)
    finally:
        await harness.close()
    assert harness.to(43) == [texts.TELEGRAM_FAILED, "【督办提醒】…", texts.TELEGRAM_FAILED]
    assert fake.callback_answers[0]["text"] == texts.TELEGRAM_FAILED
    assert fake.markup_edits == []  # the button stays, to be pressed again


async def test_a_failed_command_menu_is_only_a_warning(
    db: Database, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    from fakes.telegram_server import _ApiError

    def refuse(_params: dict[str, Any]) -> bool:
        raise _ApiError(500, "Internal Server Error")

    fake._handlers["setmycommands"] = refuse
    harness = Harness(db, fake)
    await harness.transport.start()
    try:
        harness.say(44, 44, QUESTION)
        await harness.replies(1)
    finally:
        await harness.close()
    assert harness.to(44) == [texts.NOT_BOUND]
    assert "could not set the Telegram command menu" in caplog.text


# --- receiving ---------------------------------------------------------------------------------------


async def test_a_redelivered_update_is_answered_once_even_after_a_restart(
    db: Database, fake: FakeTelegram
) -> None:
    first = Harness(db, fake)
    first.member(1101, GULOU)
    update = first.message(1101, 1101, QUESTION) | {"update_id": 77}
    await first.transport.start()
    try:
        fake.queue_update(update)
        fake.queue_update(update)  # the same delivery twice in one batch
        first.say(1102, 1102, "/help")  # another chat: its answer comes after both were fetched
        await first.fake.wait_for(lambda: len(fake.sent) >= 2)
    finally:
        await first.close()
    assert first.to(1101) == [first.expected(1101, QUESTION)]

    second = Harness(db, fake)  # a new process: only the database remembers
    await second.transport.start()
    try:
        fake.queue_update(update)
        second.say(1102, 1102, "/help")
        await second.fake.wait_for(lambda: len(fake.sent) >= 3)
    finally:
        await second.close()
    assert len(second.to(1101)) == 1 and len(second.to(1102)) == 2


async def test_in_a_group_only_messages_for_this_bot_are_answered(bot: Harness) -> None:
    group = -100500
    bot.member(1001, GULOU)
    bot.say(group, 1001, QUESTION)  # people talking among themselves
    bot.say(group, 1001, f"@{BOT_NAME} {QUESTION}")
    bot.say(group, 1001, "/tasks@other_bot 市检察院")
    bot.say(group, 1001, "/weather")  # another bot's bare command
    bot.say(group, 1001, f"/tasks@{BOT_NAME} 市检察院")
    bot.say(group, 1001, QUESTION, reply_to_bot=True)
    bot.say(1001, 1001, "/help")  # private: after everything above was fetched
    await bot.replies(4)
    await bot.close()
    answer = bot.expected(1001, QUESTION)
    assert bot.to(group) == [answer, bot.expected(1001, "/tasks 市检察院"), answer]
    assert bot.to(1001) == [texts.HELP]
    quoted = [p for m, p in bot.fake.calls if m == "sendMessage" and p["chat_id"] == str(group)]
    assert all("reply_parameters" in p for p in quoted)


async def test_webhook_mode_checks_the_secret_token(db: Database, fake: FakeTelegram) -> None:
    with socket.socket() as probe:  # a free port for the webhook server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram/hook"
    harness = Harness(
        db, fake, webhook_url=url, webhook_secret="s3cret-Token", webhook_listen=("127.0.0.1", port)
    )
    harness.member(1201, GULOU)
    await harness.transport.start()
    try:
        assert fake.webhook_url == url
        set_webhook = next(p for m, p in fake.calls if m == "setWebhook")
        assert set_webhook["secret_token"] == "s3cret-Token"
        async with httpx.AsyncClient() as client:
            body = harness.message(1201, 1201, QUESTION) | {"update_id": 5}
            wrong = await client.post(url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            missing = await client.post(url, json=body | {"update_id": 6})
            assert (wrong.status_code, missing.status_code) == (403, 403)
            right = await client.post(
                url, json=body | {"update_id": 7}, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}
            )
            assert right.status_code == 200
        await harness.replies(1)
    finally:
        await harness.close()
    assert harness.to(1201) == [harness.expected(1201, QUESTION)]
    assert "getUpdates" not in [m for m, _ in fake.calls]


# --- translation helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "group", "reply_to_bot", "expected"),
    [
        (QUESTION, False, False, QUESTION),
        (QUESTION, True, False, None),
        (QUESTION, True, True, QUESTION),
        (f"@{BOT_NAME} {QUESTION}", True, False, QUESTION),
        (f"请问@{BOT_NAME}，任务18谁负责", True, False, "请问 ，任务18谁负责"),
        (f"@{BOT_NAME}2 {QUESTION}", True, False, None),  # a different bot whose name starts alike
        ("/tasks@other_bot 市检察院", True, False, None),
        ("/tasks@other_bot 市检察院", False, False, "/tasks@other_bot 市检察院"),
        (f"/tasks@{BOT_NAME.upper()} 市检察院", True, False, "/tasks 市检察院"),
        ("/start K7Q2M9XDAB", True, False, "/start K7Q2M9XDAB"),
        ("/remind_here", True, False, "/remind_here"),
        ("/weather", True, False, None),
        ("/weather", False, False, "/weather"),
        (f"/progress@{BOT_NAME}\n鼓楼专利授权量", False, False, "/progress 鼓楼专利授权量"),
    ],
)
def test_addressed_text(words: str, group: bool, reply_to_bot: bool, expected: str | None) -> None:
    assert addressed_text(words, group=group, username=BOT_NAME, reply_to_bot=reply_to_bot) == expected


def test_reply_parts_and_toast() -> None:
    reply = Outbound("第一行\n" + "长" * 5000, (Button("确认", "confirm:3"), Button("取消", "cancel:3")))
    parts = reply_parts(reply)
    assert [len(text) for text, _ in parts] == [3, 4096, 904]
    assert [markup is not None for _, markup in parts] == [False, False, True]
    assert toast([reply]) == "第一行"
    assert toast([Outbound("好" * 300)]) == "好" * 199 + "…"
    assert toast(None) is None and toast([]) is None
    assert reply_parts(Outbound("  \n")) == []


# --- 佐证材料: photos and documents -------------------------------------------------------------------------

JPEG_SMALL = b"\xff\xd8\xff\xe0small" + bytes(100)
JPEG_LARGE = b"\xff\xd8\xff\xe0large" + bytes(5000)
PDF_FILE = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def filing(db: Database, fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    """A transport whose core keeps evidence under tmp_path."""
    files = EvidenceFiles(tmp_path / "evidence", tmp_path / "inbox")
    harness = Harness(db, fake, Dispatcher(Core(Knowledge(db, evidence=files))))
    await harness.transport.start()
    try:
        yield harness
    finally:
        await harness.close()


def evidence_rows(db: Database) -> list[Evidence]:
    with Session(db.engine) as session:
        return list(session.exec(select(Evidence).order_by(Evidence.id)).all())  # type: ignore[arg-type]


async def test_a_photo_and_a_document_become_evidence_and_an_admin_gets_the_document(filing: Harness) -> None:
    bot = filing
    bot.member(601, "中院", name="李法官")
    bot.member(900, "市监局", role="admin", name="陈督办")
    update = bot.message(601, 601, "")
    del update["message"]["text"]
    update["message"]["caption"] = "任务18已完成"
    update["message"]["photo"] = [  # Telegram sends every size; the largest is the one kept
        bot.fake.add_file(JPEG_SMALL, kind="photo"),
        bot.fake.add_file(JPEG_LARGE, kind="photo"),
    ]
    bot.fake.queue_update(update)
    await bot.replies(1)
    preview = bot.fake.sent[0]
    assert "请确认以下上报：" in preview.text and "已收到佐证材料「photo-" in preview.text
    assert buttons(preview)[0].startswith("confirm:")
    assert bot.fake.downloads == ["photos/file_2.jpg"]  # only the largest size was fetched
    bot.press(preview, 601, buttons(preview)[0], "q-photo")
    await bot.replies(2)

    document = bot.message(601, 601, "")
    del document["message"]["text"]
    document["message"]["document"] = bot.fake.add_file(PDF_FILE, name="验收报告.pdf", mime="application/pdf")
    bot.fake.queue_update(document)
    await bot.replies(3)
    assert (
        "已收到佐证材料「验收报告.pdf」" in bot.fake.sent[2].text
        and "任务18 报告完成" in bot.fake.sent[2].text
    )
    photo_row, pdf_row = evidence_rows(bot.db)
    assert photo_row.size == len(JPEG_LARGE) and photo_row.content_type == "image/jpeg"
    assert (pdf_row.original_name, pdf_row.content_type) == ("验收报告.pdf", "application/pdf")
    assert pdf_row.message_id == f"601:{document['message']['message_id']}"

    bot.say(900, 900, f"查看佐证 {pdf_row.id}")
    await bot.fake.wait_for(lambda: len(bot.fake.documents) == 1)
    [sent] = bot.fake.documents
    assert (sent.chat_id, sent.filename, sent.content) == ("900", "验收报告.pdf", PDF_FILE)
    assert bot.to(900)[0].startswith(f"佐证 {pdf_row.id}「验收报告.pdf」")

    bot.member(700, GULOU)
    bot.say(700, 700, f"查看佐证 {pdf_row.id}")  # another unit: told nothing, sent nothing
    await bot.fake.wait_for(lambda: len(bot.to(700)) == 1)
    assert bot.to(700) == [texts.evidence_not_found(pdf_row.id)] and len(bot.fake.documents) == 1


async def test_an_admins_plan_document_is_previewed_and_loaded_on_the_confirm_button(
    db: Database, fake: FakeTelegram, tmp_path: Path
) -> None:
    """duban plans import in chat: the admin sends the plan file with 导入; the preview says what was read,
    the 确认 button loads it, and the next question is answered from it."""
    files = EvidenceFiles(tmp_path / "evidence", tmp_path / "inbox")
    bot = Harness(db, fake, Dispatcher(Core(Knowledge(db, evidence=files, imports=tmp_path / "imports"))))
    await bot.transport.start()
    try:
        bot.member(900, "市监局", role="admin", name="陈督办")
        content = (
            Path(__file__).parent / "importer" / "fixtures" / "fuzhou_brand_tasks_2025.txt"
        ).read_bytes()
        update = bot.message(900, 900, "")
        del update["message"]["text"]
        update["message"]["caption"] = "导入"
        update["message"]["document"] = bot.fake.add_file(
            content, name="商标品牌任务分解表.txt", mime="text/plain"
        )
        bot.fake.queue_update(update)
        await bot.replies(1)
        preview = bot.fake.sent[0]
        assert "请确认导入以下方案：" in preview.text and "识别出 12 项任务、3 项指标" in preview.text
        bot.press(preview, 900, buttons(preview)[0], "q-import")
        await bot.replies(2)
        assert "已载入《福州市2025年商标品牌建设重点任务分解表》" in bot.fake.sent[1].text
        bot.say(900, 900, "商标品牌方案第12项")
        await bot.replies(3)
        assert "市品牌发展促进会（牵头）" in bot.fake.sent[2].text
    finally:
        await bot.close()


async def test_a_document_over_the_limit_is_refused_without_downloading(filing: Harness) -> None:
    bot = filing
    bot.member(601, "中院", name="李法官")
    bot.say(601, 601, "任务18进展：已上线")
    await bot.replies(1)
    update = bot.message(601, 601, "")
    del update["message"]["text"]
    update["message"]["document"] = bot.fake.add_file(
        b"%PDF-", name="大文件.pdf", mime="application/pdf", size=25 * 1024 * 1024
    )
    bot.fake.queue_update(update)
    await bot.replies(2)
    assert bot.fake.sent[1].text == texts.evidence_refused("too_large", MAX_BYTES)
    assert bot.fake.downloads == [] and "getFile" not in [m for m, _ in bot.fake.calls]
    await bot.close()
    assert evidence_rows(bot.db) == []


async def test_a_captionless_photo_in_a_group_is_for_the_bot_only_as_a_reply_to_it(filing: Harness) -> None:
    bot = filing
    bot.member(601, "中院", name="李法官")
    for reply_to_bot in (False, True):
        update = bot.message(-100, 601, "", reply_to_bot=reply_to_bot)
        del update["message"]["text"]
        update["message"]["photo"] = [bot.fake.add_file(JPEG_SMALL, kind="photo")]
        bot.fake.queue_update(update)
    await bot.replies(1)
    await bot.close()
    assert bot.to(-100) == [texts.EVIDENCE_NO_REPORT]  # the reply was answered; the other ignored
    assert bot.fake.downloads == ["photos/file_2.jpg"]
