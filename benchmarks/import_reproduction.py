"""Plan import reproduces the hand transcription: the two seed documents imported and compared field by field.

    .venv/bin/python benchmarks/import_reproduction.py

Each seed document (seeds/data/docs, verbatim copies of shared/seed-docs) is read into blocks — by
seeds.importer.reading when it is there, else by the test adapter tests/importer/text_blocks.py — and
recognised; the draft is compared with the seed YAML as seeds.loader reads it. Counted fields (the issue's
done-when): every task and indicator present, its units in order (lead first), a task's deadline, an
indicator's target, comparator, baseline (with its year) and unit of measure. Other fields (a task's content,
★, section; an indicator's name) are compared and shown apart. Prints the share per plan and overall, then
every difference.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "importer"))

from seeds.importer.blocks import DocumentText  # noqa: E402
from seeds.importer.draft import Draft, DraftIndicator, DraftTask  # noqa: E402
from seeds.importer.shapes import recognise  # noqa: E402
from seeds.importer.units import KnownUnit  # noqa: E402
from seeds.loader import default_data_dir, load_catalog  # noqa: E402
from store.specs import Catalog, IndicatorSpec, TaskSpec  # noqa: E402

# (document, plan code, region): the two seed plans.
SEED_PLANS = (
    ("002_4ee6bccc80053b1f.txt", "fuzhou-protection", "福州市"),
    ("000_12104225aee16fef.txt", "gulou-strong-county", "鼓楼区"),
)
MISSING = "（缺）"


@dataclass(frozen=True)
class Difference:
    plan: str
    record: str  # 任务12 / 指标3
    field: str
    expected: str
    got: str
    counted: bool


@dataclass
class Comparison:
    plan: str
    counted_total: int = 0
    counted_equal: int = 0
    other_total: int = 0
    other_equal: int = 0
    differences: list[Difference] = field(default_factory=list)

    def check(self, record: str, name: str, expected: object, got: object, *, counted: bool = True) -> None:
        equal = expected == got
        if counted:
            self.counted_total += 1
            self.counted_equal += equal
        else:
            self.other_total += 1
            self.other_equal += equal
        if not equal:
            self.differences.append(Difference(self.plan, record, name, _show(expected), _show(got), counted))

    @property
    def share(self) -> float:
        return self.counted_equal / self.counted_total if self.counted_total else 1.0


def _show(value: object) -> str:
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value) or "（无）"
    return MISSING if value is None else str(value)


def known_units(catalog: Catalog) -> list[KnownUnit]:
    return [KnownUnit(u.name, u.aliases, u.region, u.kind, u.kind == "collective") for u in catalog.units]


def read_seed_document(name: str) -> DocumentText:
    """The real reader once it works; until then the test adapter."""
    path = default_data_dir() / "docs" / name
    reader = _real_reader()
    if reader is not None:
        return reader(path)
    from text_blocks import read_text_document

    return read_text_document(path)


def _real_reader() -> Callable[[Path], DocumentText] | None:
    try:
        from seeds.importer import reading
    except ImportError:
        return None
    read = getattr(reading, "read_document", None)
    return read if callable(read) else None


def import_seed(name: str, region: str, catalog: Catalog) -> Draft:
    return recognise(read_seed_document(name), region=region, known=known_units(catalog))


def compare(draft: Draft, catalog: Catalog, plan: str) -> Comparison:
    comparison = Comparison(plan)
    tasks = {int(t.number): t for t in draft.tasks if t.number.isdigit()}
    for spec in (t for t in catalog.tasks if t.plan == plan):
        _compare_task(comparison, spec, tasks.pop(spec.number, None))
    for extra in tasks.values():
        comparison.check(f"任务{extra.number}", "多出的任务", None, extra.content)
    indicators = {i.number: i for i in draft.indicators}
    for indicator in (i for i in catalog.indicators if i.plan == plan):
        _compare_indicator(comparison, indicator, indicators.pop(indicator.code, None))
    for surplus in indicators.values():
        comparison.check(f"指标{surplus.number}", "多出的指标", None, surplus.name)
    return comparison


def _compare_task(comparison: Comparison, spec: TaskSpec, task: DraftTask | None) -> None:
    record = f"任务{spec.number}"
    comparison.check(record, "存在", True, task is not None)
    units = tuple(u.name for u in task.units) if task else None
    comparison.check(record, "责任单位", spec.units, units)
    comparison.check(record, "时限", _spec_deadline(spec), _draft_deadline(task))
    comparison.check(record, "内容", spec.content, task.content if task else None, counted=False)
    comparison.check(record, "★", spec.featured, task.featured if task else None, counted=False)
    comparison.check(record, "分组", spec.section, task.section if task else None, counted=False)


def _spec_deadline(spec: TaskSpec) -> str:
    return "长期推进" if spec.ongoing else str(spec.deadline)


def _draft_deadline(task: DraftTask | None) -> str | None:
    if task is None:
        return None
    return "长期推进" if task.deadline.kind == "ongoing" else str(task.deadline.date)


def _compare_indicator(comparison: Comparison, spec: IndicatorSpec, indicator: DraftIndicator | None) -> None:
    record = f"指标{spec.code}"
    comparison.check(record, "存在", True, indicator is not None)
    got = indicator
    comparison.check(record, "责任单位", spec.units, tuple(u.name for u in got.units) if got else None)
    comparison.check(record, "目标值", spec.target, _decimal(got.target if got else None))
    comparison.check(record, "比较", spec.comparator, got.comparator if got else None)
    comparison.check(record, "基期值", spec.baseline, _decimal(got.baseline if got else None))
    comparison.check(record, "基期年份", spec.baseline_year, got.baseline_year if got else None)
    comparison.check(record, "计量单位", spec.unit_of_measure, got.unit_of_measure if got else None)
    comparison.check(record, "名称", spec.name, got.name if got else None, counted=False)


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def run(catalog: Catalog | None = None) -> list[Comparison]:
    catalog = catalog or load_catalog()
    return [compare(import_seed(doc, region, catalog), catalog, code) for doc, code, region in SEED_PLANS]


def overall(comparisons: Sequence[Comparison]) -> float:
    total = sum(c.counted_total for c in comparisons)
    return sum(c.counted_equal for c in comparisons) / total if total else 1.0


def report(comparisons: Sequence[Comparison]) -> str:
    lines = []
    for c in comparisons:
        lines.append(
            f"{c.plan}: {c.counted_equal}/{c.counted_total} = {c.share:.1%} of counted fields; "
            f"other fields {c.other_equal}/{c.other_total}"
        )
    lines.append(f"overall: {overall(comparisons):.1%}")
    for c in comparisons:
        for d in c.differences:
            kind = "counted" if d.counted else "other"
            lines.append(f"  [{kind}] {d.plan} {d.record} {d.field}: yaml={d.expected} | import={d.got}")
    return "\n".join(lines)


def main() -> int:
    print(report(run()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
