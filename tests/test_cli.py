"""The `duban` command line contract: names, JSON fields, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_init_then_listings(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--db", db_url)
    assert code == 0 and "新增 133 条，更新 0 条" in out
    code, out, _ = run(capsys, "init", "--db", db_url)
    assert code == 0 and "新增 0 条，更新 0 条" in out

    tasks = run_json(capsys, "tasks", "--db", db_url)
    city = [t for t in tasks if t["plan"] == "fuzhou-protection"]
    assert (
        len(city) == 42 and sum(t["featured"] for t in city) == 20 and sum(t["ongoing"] for t in city) == 12
    )
    assert len([t for t in tasks if t["plan"] == "gulou-strong-county"]) == 11
    task4 = next(t for t in city if t["number"] == 4)
    assert task4["units"][0] == "市市场监管局（知识产权局）" and task4["units"][-1] == "高新区管委会"
    assert len(task4["units"]) == 15 and "各县（市）区人民政府" not in task4["units"]
    assert {k: task4[k] for k in ("deadline", "ongoing", "featured")} == {
        "deadline": "2024-12-31", "ongoing": False, "featured": False,
    }  # fmt: skip
    assert next(t for t in city if t["number"] == 13)["deadline"] is None

    indicators = run_json(capsys, "indicators", "--db", db_url)
    assert len(indicators) == 29
    patents = next(i for i in indicators if i["name"] == "年专利授权量")
    assert {k: patents[k] for k in ("region", "target", "comparator", "unit_of_measure", "due")} == {
        "region": "鼓楼区", "target": 3500, "comparator": ">", "unit_of_measure": "件", "due": "2025-06-30",
    }  # fmt: skip
    trademarks = next(i for i in indicators if i["name"] == "有效注册商标数量")
    assert (trademarks["baseline"], trademarks["baseline_year"], trademarks["target"]) == (37.66, 2023, 40)
    for field in ("plan", "code", "name", "region", "unit_of_measure", "target", "comparator", "baseline",
                  "baseline_year", "units", "due"):  # fmt: skip
        assert field in trademarks


def test_filters_and_units(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--db", db_url)
    court = run_json(capsys, "tasks", "--db", db_url, "--unit", "福州中院")
    assert [t["number"] for t in court] == [13, 16, 17, 18, 19, 20, 21, 22, 29]
    gulou = run_json(capsys, "indicators", "--db", db_url, "--plan", "鼓楼")
    assert len(gulou) == 15
    units = run_json(capsys, "units", "--db", db_url)
    court_unit = next(u for u in units if u["name"] == "市中级人民法院")
    assert "中院" in court_unit["aliases"]
    code, out, _ = run(capsys, "tasks", "--db", db_url, "--unit", "检察院")
    assert code == 0 and "开展知识产权“检察护企·闽都行”专项行动" in out


def test_unknown_names_get_suggestions(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--db", db_url)
    code, out, err = run(capsys, "tasks", "--db", db_url, "--unit", "市检查院")
    assert code == 2 and out == ""
    assert "未找到单位“市检查院”" in err and "市检察院" in err and "Traceback" not in err
    code, _, err = run(capsys, "indicators", "--db", db_url, "--plan", "福州市保护示范区")
    assert code == 2 and "fuzhou-protection" in err
    code, _, err = run(capsys, "tasks", "--db", db_url, "--unit", "  ")
    assert code == 2 and "单位名称为空" in err
    code, _, err = run(capsys, "tasks", "--db", db_url, "--unit", "局" * 10000)
    assert code == 2 and len(err) < 200 and "…" in err


def test_errors_before_init_and_bad_urls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tasks", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert code == 2 and "duban init" in err
    code, _, err = run(capsys, "tasks", "--db", "not a url")
    assert code == 2 and "无法识别的数据库地址" in err
    code, _, err = run(capsys, "tasks", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "无法连接数据库" in err


def test_default_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    """The installed console script, with DUBAN_HOME as the data directory and no --db."""
    env = {**os.environ, "DUBAN_HOME": str(tmp_path / "home")}
    env.pop("DUBAN_DB", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "init"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "duban.sqlite3").exists()
    env["DUBAN_DB"] = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "init"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and (tmp_path / "other.sqlite3").exists()


def test_plans_show_their_standing_and_the_office_archives_and_restores(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """duban plans says 未生效 / 执行中 / 已到期 / 已归档 on the day; archive and restore are ledger rows."""
    assert run(capsys, "init", "--db", db_url)[0] == 0
    _, out, _ = run(capsys, "plans", "--db", db_url, "--today", "2024-02-01")
    assert "fuzhou-protection  福州市国家知识产权保护示范区建设方案（福州市，未生效" in out
    _, out, _ = run(capsys, "plans", "--db", db_url, "--today", "2025-08-10")
    assert (
        "（福州市，执行中，有效期至 2026-02-28）" in out and "（鼓楼区，已到期，有效期至 2025-06-30）" in out
    )
    code, out, _ = run(
        capsys, "plans", "archive", "示范区", "--from", "2025-08-01", "--note", "提前验收", "--db", db_url
    )
    assert (
        code == 0
        and "已归档《福州市国家知识产权保护示范区建设方案》，自 2025-08-01 起不再发送催办提醒" in out
    )
    assert run_json(capsys, "plans", "--db", db_url, "--today", "2025-08-10")[0]["standing"] == "archived"
    code, _, err = run(capsys, "plans", "archive", "fuzhou-protection", "--db", db_url)
    assert code != 0 and "该计划已归档" in err and "Traceback" not in err
    code, _, err = run(capsys, "plans", "archive", "示范区", "--from", "2025-13-01", "--db", db_url)
    assert code != 0 and "日期格式应为 YYYY-MM-DD" in err
    code, _, err = run(capsys, "plans", "archive", "没有这个方案", "--db", db_url)
    assert code != 0 and "未找到计划" in err
    code, out, _ = run(capsys, "plans", "restore", "示范区", "--db", db_url)
    assert code == 0 and "已恢复《福州市国家知识产权保护示范区建设方案》" in out
    assert run_json(capsys, "plans", "--db", db_url, "--today", "2025-08-10")[0]["standing"] == "in_force"
