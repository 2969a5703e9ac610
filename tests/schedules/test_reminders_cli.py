"""`duban reminders --from --to [--json]`: the dry run scripts rely on, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.cli import main
from schedules.calendar import WorkCalendar
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
    assert "任务41已逾期 1 个工作日（时限 2025-08-31）" in first["text"]
    assert ledger_version(db) == before  # a dry run writes nothing


def test_a_bad_range_is_refused(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = reminders(capsys, "--from", "2025-09-15", "--to", "2025-08-01", "--db", db.url)
    assert (code, out) == (2, "") and "--from 和 --to" in err
