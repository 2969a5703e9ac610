"""Plain, immutable views the store returns; nothing outside store/ sees an ORM object or a session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from store.specs import MilestoneSpec, SourceRef


@dataclass(frozen=True)
class UnitView:
    name: str
    kind: str
    region: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]  # non-empty only for collectives


@dataclass(frozen=True)
class PlanView:
    code: str
    title: str
    region: str
    issuer: str | None
    doc_number: str | None
    status: str
    issued_on: date | None
    valid_from: date | None
    valid_to: date | None
    supervising_unit: str
    source: SourceRef
    short_names: tuple[str, ...] = ()
    schedule: tuple[MilestoneSpec, ...] = ()
    assignment_note: str | None = None  # the document names no unit per item; how they were assigned
    validity_note: str | None = None  # the document states no 有效期; how the dates were inferred


@dataclass(frozen=True)
class TaskView:
    plan: str
    number: int
    title: str | None
    section: str | None
    content: str
    featured: bool
    deadline: date | None
    ongoing: bool
    assigned: tuple[str, ...]  # as written, collectives unexpanded
    units: tuple[str, ...]  # canonical names, collectives expanded, written order
    source: SourceRef
    leader: str | None = None  # 责任领导, where the document names one
    deadline_text: str | None = None  # the document's words (全年, 每季度) where they say more than the date
    lead_units: int = 1  # the first so many of assigned lead (牵头); the rest cooperate (配合)
    withdrawn: bool = False  # a revised plan no longer holds it: never listed or chased, answered as such


@dataclass(frozen=True)
class IndicatorView:
    plan: str
    code: str
    name: str
    region: str
    unit_of_measure: str
    target: Decimal
    comparator: str
    period_kind: str
    baseline: Decimal | None
    baseline_year: int | None
    baseline_unit: str | None
    assigned: tuple[str, ...]
    units: tuple[str, ...]
    due: date | None
    note: str
    source: SourceRef
    aliases: tuple[str, ...] = ()
    report_rule: str | None = None  # how often its data is asked for; None: after each quarter


@dataclass(frozen=True)
class PassageView:
    plan: str
    path: str
    heading: str
    text: str


def plan_short_name(region: str, short_names: Sequence[str]) -> str:
    """How people call a plan in a line of text: 鼓楼方案 (a short name holding its place's name), else its
    first short name (示范区), else its region."""
    place = region[:-1] if len(region) > 2 else region
    return next((n for n in short_names if place in n), short_names[0] if short_names else region)
