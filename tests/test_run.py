"""`duban run`: settings from the environment and `.env`, the console fallback with reminders, clean stops."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes.telegram_server import FakeTelegram, SentMessage
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.cli.run import ConsoleIO, SecretFilter, serve
from bot.cli.settings import Settings
from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ
from bot.transports.config import TelegramSettings
from schedules.calendar import WorkCalendar
from schedules.sweep import run_sweep
from store.db import Database
from store.errors import StoreError
from store.inbound import first_sight
from store.members import add_member
from store.outbox import delivery_log, waiting_count
from store.reminder_chats import Target, bind_unit_chat, latest_unacknowledged

TOKEN = "123456:AAFakeTokenForTests_abcdefghij"
SLACK_BOT = "xoxb-1-fake-bot-token"
SLACK_APP = "xapp-1-fake-app-token"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
GULOU = "鼓楼区人民政府"
_SETTINGS_VARS = (
    "DUBAN_TELEGRAM_TOKEN",
    "DUBAN_TELEGRAM_BASE_URL",
    "DUBAN_TELEGRAM_WEBHOOK_URL",
    "DUBAN_TELEGRAM_WEBHOOK_SECRET",
    "DUBAN_TELEGRAM_WEBHOOK_LISTEN",
    "DUBAN_SLACK_BOT_TOKEN",
    "DUBAN_SLACK_APP_TOKEN",
    "DUBAN_SLACK_SIGNING_SECRET",
    "DUBAN_SLACK_BASE_URL",
    "DUBAN_SLACK_LISTEN",
    "DUBAN_ENV_FILE",
    "DUBAN_DB",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A clean environment in an empty working directory (no stray `.env`)."""
    for name in _SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DUBAN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    yield monkeypatch


def test_nothing_configured_means_the_console(env: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env()
    assert settings.telegram is None and settings.slack is None


def test_telegram_and_slack_settings_are_typed(env: pytest.MonkeyPatch) -> None:
    env.setenv("DUBAN_TELEGRAM_TOKEN", TOKEN)
    env.setenv("DUBAN_TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    env.setenv("DUBAN_TELEGRAM_WEBHOOK_URL", "https://duban.example.gov.cn/telegram")
    env.setenv("DUBAN_TELEGRAM_WEBHOOK_SECRET", "s3cret_-value")
    env.setenv("DUBAN_TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0:8443")
    env.setenv("DUBAN_SLACK_BOT_TOKEN", SLACK_BOT)
    env.setenv("DUBAN_SLACK_SIGNING_SECRET", SIGNING)
    settings = Settings.from_env()
    assert settings.telegram is not None and settings.slack is not None
    assert settings.telegram.uses_webhook and settings.telegram.webhook_listen == ("0.0.0.0", 8443)
    assert settings.telegram.base_url == "http://127.0.0.1:8081/bot"
    assert not settings.slack.socket_mode and settings.slack.listen == ("127.0.0.1", 3000)
    shown = repr(settings)
    for secret in (TOKEN, "s3cret_-value", SLACK_BOT, SIGNING):
        assert secret not in shown  # a settings object printed in a log never shows a secret


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DUBAN_TELEGRAM_TOKEN": "not-a-token"}, "DUBAN_TELEGRAM_TOKEN"),
        ({"DUBAN_TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}, "DUBAN_TELEGRAM_TOKEN"),
        ({"DUBAN_TELEGRAM_TOKEN": TOKEN, "DUBAN_TELEGRAM_BASE_URL": "ftp://x"}, "DUBAN_TELEGRAM_BASE_URL"),
        (
            {"DUBAN_TELEGRAM_TOKEN": TOKEN, "DUBAN_TELEGRAM_WEBHOOK_URL": "https://a.example/tg"},
            "DUBAN_TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {"DUBAN_TELEGRAM_TOKEN": TOKEN, "DUBAN_TELEGRAM_WEBHOOK_URL": "https://a.example/tg",
             "DUBAN_TELEGRAM_WEBHOOK_SECRET": "has spaces!"},
            "DUBAN_TELEGRAM_WEBHOOK_SECRET",
        ),
        ({"DUBAN_SLACK_BOT_TOKEN": SLACK_BOT}, "DUBAN_SLACK_APP_TOKEN 或 DUBAN_SLACK_SIGNING_SECRET"),
        ({"DUBAN_SLACK_BOT_TOKEN": "xoxp-user-token", "DUBAN_SLACK_APP_TOKEN": SLACK_APP}, "DUBAN_SLACK_BOT_TOKEN"),
        ({"DUBAN_SLACK_BOT_TOKEN": SLACK_BOT, "DUBAN_SLACK_APP_TOKEN": "xoxb-wrong"}, "DUBAN_SLACK_APP_TOKEN"),
        ({"DUBAN_SLACK_APP_TOKEN": SLACK_APP}, "DUBAN_SLACK_BOT_TOKEN"),
        (
            {"DUBAN_SLACK_BOT_TOKEN": SLACK_BOT, "DUBAN_SLACK_SIGNING_SECRET": SIGNING,
             "DUBAN_SLACK_LISTEN": "3000"},
            "DUBAN_SLACK_LISTEN",
        ),
    ],
)  # fmt: skip
def test_a_missing_or_malformed_setting_is_named_and_secrets_are_not_shown(
    env: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(StoreError) as raised:
        Settings.from_env()
    message = str(raised.value)
    assert named in message
    for secret in ("not-a-token", "xoxp-user-token", "xoxb-wrong", "has spaces!"):
        assert secret not in message


def test_dot_env_is_read_and_the_environment_wins(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    Path(".env").write_text(
        f"# duban settings\nexport DUBAN_TELEGRAM_TOKEN='{TOKEN}'\nDUBAN_PUBLIC_READ=true\n\nDUBAN_DB=sqlite:///x.db\n",
        encoding="utf-8",
    )
    env.setenv("DUBAN_DB", "sqlite:///from-env.db")
    settings = Settings.from_env()
    assert settings.telegram is not None and settings.telegram.token == TOKEN
    assert settings.public_read is True
    assert settings.db_url == "sqlite:///from-env.db"


def test_a_bad_dot_env_line_is_named(env: pytest.MonkeyPatch) -> None:
    Path("custom.env").write_text("DUBAN_PUBLIC_READ=true\nthis is not a setting\n", encoding="utf-8")
    env.setenv("DUBAN_ENV_FILE", "custom.env")
    with pytest.raises(StoreError, match=r"custom\.env 第 2 行"):
        Settings.from_env()
    env.setenv("DUBAN_ENV_FILE", "missing.env")
    with pytest.raises(StoreError, match=r"missing\.env"):
        Settings.from_env()


def test_the_cli_names_a_bad_setting_without_a_traceback(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main

    env.setenv("DUBAN_TELEGRAM_TOKEN", "oops")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "DUBAN_TELEGRAM_TOKEN" in err and "oops" not in err and "Traceback" not in err


def test_a_malformed_today_for_run_is_a_cli_error(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main

    assert main(["run", "--today", "2025-13-01"]) == 2
    err = capsys.readouterr().err
    assert texts.BAD_TODAY in err and "Traceback" not in err


def test_secrets_are_masked_in_log_records() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s", (f"https://api/bot{TOKEN}/getMe",), None
    )
    assert SecretFilter([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage() and "bot***/getMe" in record.getMessage()


# --- the inbound ledger -----------------------------------------------------------------------------------


def test_each_platform_delivery_is_seen_once(db: Database) -> None:
    at = datetime(2025, 9, 22, 10, tzinfo=LOCAL_TZ)
    assert first_sight(db, platform="slack", event_id="Ev01", at=at)
    assert not first_sight(db, platform="slack", event_id="Ev01", at=at)
    assert first_sight(db, platform="telegram", event_id="Ev01", at=at)  # ids are per platform
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM inbound_event"))  # append-only, like every ledger


# --- serving on the console -------------------------------------------------------------------------------


async def test_run_without_transports_answers_on_the_console_and_prints_reminders(db: Database) -> None:
    """09:05 on a working day: the first scheduler run sweeps and the digests appear on the console."""
    written: list[str] = []
    digest_seen = threading.Event()
    questions = iter(["鼓楼专利授权量进度"])

    def write(line: str) -> None:
        written.append(line)
        if line.startswith("──── 发给 鼓楼区人民政府 ────"):
            digest_seen.set()

    def read() -> str | None:
        line = next(questions, None)
        if line is None:
            digest_seen.wait(60)  # the question was answered; leave once the reminders have printed
            return "退出"
        return line

    clock = lambda: datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)  # noqa: E731
    settings = Settings(data_dir=Path("."), db_url=db.url)
    assert await serve(settings, db, clock=clock, console=ConsoleIO(read, write)) == 0
    assert written[0].startswith("督办机器人已启动（控制台")
    assert any(line.startswith("【鼓楼区】年专利授权量") for line in written)
    assert any(line.startswith("──── 发给 鼓楼区人民政府 ────") for line in written)
    assert written[-1] == "再见。"


async def test_outside_the_sending_hours_the_console_says_when_they_open_and_what_waits(db: Database) -> None:
    """Issue 17: Monday evening, the day's digests planned but not sent: said once, not silence."""
    written: list[str] = []
    monday = datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)
    settings = Settings(data_dir=Path("."), db_url=db.url)
    run_sweep(db, now=monday, calendar=WorkCalendar(), instance="test")  # planned, never sent
    waiting = waiting_count(db, since=date(2025, 8, 25), until=date(2025, 9, 1))
    assert waiting > 0
    clock = lambda: datetime(2025, 9, 1, 18, 30, tzinfo=LOCAL_TZ)  # noqa: E731
    assert await serve(settings, db, clock=clock, console=ConsoleIO(lambda: None, written.append)) == 0
    notices = [line for line in written if line.startswith("现在不在提醒发送时段")]
    assert notices == [
        f"现在不在提醒发送时段（工作日 9:00–18:00）。下一个发送时段 2025-09-02 09:00 开始，"
        f"目前有 {waiting} 条提醒待发送，届时自动发出。"
    ]
    assert not any(line.startswith("──── 发给") for line in written)  # nothing sent outside the hours


async def test_console_output_going_away_stops_the_bot_quietly_and_keeps_the_reminder(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """`duban run | head`: once nobody reads the console the bot stops; the digest it could not show is
    not recorded as sent, so it goes out at the next start."""
    closed = threading.Event()

    def write(line: str) -> None:
        if line.startswith("──── 发给 鼓楼区人民政府") or closed.is_set():
            closed.set()
            raise BrokenPipeError(32, "Broken pipe")

    def read() -> str | None:
        closed.wait(60)
        return None

    clock = lambda: datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)  # noqa: E731
    settings = Settings(data_dir=Path("."), db_url=db.url)
    with caplog.at_level(logging.INFO, logger="duban"):
        assert await serve(settings, db, clock=clock, console=ConsoleIO(read, write)) == 0
    assert texts.CONSOLE_CLOSED in caplog.text
    assert all(r.exc_info is None for r in caplog.records)  # no traceback anywhere
    [digest] = delivery_log(db, unit=GULOU)
    assert digest.status == "retry"  # not sent: the next start sends it


def test_sigterm_stops_duban_run_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "DUBAN_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    for name in _SETTINGS_VARS:
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "bot", "init"], env=env, check=True, capture_output=True, cwd=tmp_path
    )
    # 国庆: a day off, so no reminders are printed between the question and its answer
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--today", "2025-10-01"], env=env, cwd=tmp_path, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write("市检察院有哪些任务\n")
        process.stdin.flush()
        answer = [process.stdout.readline() for _ in range(12)]
        assert any("市检察院承担的任务共 3 项" in line for line in answer)
        process.send_signal(signal.SIGTERM)  # stdin stays open: the signal, not end of input, stops it
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "收到 SIGTERM，正在停止" in err and "督办机器人已停止。" in err
    assert "Traceback" not in err


async def test_run_sends_a_digest_to_the_bound_telegram_chat_and_takes_its_acknowledgement(
    db: Database,
) -> None:
    """The whole wiring of `duban run`: scheduler → sweep → outbox → Telegram port → the unit's chat, and the
    收到 button pressed there comes back through the transport and acknowledges the digest."""
    now = datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    add_member(
        db, platform="telegram", user_id="701", display_name="王五", unit=GULOU, role="staff", at=joined
    )
    bind_unit_chat(db, unit=GULOU, target=Target("telegram", "701"), member_id=None, actor="test", at=joined)
    async with FakeTelegram(token=TOKEN) as fake:
        settings = Settings(
            data_dir=Path("."), db_url=db.url, telegram=TelegramSettings(TOKEN, base_url=fake.base_url)
        )
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(settings, db, clock=lambda: now, stop=stop))
        await fake.wait_for(lambda: any(m.chat_id == "701" for m in fake.sent), timeout=60)
        digest = next(m for m in fake.sent if m.chat_id == "701")
        assert digest.text.startswith("【督办提醒】鼓楼区人民政府")
        assert digest.reply_markup is not None
        [[button]] = digest.reply_markup["inline_keyboard"]
        fake.queue_update({"callback_query": _pressed(digest, button["callback_data"])})
        await fake.wait_for(lambda: len([m for m in fake.sent if m.chat_id == "701"]) >= 2, timeout=60)
        stop.set()
        assert await serving == 0
    assert [m.text for m in fake.sent if m.chat_id == "701"][1] == texts.ACKED
    assert latest_unacknowledged(db, GULOU, today=now.date()) is None


def _pressed(message: SentMessage, data: str) -> dict[str, Any]:
    chat = {"id": int(message.chat_id), "type": "private", "first_name": "王五"}
    return {
        "id": "q-ack-1",
        "from": {"id": int(message.chat_id), "is_bot": False, "first_name": "王五"},
        "chat_instance": "ci-1",
        "data": data,
        "message": {
            "message_id": message.message_id,
            "date": 0,
            "chat": chat,
            "from": {"id": 1, "is_bot": True, "first_name": "督办"},
            "text": message.text,
        },
    }


async def test_a_transport_that_cannot_start_is_named_without_its_token(db: Database) -> None:
    wrong = "999999:WrongTokenForTheFakeServer"
    async with FakeTelegram(token=TOKEN) as fake:
        settings = Settings(
            data_dir=Path("."), db_url=db.url, telegram=TelegramSettings(wrong, base_url=fake.base_url)
        )
        with pytest.raises(StoreError) as raised:
            await serve(settings, db, stop=asyncio.Event())
    message = str(raised.value)
    assert message.startswith("无法启动 Telegram") and "DUBAN_TELEGRAM_TOKEN" in message
    assert wrong not in message
