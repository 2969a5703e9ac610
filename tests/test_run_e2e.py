"""`duban run` as a process, configured only by its environment, against the fake Telegram and Slack servers:
a new user onboards with an invite code and then asks a question, as the issue's acceptance describes.

The process runs on the real clock; what these tests check does not depend on the day (on a working day the
reminder sweep also runs, and finds no unit with a reminder chat)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.slack_events import Slack, dm
from fakes.slack_server import DEFAULT_TOKEN, FakeSlack
from fakes.telegram_server import FakeTelegram

from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ
from seeds.apply import apply_seeds
from store.db import Database
from store.members import create_invite

GULOU = "鼓楼区人民政府"
QUESTION = "鼓楼专利授权量进度"
TOKEN = "123456789:E2E-test-token-abcdef"
SIGNING_SECRET = "e2eSigningSecret0123456789abcdef"
REPO = Path(__file__).resolve().parents[1]
_OWN_SETTINGS = re.compile(r"DUBAN_(TELEGRAM|SLACK)_|DUBAN_DB$|DUBAN_ENV_FILE$")

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _prepared(tmp_path: Path) -> tuple[str, str]:
    """A seeded SQLite database and an invite code for 鼓楼区人民政府."""
    url = f"sqlite:///{tmp_path / 'duban.sqlite3'}"
    database = Database(url)
    apply_seeds(database)
    now = datetime.now(LOCAL_TZ)
    invite = create_invite(
        database, unit=GULOU, role="staff", expires_at=now + timedelta(days=1), at=now, actor="e2e"
    )
    database.dispose()
    return url, invite.code


class Running:
    """`python -m bot run` with exactly the given settings (the caller's own DUBAN_* ones removed)."""

    def __init__(self, tmp_path: Path, settings: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = {k: v for k, v in os.environ.items() if not _OWN_SETTINGS.match(k)}
        self.env.update(settings, DUBAN_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
        self.process: asyncio.subprocess.Process | None = None
        self.stderr: list[str] = []

    async def __aenter__(self) -> Running:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=self.tmp_path, env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return self

    async def log_line(self, pattern: str) -> re.Match[str]:
        """Read the log until a line matches (the process says it is ready, and where)."""
        assert self.process is not None and self.process.stderr is not None
        async with asyncio.timeout(60):
            while True:
                line = (await self.process.stderr.readline()).decode()
                if not line:
                    raise AssertionError("duban run ended early:\n" + "".join(self.stderr))
                self.stderr.append(line)
                if found := re.search(pattern, line):
                    return found

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(self.process.communicate(), 60)
        self.stderr.append(rest.decode())

    @property
    def log(self) -> str:
        return "".join(self.stderr)


def _private_message(update_id: int, user: int, words: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(datetime.now(LOCAL_TZ).timestamp()),
            "chat": {"id": user, "type": "private", "first_name": "王五"},
            "from": {"id": user, "is_bot": False, "first_name": "王五"},
            "text": words,
        },
    }


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


async def test_duban_run_onboards_and_answers_over_telegram_polling(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    url, code = _prepared(tmp_path)
    telegram.queue_update(_private_message(1, 777, f"/start {code}"))  # waiting before the bot starts
    settings = {"DUBAN_DB": url, "DUBAN_TELEGRAM_TOKEN": TOKEN, "DUBAN_TELEGRAM_BASE_URL": telegram.base_url}
    async with Running(tmp_path, settings) as run:
        await run.log_line("Telegram 已连接（长轮询）")
        await telegram.wait_for(lambda: len(telegram.sent) >= 1, timeout=60)
        telegram.queue_update(_private_message(2, 777, QUESTION))
        await telegram.wait_for(lambda: len(telegram.sent) >= 2, timeout=60)
    replies = [m.text for m in telegram.sent if m.chat_id == "777"]
    assert replies[0] == texts.bound("王五", GULOU, "staff")
    assert replies[1].startswith("【鼓楼区】年专利授权量")
    assert run.process is not None and run.process.returncode == 0, run.log
    assert "督办机器人已停止。" in run.log and "Traceback" not in run.log
    assert TOKEN not in run.log  # the token is in every Bot API URL; the log never shows it


async def test_duban_run_onboards_and_answers_through_signed_slack_events(tmp_path: Path) -> None:
    url, code = _prepared(tmp_path)
    user = "U0NEWUSER"
    with FakeSlack(users={user: "王五"}) as slack:
        settings = {
            "DUBAN_DB": url,
            "DUBAN_SLACK_BOT_TOKEN": DEFAULT_TOKEN,
            "DUBAN_SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "DUBAN_SLACK_BASE_URL": slack.base_url,
            "DUBAN_SLACK_LISTEN": "127.0.0.1:0",  # the log says which port it got
        }
        async with Running(tmp_path, settings) as run:
            events_url = (await run.log_line(r"receiving HTTP events at (\S+)")).group(1)
            await run.log_line("Slack 已连接（HTTP 事件）")
            events = Slack(events_url, SIGNING_SECRET)
            assert (await events.dm(user, f"绑定 {code}"))[0] == 200
            await asyncio.to_thread(slack.wait_for, lambda: len(slack.sent(dm(user))) >= 1, 60)
            forged = Slack(events_url, "not-the-signing-secret")
            assert (await forged.dm(user, "市检察院有哪些任务"))[0] == 401
            assert (await events.dm(user, QUESTION))[0] == 200
            await asyncio.to_thread(slack.wait_for, lambda: len(slack.sent(dm(user))) >= 2, 60)
        replies = slack.sent(dm(user))
    assert replies[0] == texts.bound("王五", GULOU, "staff")
    assert replies[1].startswith("【鼓楼区】年专利授权量") and len(replies) == 2  # the forged one got nothing
    assert run.process is not None and run.process.returncode == 0, run.log
    assert "Traceback" not in run.log
    for secret in (DEFAULT_TOKEN, SIGNING_SECRET):
        assert secret not in run.log
