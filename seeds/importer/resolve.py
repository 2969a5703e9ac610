"""Items as written → draft tasks and indicators: unit names resolved, deadlines and values read, gaps said.

Pure. Everything interpreted rather than read is reported once, at the place it comes from: a unit not in
the directory (with a close spelling as a suggestion), a deadline that cannot be read, a target in words, a
comparator taken by default where the name suggests lower is better, and — for a plan naming no units or
deadlines at all — which office and which date the draft proposes, and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from seeds.importer.deadlines import Deadline, parse_deadline_text
from seeds.importer.draft import DraftIndicator, DraftTask, Problem, Role, UnitRole
from seeds.importer.header import Header
from seeds.importer.items import RawIndicator, RawTask, UnitCell
from seeds.importer.prose import Explanation, LeadingOffice, names_agree
from seeds.importer.targets import fold, read_baseline, read_value
from seeds.importer.units import NewUnit, UnitDirectory, split_unit_names

_LOWER_IS_BETTER = re.compile(r"失业率|债务率|能耗|排放|事故|死亡|发生率|投诉|负债|逾期|不良")
_PER_YEAR = re.compile(r"/年$")


class Resolver:
    def __init__(self, directory: UnitDirectory, header: Header) -> None:
        self.directory = directory
        self.header = header
        self.problems: list[Problem] = []
        self.new_units: dict[str, NewUnit] = {}

    # Tasks

    def tasks(self, raws: Sequence[RawTask], office: LeadingOffice | None) -> list[DraftTask]:
        numbers = [raw.number for raw in raws]
        renumber = len(set(numbers)) != len(numbers)
        if renumber and raws:
            self.problems.append(Problem(raws[0].where, "原文各部分的序号重复，已按出现顺序重新编号"))
        office_units = self._office_units(office, raws, "任务") if not any(r.unit_cells for r in raws) else ()
        fallback = self._deadline_fallback(raws)
        tasks: list[DraftTask] = []
        for position, raw in enumerate(raws, start=1):
            number = str(position) if renumber else raw.number
            units = self._units(raw.unit_cells, raw.where) or office_units
            if not units and raw.unit_cells == () and office is None:
                self.problems.append(Problem(raw.where, f"第{number}项未载明责任单位"))
            tasks.append(
                DraftTask(number, raw.content, units, raw.leader, self._deadline(raw, number, fallback),
                          raw.featured, raw.section)
            )  # fmt: skip
        return tasks

    def _deadline(self, raw: RawTask, number: str, fallback: Deadline | None) -> Deadline:
        if raw.deadline_text is None:
            return fallback or Deadline("", "none", None)
        deadline = parse_deadline_text(raw.deadline_text, plan_year=self.header.year)
        if deadline.kind == "none":
            what = (
                f"第{number}项时限无法识别：{raw.deadline_text}"
                if raw.deadline_text
                else f"第{number}项未填完成时限"
            )
            self.problems.append(Problem(raw.where, what))
        return deadline

    def _deadline_fallback(self, raws: Sequence[RawTask]) -> Deadline | None:
        """Items with no deadline at all: the plan's expiry if it states one, said in one problem."""
        undated = [raw for raw in raws if raw.deadline_text is None]
        if not undated:
            return None
        valid_until, words = self.header.valid_until, self.header.valid_until_text
        if valid_until is not None and words:
            self.problems.append(
                Problem(
                    self.header.valid_until_where or undated[0].where,
                    f"方案未载明各项工作的完成时限；按“{words}”，暂以{valid_until.isoformat()}为时限，请确认",
                )
            )
            return Deadline("", "date", valid_until)
        self.problems.append(Problem(undated[0].where, f"{len(undated)}项任务未载明完成时限，请补充"))
        return None

    # Indicators

    def indicators(
        self, raws: Sequence[RawIndicator], notes: Sequence[Explanation], office: LeadingOffice | None
    ) -> list[DraftIndicator]:
        office_units = self._office_units(office, raws, "指标") if not any(r.unit_cells for r in raws) else ()
        by_number = {note.number: note for note in notes}
        return [self._indicator(raw, by_number, office_units) for raw in raws]

    def _indicator(
        self, raw: RawIndicator, notes: dict[int, Explanation], office_units: tuple[UnitRole, ...]
    ) -> DraftIndicator:
        value = read_value(raw.value_text)
        if value.number is None:
            self.problems.append(
                Problem(
                    raw.where,
                    f"指标{raw.number}「{raw.name}」的目标为文字表述（{raw.value_text}），未能读出数值",
                )
            )
        comparator = raw.comparator_hint or value.comparator or self._default_comparator(raw)
        uom = raw.unit_of_measure or value.unit_of_measure
        if uom is None and value.number is not None:
            self.problems.append(Problem(raw.where, f"指标{raw.number}「{raw.name}」未能确定计量单位"))
        note, (baseline, baseline_year) = raw.note, _table_baseline(raw) or (None, None)
        explained = notes.get(int(raw.number)) if raw.number.isdigit() else None
        if explained is not None and names_agree(fold(explained.name), fold(raw.name)):
            note = explained.note
            if baseline is None:
                baseline, baseline_year = self._baseline(raw, explained, uom)
        elif raw.baseline_text and baseline is None:
            self.problems.append(
                Problem(raw.where, f"指标{raw.number}的基期值 {raw.baseline_text} 未载明年份，未导入，请核对")
            )
        elif explained is not None:
            self.problems.append(
                Problem(
                    explained.where,
                    f"指标说明第{explained.number}条「{explained.name}」与指标「{raw.name}」名称不一致，未采用",
                )
            )
        units = self._units(raw.unit_cells, raw.where) or office_units
        return DraftIndicator(
            raw.number, raw.name, uom, value.number, comparator, baseline, baseline_year, units, note,
            raw.report_rule,
        )  # fmt: skip

    def _default_comparator(self, raw: RawIndicator) -> str:
        if _LOWER_IS_BETTER.search(raw.name):
            self.problems.append(
                Problem(
                    raw.where,
                    f"指标{raw.number}「{raw.name}」未写明比较方式，按“不低于”（>=）导入，但该指标可能越低越好，请核对",
                )
            )
        return ">="

    def _baseline(
        self, raw: RawIndicator, explained: Explanation, uom: str | None
    ) -> tuple[str | None, int | None]:
        found = read_baseline(explained.note)
        if found is None:
            return None, None
        if (
            found.unit_of_measure
            and uom
            and _base(found.unit_of_measure) != _base(uom)
            and found.number != "0"
        ):
            self.problems.append(
                Problem(
                    explained.where,
                    f"指标{raw.number}「{raw.name}」的基期值 {found.number}{found.unit_of_measure} "
                    f"与目标的计量单位（{uom}）不同，请核对",
                )
            )
        return found.number, found.year

    # Units

    def _units(self, cells: Sequence[UnitCell], where: str) -> tuple[UnitRole, ...]:
        roles: list[UnitRole] = []
        for cell in cells:
            for name in split_unit_names(cell.text):
                role = self._role(cell, bool(roles))
                resolved = self.directory.resolve(name)
                if resolved.new is not None:
                    self._new_unit(resolved.new, resolved.near, where)
                if all(r.name != resolved.name for r in roles):
                    roles.append(UnitRole(resolved.name, role))
        return tuple(roles)

    @staticmethod
    def _role(cell: UnitCell, has_units: bool) -> Role:
        """In one 责任单位 list the first unit leads (DOMAIN: lead first, co-units after it)."""
        if cell.role == "listed":
            return "co" if has_units else "lead"
        return cell.role

    def _new_unit(self, unit: NewUnit, near: tuple[str, ...], where: str) -> None:
        if unit.name in self.new_units:
            return
        self.new_units[unit.name] = unit
        hint = f"；是否指「{'」或「'.join(near)}」？" if near else ""
        self.problems.append(
            Problem(
                where,
                f"「{unit.name}」不在单位名录中，导入时将新建（{_level(unit.likely_level)}，类型按名称推定）{hint}",
            )
        )

    def supervisor(self, office: LeadingOffice | None) -> str | None:
        """The office following the plan up, as the store will name it (a new unit listed like any other)."""
        if office is None:
            return None
        units = self._units([UnitCell(office.unit, "lead")], office.where)
        return units[0].name if units else None

    def _office_units(
        self, office: LeadingOffice | None, raws: Sequence[object], what: str
    ) -> tuple[UnitRole, ...]:
        """A plan naming no unit for any item: its leading office leads them all, and the draft says why."""
        if office is None or not raws:
            return ()
        units = self._units([UnitCell(office.unit, "lead")], office.where)
        self.problems.append(
            Problem(
                f"{office.section} {office.where}",
                f"方案未载明各项{what}的责任单位；{office.section}写明“{office.sentence}”，"
                f"暂将{len(raws)}项{what}交{office.unit}牵头，请确认或改派",
            )
        )
        return units


def _base(uom: str) -> str:
    return _PER_YEAR.sub("", uom)


def _level(level: str) -> str:
    return "级别未知" if level == "other" else f"{level}级"


def _table_baseline(raw: RawIndicator) -> tuple[str, int] | None:
    """A baseline cell with a number, under a header that names its year (2024年基期值 | 41.2)."""
    if not raw.baseline_text or raw.baseline_year is None:
        return None
    found = re.search(r"-?\d+(?:\.\d+)?", raw.baseline_text.replace(",", ""))
    return (found.group(0), raw.baseline_year) if found else None
