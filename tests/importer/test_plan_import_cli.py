"""`duban plans import` / `plans apply` end to end: a plan document in, a draft to check, then a plan the bot
answers, reminds and records changes of, as for the seed plans."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from bot.cli.main import main
from store.catalog_changes import item_history
from store.db import Database

FIXTURE = Path(__file__).parent / "fixtures" / "fuzhou_brand_tasks_2025.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _as_docx(text: Path, target: Path) -> Path:
    """The fixture as Word writes it: paragraphs, and each tab table as a table whose first column (类别) is
    one cell merged down every row, as offices lay out task lists."""
    document = docx.Document()
    lines = text.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if "\t" not in lines[index]:
            document.add_paragraph(lines[index])
            index += 1
            continue
        rows = []
        while index < len(lines) and "\t" in lines[index]:
            rows.append(lines[index].split("\t"))
            index += 1
        table = document.add_table(rows=len(rows), cols=len(rows[0]) + 1)
        for r, row in enumerate(rows):
            table.cell(r, 0).text = "类别" if r == 0 else ""
            for c, value in enumerate(row):
                table.cell(r, c + 1).text = value
        table.cell(1, 0).merge(table.cell(len(rows) - 1, 0)).text = "商标品牌"
        assert table.cell(2, 0)._tc.tcPr.find(qn("w:vMerge")) is not None  # a real vertical merge
    document.save(str(target))
    return target


def _draft(capsys: pytest.CaptureFixture[str], db_url: str, path: Path) -> dict[str, object]:
    code, out, err = run(capsys, "plans", "import", str(path), "--json", "--db", db_url)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_word_table_with_merged_cells_gives_what_the_text_gives(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--db", db_url)[0] == 0
    from_text = _draft(capsys, db_url, FIXTURE)
    from_word = _draft(capsys, db_url, _as_docx(FIXTURE, tmp_path / "plan.docx"))
    fields = ("number", "units", "leader", "deadline", "featured")
    assert len(from_text["tasks"]) == 12 and len(from_text["indicators"]) == 3  # type: ignore[arg-type]
    assert [{k: t[k] for k in fields} for t in from_word["tasks"]] == [  # type: ignore[attr-defined]
        {k: t[k] for k in fields}
        for t in from_text["tasks"]  # type: ignore[attr-defined]
    ]
    assert from_word["indicators"] == from_text["indicators"]
    assert [t["section"] for t in from_word["tasks"]][:1] == ["商标品牌"]  # type: ignore[attr-defined]


def test_import_check_apply_then_ask_remind_and_revise(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--db", db_url)[0] == 0
    drafts = tmp_path / "drafts"
    code, out, _ = run(capsys, "plans", "import", str(FIXTURE), "--out", str(drafts), "--db", db_url)
    assert code == 0 and "识别出 12 项任务、3 项指标、1 个新单位" in out and "市品牌发展促进会" in out
    [draft] = drafts.glob("*.yaml")
    code, out, _ = run(capsys, "plans", "apply", str(draft), "--db", db_url)
    assert code == 0 and "已载入《福州市2025年商标品牌建设重点任务分解表》" in out
    assert (
        "新增 0 条，更新 0 条" in run(capsys, "plans", "apply", str(draft), "--db", db_url)[1]
    )  # idempotent

    _, answer, _ = run(capsys, "ask", "商标品牌方案第3项", "--today", "2025-08-10", "--db", db_url)
    assert "市商务局（牵头）；市文旅局（配合）" in answer and "责任领导：陈副市长" in answer
    assert "2025年10月（2025-10-31）" in answer
    _, answer, _ = run(capsys, "ask", "商标品牌方案第5项", "--today", "2025-08-10", "--db", db_url)
    assert "时限：每季度" in answer
    _, answer, _ = run(capsys, "ask", "商标质押融资金额的目标", "--today", "2025-08-10", "--db", db_url)
    assert "15" in answer and "亿元" in answer

    _, answer, _ = run(capsys, "ask", "哪些任务是林副市长负责的", "--today", "2025-08-10", "--db", db_url)
    assert "林副市长（责任领导）负责的任务共 5 项" in answer and "老字号" not in answer
    _, answer, _ = run(capsys, "ask", "林副市长全名叫什么", "--today", "2025-08-10", "--db", db_url)
    assert "负责的任务共" not in answer  # who they are is not their list

    code, out, _ = run(capsys, "reminders", "--from", "2025-08-25", "--to", "2025-08-29", "--db", db_url)
    assert code == 0 and "市品牌发展促进会" in out and "组建商标品牌服务联盟" in out

    # the supervising office hears of a late task with its 责任领导, in the dry run and in what is sent
    planned = run(capsys, "reminders", "--from", "2025-07-01", "--to", "2025-07-01", "--db", db_url)[1]
    assert (
        "任务1「制定出台《福州市商标品牌培育三年行…」〔责任领导：林副市长〕（市发改委、市工信局）已逾期"
        in planned
    )
    sent = run(capsys, "reminders", "sweep", "--today", "2025-07-01", "--db", db_url)[1]
    assert "〔责任领导：林副市长〕（市发改委、市工信局）已逾期" in sent, sent

    # 每季度 (任务5) is checked in when a quarter begins, 每月 (任务11) every month
    october = run(
        capsys, "reminders", "--from", "2025-10-01", "--to", "2025-10-31", "--json", "--db", db_url
    )[1]
    november = run(
        capsys, "reminders", "--from", "2025-11-01", "--to", "2025-11-30", "--json", "--db", db_url
    )[1]

    def checked_in(out: str) -> set[int]:
        return {
            i["task"] for m in json.loads(out) for i in m["items"]
            if i["kind"] == "check_in" and i["plan"] != "fuzhou-protection" and i["plan"] != "gulou-strong-county"
        }  # fmt: skip

    assert {5, 11} <= checked_in(october) and 11 in checked_in(november) and 5 not in checked_in(november)

    revised = drafts / "revised.yaml"
    revised.write_text(
        draft.read_text(encoding="utf-8").replace("deadline: '2025.8'", "deadline: '2025.9'", 1),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "plans", "apply", str(revised), "--db", db_url)
    assert code == 0 and "以下改动已记入台账" in out and "时限：2025-08-31 → 2025-09-30" in out
    code_name = json.loads(run(capsys, "plans", "--json", "--db", db_url)[1])[-1]["code"]
    [change] = [c for c in item_history(Database(db_url), code_name, "任务12") if c.field == "deadline"]
    assert (change.old, change.new, change.source) == ("2025-08-31", "2025-09-30", str(revised))


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "文件为空"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.docx", "图片"),
        ("会议纪要\n今天天气很好。\n".encode(), "notes.txt", "未识别出任务或指标"),
    ],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_written(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, name: str, message: str
) -> None:
    assert run(capsys, "init", "--db", db_url)[0] == 0
    path = tmp_path / name
    path.write_bytes(content)
    drafts = tmp_path / "drafts"
    code, _, err = run(capsys, "plans", "import", str(path), "--out", str(drafts), "--db", db_url)
    assert code != 0 and message in err and "Traceback" not in err
    assert not drafts.exists()


def test_an_empty_or_foreign_draft_is_refused_in_chinese(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--db", db_url)[0] == 0
    for content in ("", "- 一\n- 二\n"):
        draft = tmp_path / "draft.yaml"
        draft.write_text(content, encoding="utf-8")
        code, _, err = run(capsys, "plans", "apply", str(draft), "--db", db_url)
        assert code != 0 and "文件内容不是一份方案" in err and "Input should" not in err, err
