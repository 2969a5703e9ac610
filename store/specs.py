"""Plain input records for the catalog (what seeds hand to the store); no ORM objects cross this line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str
    region: str
    aliases: tuple[str, ...]
    source: SourceRef
    members: tuple[str, ...] = ()  # only for kind "collective"


@dataclass(frozen=True)
class MilestoneSpec:
    period: str
    start: date
    end: date
    work: str


@dataclass(frozen=True)
class PassageSpec:
    path: str
    heading: str
    text: str
    line: int


@dataclass(frozen=True)
class PlanSpec:
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
    reminder_policy: str | None = None  # JSON of the plan's reminder settings; None: the defaults
    short_names: tuple[str, ...] = ()
    schedule: tuple[MilestoneSpec, ...] = ()
    passages: tuple[PassageSpec, ...] = ()  # the document's text by section; () when none was given
    assignment_note: str | None = None  # how units were assigned where the document names none per item
    validity_note: str | None = None  # how the validity was inferred where the document states none


@dataclass(frozen=True)
class IndicatorSpec:
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
    units: tuple[str, ...]
    due: date | None
    note: str
    source: SourceRef
    aliases: tuple[str, ...] = ()
    report_rule: str | None = None  # monthly / quarterly / half-yearly / yearly; None: quarterly


@dataclass(frozen=True)
class TaskSpec:
    plan: str
    number: int
    title: str | None
    section: str | None
    content: str
    featured: bool
    deadline: date | None
    ongoing: bool
    units: tuple[str, ...]  # leads first, then the cooperating units
    source: SourceRef
    deadline_text: str | None = None
    deadline_kind: str | None = None
    leader: str | None = None
    lead_units: int = 1
    deadline_rule: str | None = None


@dataclass(frozen=True)
class Catalog:
    units: tuple[UnitSpec, ...]
    plans: tuple[PlanSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    tasks: tuple[TaskSpec, ...]
