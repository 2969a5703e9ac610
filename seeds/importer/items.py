"""What each shape recogniser hands on before units and deadlines are resolved: items as written.

A shape only finds where things are; resolving unit names and reading deadlines happens once, in shapes.py,
so every shape gets the same treatment and the same problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from seeds.importer.draft import Problem

CellRole = Literal["listed", "lead", "co"]  # listed: one 责任单位 list, its first unit leads


@dataclass(frozen=True)
class UnitCell:
    text: str  # raw, line breaks kept: they may separate units
    role: CellRole


@dataclass(frozen=True)
class RawTask:
    number: str
    content: str
    unit_cells: tuple[UnitCell, ...]
    leader: str | None
    deadline_text: str | None  # None: the shape has no deadline for it at all
    featured: bool
    section: str | None
    where: str


@dataclass(frozen=True)
class RawIndicator:
    number: str
    name: str
    value_text: str  # the target as written: 26 / ≥95% / 不低于1000人次/年 / 年终根据全省平均水平综合考核
    unit_of_measure: str | None  # from a 单位 column; None: read it from the value
    baseline_text: str | None
    unit_cells: tuple[UnitCell, ...]
    where: str
    comparator_hint: str | None = None  # from the sentence around the number (超 / 达 / 不低于)
    note: str = ""
    baseline_year: int | None = None  # from the baseline column's header (2024年基期值)
    report_rule: str | None = None  # from a 报送频次 column (按月 → monthly): how often its data is asked for


@dataclass
class Found:
    """One shape's harvest."""

    tasks: list[RawTask] = field(default_factory=list)
    indicators: list[RawIndicator] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def extend(self, other: Found) -> None:
        self.tasks.extend(other.tasks)
        self.indicators.extend(other.indicators)
        self.problems.extend(other.problems)
