"""What an import proposes before anyone accepts it: the plan, its tasks and indicators, and every problem.

Plain values with one JSON form (`to_json_dict`): dates as ISO strings, numbers as strings so 37.66 stays
37.66, and every problem naming the place in the document it comes from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from seeds.importer.deadlines import Deadline
from seeds.importer.units import NewUnit

Role = Literal["lead", "co"]
NO_ITEMS = "未识别出任务或指标：可能不是工作方案"


@dataclass(frozen=True)
class Problem:
    where: str  # the block's place (第12行 / 第3个表格 第5行) and, where known, the section
    what: str  # Chinese, for the person who checks the draft


@dataclass(frozen=True)
class UnitRole:
    name: str  # the known unit's name, or the new unit's name as written
    role: Role


@dataclass(frozen=True)
class Milestone:
    period: str  # as written: 2024年3~7月
    start: dt.date
    end: dt.date
    work: str


@dataclass(frozen=True)
class DraftPlan:
    name: str
    code: str
    region: str | None
    doc_number: str | None
    issuer: str | None
    issued: dt.date | None
    valid_until: dt.date | None
    schedule: tuple[Milestone, ...] = ()
    # who follows the plan up, where the document says so, and the words that say it (for the review)
    supervisor: str | None = None
    supervisor_said: str | None = None


@dataclass(frozen=True)
class DraftTask:
    number: str
    content: str
    units: tuple[UnitRole, ...]
    leader: str | None
    deadline: Deadline
    featured: bool
    section: str | None


@dataclass(frozen=True)
class DraftIndicator:
    number: str
    name: str
    unit_of_measure: str | None
    target: str | None  # as a decimal string; None when the document states it in words only
    comparator: str
    baseline: str | None
    baseline_year: int | None
    units: tuple[UnitRole, ...]
    note: str
    report_rule: str | None = None  # monthly / quarterly / half-yearly / yearly, where the table says


@dataclass(frozen=True)
class Draft:
    plan: DraftPlan
    tasks: tuple[DraftTask, ...] = ()
    indicators: tuple[DraftIndicator, ...] = ()
    new_units: tuple[NewUnit, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "plan": _plan_json(self.plan),
            "tasks": [_task_json(t) for t in self.tasks],
            "indicators": [_indicator_json(i) for i in self.indicators],
            "new_units": [{"name": u.name, "likely_level": u.likely_level} for u in self.new_units],
            "problems": [{"where": p.where, "what": p.what} for p in self.problems],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _units_json(units: tuple[UnitRole, ...]) -> list[dict[str, str]]:
    return [{"name": u.name, "role": u.role} for u in units]


def _plan_json(plan: DraftPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "code": plan.code,
        "region": plan.region,
        "doc_number": plan.doc_number,
        "issuer": plan.issuer,
        "issued": _iso(plan.issued),
        "valid_until": _iso(plan.valid_until),
        "schedule": [
            {"period": m.period, "start": _iso(m.start), "end": _iso(m.end), "work": m.work}
            for m in plan.schedule
        ],
    }


def _task_json(task: DraftTask) -> dict[str, Any]:
    return {
        "number": task.number,
        "content": task.content,
        "units": _units_json(task.units),
        "leader": task.leader,
        "deadline": {
            "text": task.deadline.text,
            "kind": task.deadline.kind,
            "date": _iso(task.deadline.date),
        },
        "featured": task.featured,
        "section": task.section,
    }


def _indicator_json(indicator: DraftIndicator) -> dict[str, Any]:
    return {
        "number": indicator.number,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "target": indicator.target,
        "comparator": indicator.comparator,
        "baseline": indicator.baseline,
        "baseline_year": indicator.baseline_year,
        "units": _units_json(indicator.units),
        "note": indicator.note,
    }
