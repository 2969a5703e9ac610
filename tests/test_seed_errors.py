"""A malformed seed file fails with an error naming the file, line, record and field; nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seeds.apply import apply_seeds
from seeds.loader import SeedError, default_data_dir, load_catalog
from store.db import Database

FZ_FILE = "fuzhou_protection.yaml"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(default_data_dir(), target)
    return target


def _break(folder: Path, old: str, new: str, file: str = FZ_FILE) -> int:
    """Replace one snippet and return the 1-based line it starts on."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "record", "field", "problem"),
    [
        ('    deadline: "2024.12"\n    source: {doc: 002_4ee6bccc80053b1f.txt, section: "附件1 任务清单及责任分工 序号18"}',
         '    deadline: "2024年底"\n    source: {doc: 002_4ee6bccc80053b1f.txt, section: "附件1 任务清单及责任分工 序号18"}',
         "tasks[17](number=18)", "deadline", "无法识别的时限"),
        ('    target: "40"\n', '    target: 40.0\n', "indicators[3](code=4)", "target", "带引号"),
        ('    baseline: "37.66"', '    baseline: 37.66', "indicators[3](code=4)", "baseline", "带引号"),
        ('    comparator: ">="\n    target: "26"', '    comparator: "≥"\n    target: "26"',
         "indicators[0](code=1)", "comparator", ""),
        ("  - number: 42\n", "  - number: 41\n", "tasks[41](number=41)", "number", "重复"),
    ],
)  # fmt: skip
def test_schema_errors_are_located(
    seeds: Path, old: str, new: str, record: str, field: str, problem: str
) -> None:
    line = _break(seeds, old, new)
    with pytest.raises(SeedError) as caught:
        load_catalog(seeds)
    error = caught.value
    assert error.file.endswith(FZ_FILE)
    assert error.record.startswith(record)
    assert error.field == field
    assert problem in error.problem
    assert error.line == line
    assert f"{FZ_FILE}:{line}" in str(error)


def test_missing_field_names_the_record(seeds: Path) -> None:
    _break(seeds, "    featured: true\n    units: [市政府办公厅, 市市场监管局（知识产权局）]\n",
           "    units: [市政府办公厅, 市市场监管局（知识产权局）]\n")  # fmt: skip
    with pytest.raises(SeedError, match=r"tasks\[0\]\(number=1\) 字段 featured"):
        load_catalog(seeds)


def test_unknown_unit_is_named(seeds: Path) -> None:
    _break(seeds, "    units: [市公安局]\n    due", "    units: [市公安厅]\n    due")
    with pytest.raises(SeedError, match=r"未在 units\.yaml 中定义的单位：市公安厅") as caught:
        load_catalog(seeds)
    assert caught.value.record == "indicators[12](code=13)"


def test_yaml_syntax_error_has_a_line(seeds: Path) -> None:
    line = _break(seeds, "  code: fuzhou-protection\n", "  code: [fuzhou-protection\n")
    with pytest.raises(SeedError, match="YAML 语法错误") as caught:
        load_catalog(seeds)
    assert caught.value.line is not None and caught.value.line >= line


def test_a_bad_file_writes_nothing(seeds: Path, tmp_path: Path) -> None:
    _break(seeds, '    baseline: "37.66"', "    baseline: 37.66")
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(SeedError):
        apply_seeds(database, seeds)
    assert not database.is_initialised()
    database.dispose()


def test_more_leading_units_than_units_is_refused_in_chinese(seeds: Path) -> None:
    _break(seeds, "    units: [市中级人民法院]\n    deadline: \"2024.12\"",
           "    units: [市中级人民法院]\n    lead_units: 2\n    deadline: \"2024.12\"")  # fmt: skip
    with pytest.raises(SeedError) as caught:
        load_catalog(seeds)
    assert caught.value.record.startswith("tasks[17](number=18)")
    assert caught.value.problem == "lead_units 超过了 units 中牵头单位的个数"


def test_an_unreadable_draft_is_said_in_chinese(tmp_path: Path) -> None:
    from seeds.loader import load_plan

    missing, binary = tmp_path / "none.yaml", tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for path, why in ((missing, "文件不存在"), (tmp_path, "这是一个文件夹"), (binary, "不是 UTF-8")):
        with pytest.raises(SeedError) as caught:
            load_plan(path)
        assert why in caught.value.problem and "Errno" not in str(caught.value)
