"""`duban ask`, `duban ask --jsonl` and `duban chat`: the public command-line contract."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import store.db as db_module
from bot.cli.main import main
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import EARLIEST_DAY, LATEST_DAY, LOCAL_TZ, Inbound, Outbound
from bot.transports.console_transport import run_console
from store.db import Database
from store.ledger import ledger_version


@pytest.fixture
def initialised(db_url: str) -> str:
    assert main(["init", "--db", db_url]) == 0
    return db_url


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str, lines: list[str]
) -> tuple[int, list[dict[str, str]]]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code = main(["ask", "--jsonl", "--db", db_url])
    out, _ = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()]


def test_ask_answers_gulou_patent_progress(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "--db", initialised, "--today", "2025-08-10", "鼓楼专利授权量进度")
    assert code == 0, err
    assert out.startswith("【鼓楼区】年专利授权量")
    assert "目标：>3500 件/年" in out and "尚无上报数据" in out


def test_ask_rejects_a_bad_today(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "--db", initialised, "--today", "2025-13-01", "逾期任务")
    assert (code, out) == (2, "")
    assert err.strip() == "错误：--today 应为 YYYY-MM-DD 格式的日期"


def test_ask_without_text_says_how(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ask(capsys, "--db", initialised)
    assert code == 2 and "duban ask 鼓楼专利授权量进度" in err


def test_ask_before_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ask(capsys, "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "逾期任务")
    assert code == 2 and "duban init" in err


def test_jsonl_keeps_context_per_user(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for user in ("a", "b"):
        assert (
            main(
                [
                    "users",
                    "add",
                    user,
                    "--name",
                    user,
                    "--unit",
                    "市检察院",
                    "--role",
                    "viewer",
                    "--db",
                    initialised,
                ]
            )
            == 0
        )
    capsys.readouterr()
    lines = [
        json.dumps({"text": "鼓楼专利授权量进度", "user": "a", "today": "2025-08-10"}, ensure_ascii=False),
        json.dumps({"text": "任务7是什么", "user": "b", "today": "2025-08-10"}, ensure_ascii=False),
        json.dumps({"text": "那商标申请呢", "user": "a", "today": "2025-08-10"}, ensure_ascii=False),
        json.dumps({"text": "谁负责", "user": "b", "today": "2025-08-10"}, ensure_ascii=False),
        json.dumps({"text": "仓山呢", "user": "a", "today": "2025-08-10"}, ensure_ascii=False),
    ]
    code, out = jsonl(capsys, monkeypatch, initialised, lines)
    assert code == 0
    assert [o["intent"] for o in out] == [
        "indicator_progress", "task_detail", "indicator_progress", "responsible", "indicator_progress",
    ]  # fmt: skip
    assert "【鼓楼区】商标申请数量" in out[2]["reply"]
    assert out[3]["reply"].startswith("任务7的责任单位")
    assert "仓山区没有“商标申请数量”" in out[4]["reply"]
    assert set(out[0]) == {"reply", "intent"}


def test_jsonl_bad_lines_name_the_line_and_the_rest_still_run(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "not json",
        '{"user": "a"}',
        '{"text": "逾期任务", "today": "yesterday"}',
        '{"text": "帮助"}',
        "[1]",
    ]
    code, out = jsonl(capsys, monkeypatch, initialised, lines)
    assert code == 2
    assert [o["intent"] for o in out] == [
        "invalid_input",
        "invalid_input",
        "invalid_input",
        "help",
        "invalid_input",
    ]
    assert out[0]["reply"] == "标准输入第 1 行：不是有效的 JSON 对象"
    assert out[1]["reply"] == "标准输入第 2 行：缺少字符串字段 text"
    assert out[2]["reply"] == "标准输入第 3 行：字段 today 应为 YYYY-MM-DD 格式的日期"


def test_console_chat_conversation(db: Database) -> None:
    answers: list[str] = []
    inputs = iter(["鼓楼专利授权量进度", "那商标申请呢", "", "退出"])
    before = ledger_version(db)
    run_console(
        Core(Knowledge(db)),
        user="admin",
        read=lambda prompt: next(inputs),
        write=answers.append,
        clock=lambda: datetime(2025, 8, 10, 10, tzinfo=LOCAL_TZ),
    )
    assert answers[0].startswith("督办机器人（控制台）")
    assert answers[1].startswith("【鼓楼区】年专利授权量")
    assert answers[2].startswith("【鼓楼区】商标申请数量")
    assert answers[3].startswith("没有收到文字内容")
    assert answers[-1] == "再见。"
    assert ledger_version(db) == before


def test_console_chat_ends_on_end_of_input(db: Database) -> None:
    answers: list[str] = []

    def read(prompt: str) -> str:
        raise EOFError

    run_console(
        Core(Knowledge(db)),
        user="admin",
        read=read,
        write=answers.append,
        clock=lambda: datetime.now(LOCAL_TZ),
    )
    assert answers[-1] == "再见。"


def test_duban_chat_as_a_process(tmp_path: Path) -> None:
    """The README's run path: the installed command, stdin piped in, exits cleanly at end of input."""
    env = {**os.environ, "DUBAN_HOME": str(tmp_path)}
    env.pop("DUBAN_DB", None)
    subprocess.run([sys.executable, "-m", "bot", "init"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--today", "2025-08-10"],
        env=env, input="市检察院有哪些任务\n任务25谁负责\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "市检察院承担的任务共 3 项" in result.stdout
    assert "任务25的责任单位：市检察院" in result.stdout
    assert result.stdout.rstrip().endswith("再见。")
    assert "Traceback" not in result.stderr


# ---- issue 15: lines that once killed `duban ask --jsonl`, days out of range, a busy database ---------------


def test_jsonl_lines_that_once_crashed_get_chinese_replies_and_the_rest_still_run(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    on = ', "today": "2025-09-20"'
    lines = [
        f'{{"text": "结案率97%"{on}}}',
        f'{{"text": "确认"{on}}}',
        f'{{"text": "结案率1000000000000000000000000000000%"{on}}}',
        f'{{"text": "任务18进展：试运行\\ud800\\u0000中"{on}}}',
        '{"text": "任务18", "at": "0001-01-01T00:00"}',
        '{"text": "30天内到期的任务", "today": "9999-12-31"}',
        '{"text": "confirm:2147483648"}',
        '{"text": "ack:2147483648"}',
        '{"text": "帮助"}',
    ]
    code, out = jsonl(capsys, monkeypatch, initialised, lines)
    assert code == 2
    assert [o["intent"] for o in out] == [
        "preview", "recorded", "refused", "preview", "invalid_input", "invalid_input", "nothing_pending",
        "ack", "help",
    ]  # fmt: skip
    assert "0% 至 100%" in out[2]["reply"]
    assert "进展：试运行中" in out[3]["reply"]
    assert out[4]["reply"] == "标准输入第 5 行：" + texts.today_out_of_range(
        "字段 at", EARLIEST_DAY, LATEST_DAY
    )
    assert out[5]["reply"] == "标准输入第 6 行：" + texts.today_out_of_range(
        "字段 today", EARLIEST_DAY, LATEST_DAY
    )


def test_jsonl_a_line_the_bot_fails_on_is_answered_and_the_rest_still_run(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = Core.handle

    def failing(core: Core, inbound: Inbound) -> list[Outbound]:
        if inbound.text == "坏":
            raise RuntimeError("a bug")
        return handle(core, inbound)

    monkeypatch.setattr(Core, "handle", failing)
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"text": "坏"}\n{"text": "帮助"}\n'))
    code = main(["ask", "--jsonl", "--db", initialised])
    out, err = capsys.readouterr()
    assert code == 2
    assert [json.loads(line) for line in out.splitlines()] == [
        {"reply": texts.LINE_FAILED, "intent": "error"},
        {"reply": texts.HELP, "intent": "help"},
    ]
    assert "RuntimeError: a bug" in err and "标准输入第 1 行" in err


def test_jsonl_ids_longer_than_the_database_keeps_are_invalid_lines(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message id is kept as "<user>:<id>" in 100 characters: each part may have 40."""
    lines = [
        json.dumps({"text": "结案率97%", "message_id": "x" * 41, "today": "2025-09-20"}),
        json.dumps({"text": "绑定 K7Q2M9XDAB", "user": "u" * 41}),
        json.dumps({"text": "结案率97%", "message_id": "x" * 40, "user": "admin", "today": "2025-09-20"}),
    ]
    code, out = jsonl(capsys, monkeypatch, initialised, lines)
    assert code == 2
    assert out[:2] == [
        {"reply": "标准输入第 1 行：" + texts.jsonl_too_long("message_id", 40), "intent": "invalid_input"},
        {"reply": "标准输入第 2 行：" + texts.jsonl_too_long("user", 40), "intent": "invalid_input"},
    ]
    assert out[2]["intent"] == "preview"


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "--today", "9999-12-31", "30天内到期的任务"],
        ["ask", "--today", "0001-01-01", "任务18"],
        ["chat", "--today", "9999-12-31"],
        ["run", "--today", "9999-12-31"],
        ["reminders", "sweep", "--today", "9999-12-31"],
    ],
    ids=["ask", "ask-year-1", "chat", "run", "sweep"],
)
def test_a_today_outside_the_supported_days_is_a_clear_cli_error(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("30天内到期的任务\n"))
    for name in ("DUBAN_TELEGRAM_TOKEN", "DUBAN_SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code = main([*argv, "--db", initialised])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.strip() == "错误：" + texts.today_out_of_range("--today", EARLIEST_DAY, LATEST_DAY)


@pytest.fixture
def locked(initialised: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The database held by another program: an exclusive lock on SQLite, a table lock on PostgreSQL.

    Waiting is cut short instead of slept through: SQLite's busy timeout is made 50 ms, and PostgreSQL's
    lock_timeout (which deployments set; the server's default waits for ever) 50 ms too."""
    holder = create_engine(initialised)
    with holder.connect() as connection:
        if connection.dialect.name == "sqlite":
            monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
            url = initialised
        else:
            connection.exec_driver_sql("LOCK TABLE plan IN ACCESS EXCLUSIVE MODE")
            parsed = make_url(initialised)
            options = f"{parsed.query['options']} -clock_timeout=50ms"
            url = parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
        yield url
        connection.rollback()
    holder.dispose()


def test_ask_on_a_locked_database_says_it_is_busy(locked: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "--db", locked, "任务18")
    assert (code, out) == (2, "")
    assert err.strip() == "错误：" + texts.DB_BUSY


def test_jsonl_on_a_database_locked_meanwhile_says_busy_per_line(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core is built, then the database is locked: each line is told, and the command goes on."""
    handle = Core.handle

    def busy(core: Core, inbound: Inbound) -> list[Outbound]:
        if inbound.text == "忙":
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY  # what sqlite3 sets on the real one
            raise OperationalError("SELECT 1", {}, locked)
        return handle(core, inbound)

    monkeypatch.setattr(Core, "handle", busy)
    code, out = jsonl(capsys, monkeypatch, initialised, ['{"text": "忙"}', '{"text": "帮助"}'])
    assert code == 2
    assert out == [{"reply": texts.DB_BUSY, "intent": "busy"}, {"reply": texts.HELP, "intent": "help"}]
