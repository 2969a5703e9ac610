"""Read and validate the seed files (pure: files in, a Catalog out); errors name file, line, record, field."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from seeds.document import split_passages
from seeds.schema import NO_DEADLINE, ONGOING, IndicatorRecord, PlanFile, Source, TaskRecord, UnitsFile
from store.names import name_key
from store.specs import (
    Catalog,
    IndicatorSpec,
    MilestoneSpec,
    PassageSpec,
    PlanSpec,
    SourceRef,
    TaskSpec,
    UnitSpec,
)

UNITS_FILE = "units.yaml"
DOCS_FOLDER = "docs"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SeedError(Exception):
    """A seed file that cannot be used, located precisely enough to fix by hand."""

    file: str
    line: int | None
    record: str
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: 记录 {self.record} 字段 {self.field}: {self.problem}"


def default_data_dir() -> Path:
    return Path(str(resources.files("seeds") / "data"))


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Validate every YAML file in the directory and return the combined catalog."""
    folder = data_dir or default_data_dir()
    plan_files = [(p, _load(p, PlanFile)) for p in sorted(folder.glob("*.yaml")) if p.name != UNITS_FILE]
    return _catalog(_load(folder / UNITS_FILE, UnitsFile), plan_files)


def load_plan(path: Path, data_dir: Path | None = None, *, stored_units: Sequence[str] = ()) -> Catalog:
    """One plan file (an imported draft, reviewed) with the seed units it may name, and the units already in
    the store (an earlier import's new units): what `duban plans apply` loads. Its document, if it names
    one, sits in docs/ beside it."""
    units_file = _load((data_dir or default_data_dir()) / UNITS_FILE, UnitsFile)
    return _catalog(units_file, [(path, _load(path, PlanFile))], stored_units)


def _catalog(
    seed_units: UnitsFile, plan_files: list[tuple[Path, PlanFile]], stored_units: Sequence[str] = ()
) -> Catalog:
    """The plans' own new units join the seed units; every reference is then checked against them all."""
    units_file = UnitsFile(
        units=[*seed_units.units, *(u for _, f in plan_files for u in f.units)],
        collectives=[*seed_units.collectives, *(c for _, f in plan_files for c in f.collectives)],
    )
    known = _known_unit_keys(units_file) | {name_key(name) for name in stored_units}
    for path, plan_file in plan_files:
        _check_natural_keys(path, plan_file)
        _check_unit_references(path, plan_file, known)
    return Catalog(
        units=_unit_specs(units_file),
        plans=tuple(_plan_spec(f, _passages(path, f)) for path, f in plan_files),
        indicators=tuple(_indicator_spec(f.plan.code, i) for _, f in plan_files for i in f.indicators),
        tasks=tuple(_task_spec(f.plan.code, t) for _, f in plan_files for t in f.tasks),
    )


def why_unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """A file that cannot be read, said in Chinese (the system's message is English)."""
    if isinstance(exc, UnicodeDecodeError):
        return "不是 UTF-8 编码的文本文件"
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    return f"读取失败（{exc.strerror or type(exc).__name__}）"


def _load(path: Path, model: type[M]) -> M:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(str(path), None, "-", "-", f"无法读取：{why_unreadable(exc)}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SeedError(
            str(path), mark.line + 1 if mark else None, "-", "-", f"YAML 语法错误：{exc}"
        ) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        first["msg"] = _PYDANTIC_ZH.get(first["type"], first["msg"]).removeprefix("Value error, ")
        loc = tuple(first["loc"])
        raise SeedError(
            str(path), _line_of(text, loc), _record_label(data, loc), _field_label(loc), first["msg"]
        ) from exc


# pydantic's own messages for the commonest mistakes in a hand-edited file, said in Chinese
_PYDANTIC_ZH = {
    "string_too_short": "不能为空",
    "missing": "缺少此字段",
    "extra_forbidden": "不认识的字段（拼写错误？）",
    "int_parsing": "应为整数",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "model_type": "文件内容不是一份方案（应为 YAML 映射，含 plan、tasks 等字段）",
    "dict_type": "应为映射（字段: 值）",
}


def _line_of(text: str, loc: Sequence[Any]) -> int | None:
    """Line of the deepest YAML node on the error's path (the record itself if the field is missing)."""
    node = yaml.compose(text)
    line = node.start_mark.line + 1 if node else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _record_label(data: Any, loc: Sequence[Any]) -> str:
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
        items = data.get(loc[0])
        record = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        key = next(
            (
                f"{k}={record[k]}"
                for k in ("number", "code", "name")
                if isinstance(record, dict) and k in record
            ),
            "",
        )
        return f"{loc[0]}[{loc[1]}]" + (f"({key})" if key else "")
    return str(loc[0]) if loc else "-"


def _field_label(loc: Sequence[Any]) -> str:
    rest = [str(p) for p in (loc[2:] if len(loc) >= 2 and isinstance(loc[1], int) else loc[1:])]
    return ".".join(rest) or (str(loc[0]) if loc else "-")


def _known_unit_keys(units_file: UnitsFile) -> set[str]:
    names = [u.name for u in units_file.units] + [c.name for c in units_file.collectives]
    aliases = [a for u in units_file.units for a in u.aliases] + [
        a for c in units_file.collectives for a in c.aliases
    ]
    return {name_key(n) for n in names + aliases}


def _check_natural_keys(path: Path, plan_file: PlanFile) -> None:
    """Task numbers and indicator codes are unique within a plan; name the second occurrence."""
    _no_repeats(path, "tasks", "number", [t.number for t in plan_file.tasks])
    _no_repeats(path, "indicators", "code", [i.code for i in plan_file.indicators])


def _no_repeats(path: Path, section: str, key: str, values: Sequence[object]) -> None:
    for index, value in enumerate(values):
        if value in values[:index]:
            line = _line_of(path.read_text(encoding="utf-8"), (section, index, key))
            record = f"{section}[{index}]({key}={value})"
            raise SeedError(str(path), line, record, key, f"{key}={value} 与前面的记录重复")


def _check_unit_references(path: Path, plan_file: PlanFile, known: set[str]) -> None:
    def check(names: Sequence[str], record: str, loc: tuple[str | int, ...]) -> None:
        for position, name in enumerate(names):
            if name_key(name) not in known:
                line = _line_of(path.read_text(encoding="utf-8"), (*loc, position))  # the name's own line
                raise SeedError(
                    str(path), line, record, str(loc[-1]), f"未在 {UNITS_FILE} 中定义的单位：{name}"
                )

    check([plan_file.plan.supervising_unit], "plan", ("plan", "supervising_unit"))
    for i, indicator in enumerate(plan_file.indicators):
        check(indicator.units, f"indicators[{i}](code={indicator.code})", ("indicators", i, "units"))
    for i, task in enumerate(plan_file.tasks):
        check(task.units, f"tasks[{i}](number={task.number})", ("tasks", i, "units"))
        check(task.co_units, f"tasks[{i}](number={task.number})", ("tasks", i, "co_units"))


def _ref(source: Source) -> SourceRef:
    return SourceRef(doc=source.doc, section=source.section)


def _unit_specs(units_file: UnitsFile) -> tuple[UnitSpec, ...]:
    plain = [UnitSpec(u.name, u.kind, u.region, tuple(u.aliases), _ref(u.source)) for u in units_file.units]
    groups = [
        UnitSpec(c.name, "collective", c.region, tuple(c.aliases), _ref(c.source), tuple(c.members))
        for c in units_file.collectives
    ]
    return tuple(plain + groups)


def _plan_spec(plan_file: PlanFile, passages: tuple[PassageSpec, ...]) -> PlanSpec:
    p = plan_file.plan
    return PlanSpec(
        p.code, p.title, p.region, p.issuer, p.doc_number, p.status, p.issued_on, p.valid_from, p.valid_to,
        p.supervising_unit, _ref(p.source),
        p.reminders.model_dump_json(exclude_none=True) if p.reminders else None,
        tuple(p.short_names),
        tuple(MilestoneSpec(m.period, m.start, m.end, m.work) for m in p.schedule),
        passages, p.assignment_note, p.validity_note,
    )  # fmt: skip


def _passages(path: Path, plan_file: PlanFile) -> tuple[PassageSpec, ...]:
    """The plan's document cut into passages; the file sits in docs/ beside the plan's YAML."""
    name = plan_file.plan.document
    if name is None:
        return ()
    document = path.parent / DOCS_FOLDER / name
    if Path(name).name != name:
        raise SeedError(str(path), None, "plan", "document", f"须为 {DOCS_FOLDER}/ 下的文件名：{name}")
    try:
        text = document.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = why_unreadable(exc)
        raise SeedError(str(path), None, "plan", "document", f"无法读取方案原文 {document}：{why}") from exc
    return tuple(PassageSpec(p.path, p.heading, p.text, p.line) for p in split_passages(text))


def _indicator_spec(plan: str, i: IndicatorRecord) -> IndicatorSpec:
    return IndicatorSpec(
        plan, i.code, i.name, i.region, i.unit_of_measure, i.target, i.comparator, i.period_kind, i.baseline,
        i.baseline_year, i.baseline_unit, tuple(i.units), i.due, i.note, _ref(i.source), tuple(i.aliases),
        i.report_rule,
    )  # fmt: skip


# Kinds with no day to count to: chased by the monthly check-in as 长期推进 is (the words are kept, shown).
_UNDATED_KINDS = ("ongoing", "recurring", "start", "none")


def _task_spec(plan: str, t: TaskRecord) -> TaskSpec:
    deadline = None if t.deadline_kind in _UNDATED_KINDS else parse_deadline(t.deadline)
    leads = t.lead_units or (len(t.units) - len(t.co_units) if t.co_units else 1)
    return TaskSpec(
        plan, t.number, t.title, t.section, t.content, t.featured, deadline, deadline is None, tuple(t.units),
        _ref(t.source), t.deadline_text, t.deadline_kind, t.leader, leads, t.deadline_rule,
    )  # fmt: skip


def parse_deadline(value: date | str) -> date | None:
    """'2025.8' is the end of August 2025; '长期推进' (ongoing) has no date."""
    if isinstance(value, date):
        return value
    if value in (ONGOING, NO_DEADLINE):
        return None
    if "-" in value:
        return date.fromisoformat(value)
    year, month = (int(part) for part in value.split("."))
    return date(year, month, calendar.monthrange(year, month)[1])
