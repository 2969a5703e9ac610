"""`duban reminders --from --to [--json]`: the dry run scripts rely on, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pydantic
import pytest

from bot.cli.main import main
from schedules.calendar import WorkCalendar
from schedules.plan import Policy
from schedules.sources import Policies, reminders_for_day
from seeds.schema import ReminderSettings
from store.db import Database
from store.ledger import ledger_version


def reminders(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["reminders", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_task_41_reminders_to_gulou_before_and_after_its_deadline(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ledger_version(db)
    code, out, err = reminders(capsys, "--from", "2025-08-01", "--to", "2025-09-15", "--db", db.url, "--json")
    assert code == 0, err
    messages = json.loads(out)
    task_41 = [
        (m["date"], m["unit"], item["kind"])
        for m in messages
        for item in m["items"]
        if item.get("task") == 41 and item["plan"] == "fuzhou-protection"
    ]
    gulou = [(day, kind) for day, unit, kind in task_41 if unit == "鼓楼区人民政府"]
    assert gulou[:4] == [
        ("2025-08-01", "before_deadline"),
        ("2025-08-22", "before_deadline"),
        ("2025-08-28", "before_deadline"),
        ("2025-08-29", "due_today"),
    ]
    assert ("2025-09-01", "overdue") in gulou
    assert ("2025-09-01", "市市场监管局（知识产权局）", "escalation") in task_41
    calendar = WorkCalendar()
    assert all(calendar.is_workday(date.fromisoformat(m["date"])) for m in messages)
    keys = [(m["date"], m["unit"]) for m in messages]
    assert len(keys) == len(set(keys))  # one message per unit per day
    first = next(m for m in messages if m["unit"] == "鼓楼区人民政府" and m["date"] == "2025-09-01")
    assert first["text"].startswith("【督办提醒】鼓楼区人民政府（2025-09-01）")
    # the plan and the task in a few words, as the deliverer words them (issue 17)
    assert (
        "【示范区】任务41「建设军门社区知识产权服务驿站,设立…」已逾期 1 个工作日（时限 2025-08-31）"
        in first["text"]
    )
    assert ledger_version(db) == before  # a dry run writes nothing


def test_a_bad_range_is_refused(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = reminders(capsys, "--from", "2025-09-15", "--to", "2025-08-01", "--db", db.url)
    assert (code, out) == (2, "") and "--from 和 --to" in err


def test_a_plan_with_its_own_lead_times_is_reminded_on_them(db: Database) -> None:
    own = Policy.from_json('{"lead_workdays": [10], "overdue_every_workdays": 2}')
    assert (own.lead_workdays, own.overdue_every_workdays, own.data_request_workday) == ((10,), 2, 5)
    policies = Policies(Policy(), {"fuzhou-protection": own})
    calendar = WorkCalendar()

    def task_41(day: date) -> list[str]:
        return [
            r.kind
            for r in reminders_for_day(db, day, calendar, policies)
            if r.task == 41 and r.plan == "fuzhou-protection" and r.unit == "鼓楼区人民政府"
        ]

    assert task_41(date(2025, 8, 15)) == ["before_deadline"]  # 10 working days before 2025-08-29
    assert task_41(date(2025, 8, 22)) == []  # the default 5-day reminder is not this plan's
    assert task_41(date(2025, 9, 1)) == ["overdue"] and task_41(date(2025, 9, 3)) == ["overdue"]


def test_seed_reminder_settings_are_validated() -> None:
    assert (
        ReminderSettings(lead_workdays=[10, 3]).model_dump_json(exclude_none=True)
        == '{"lead_workdays":[10,3]}'
    )
    for bad in (
        {"lead_workdays": [0]},
        {"lead_workdays": []},
        {"overdue_every_workdays": 0},
        {"lead_days": [3]},
    ):
        with pytest.raises(pydantic.ValidationError):
            ReminderSettings(**bad)


def test_sweep_log_chats_and_calendar_from_the_command_line(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--db", db.url])
        out, err = capsys.readouterr()
        return code, out, err

    # Issue 15: a unit bound to Telegram waits for a process that has Telegram; the console prints what is
    # the console's (here 台江, bound to it, and the units without a chat) and says who waits.
    assert run("chats", "bind", "--unit", "鼓楼区政府", "--platform", "telegram", "--chat", "-1001")[0] == 0
    assert run("chats", "bind", "--unit", "台江", "--platform", "console", "--chat", "台江")[0] == 0
    assert "鼓楼区人民政府  telegram:-1001  群聊" in run("chats", "list")[1]
    code, out, _ = run("reminders", "sweep", "--today", "2025-09-01")
    assert code == 0 and "──── 发给 台江区人民政府 ────\n【督办提醒】台江区人民政府（2025-09-01）" in out
    assert "发给 鼓楼区人民政府" not in out
    # 1 September is the first working day of a month and a week: long-overdue tasks are chased too
    assert "新增 33 条消息" in out and "已发送 32" in out
    assert "【等待发送】1 个单位绑定在 Telegram（鼓楼区人民政府）" in out
    again = run("reminders", "sweep", "--today", "2025-09-01")[1]
    assert "新增 0 条消息" in again and "已发送 0" in again  # a second sweep the same day sends nothing
    log = json.loads(run("reminders", "log", "--unit", "鼓楼区政府", "--json")[1])
    assert [(e["date"], e["status"], e["items"]) for e in log] == [
        ("2025-09-01", "pending", 7)
    ]  # with the monthly chasers
    log = json.loads(run("reminders", "log", "--unit", "台江", "--json")[1])
    assert [(e["date"], e["status"]) for e in log] == [("2025-09-01", "sent")]
    assert (
        run("reminders", "sweep", "--today", "2025-10-03")[1].strip() == "2025-10-03 不是工作日，不发送提醒。"
    )
    assert run("calendar", "set", "2025-10-03", "--workday", "--note", "演练")[0] == 0
    assert "已发送" in run("reminders", "sweep", "--today", "2025-10-03")[1]
    code, out, err = run("reminders", "sweep", "--today", "10月3日")
    assert (code, out) == (2, "") and "--today 应为 YYYY-MM-DD" in err
    code, _, err = run("reminders", "log", "--unit", "不存在的单位")
    assert code == 2 and "未找到单位" in err
