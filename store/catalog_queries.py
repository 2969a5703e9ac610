"""Read services over the catalog: units, plans, tasks and indicators as plain views."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from store.db import Database
from store.errors import UnknownNameError
from store.models import (
    CollectiveMember,
    Indicator,
    IndicatorUnit,
    Plan,
    PlanPassage,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
)
from store.names import closest, name_key
from store.specs import MilestoneSpec, SourceRef
from store.views import IndicatorView, PassageView, PlanView, TaskView, UnitView, plan_short_name


class _UnitDirectory:
    """All units of one session with aliases and collective members, for expansion and lookup."""

    def __init__(self, session: Session) -> None:
        self.by_id: dict[int, Unit] = {int(unit.id or 0): unit for unit in session.exec(select(Unit))}
        self.aliases: dict[int, list[str]] = defaultdict(list)
        for alias in session.exec(select(UnitAlias).order_by(col(UnitAlias.id))):
            self.aliases[alias.unit_id].append(alias.alias)
        self.members: dict[int, list[int]] = defaultdict(list)
        for link in session.exec(select(CollectiveMember).order_by(col(CollectiveMember.position))):
            self.members[link.collective_id].append(link.member_id)

    def names(self, unit_ids: Iterable[int]) -> tuple[str, ...]:
        return tuple(self.by_id[i].name for i in unit_ids)

    def expand(self, unit_ids: Iterable[int]) -> tuple[int, ...]:
        """Collectives become their members; a unit named twice counts once, at its first place."""
        seen: list[int] = []
        for unit_id in unit_ids:
            for member in self.members.get(unit_id) or [unit_id]:
                if member not in seen:
                    seen.append(member)
        return tuple(seen)

    def keys(self) -> dict[str, str]:
        """Normalised name or alias -> canonical name."""
        found = {name_key(u.name): u.name for u in self.by_id.values()}
        for unit_id, aliases in self.aliases.items():
            for alias in aliases:
                found.setdefault(name_key(alias), self.by_id[unit_id].name)
        return found

    def view(self, unit_id: int) -> UnitView:
        unit = self.by_id[unit_id]
        return UnitView(
            name=unit.name,
            kind=unit.kind,
            region=unit.region,
            aliases=tuple(self.aliases.get(unit_id, ())),
            members=self.names(self.members.get(unit_id, ())),
        )


def list_units(db: Database) -> list[UnitView]:
    with db.session() as session:
        directory = _UnitDirectory(session)
        return [directory.view(unit_id) for unit_id in sorted(directory.by_id)]


def resolve_unit(db: Database, name: str) -> UnitView:
    """The unit a name or alias denotes; UnknownNameError with close matches otherwise."""
    with db.session() as session:
        directory = _UnitDirectory(session)
    keys = directory.keys()
    canonical = keys.get(name_key(name))
    if canonical is None:
        raise UnknownNameError("unit", name, closest(name, keys))
    unit_id = next(i for i, u in directory.by_id.items() if u.name == canonical)
    return directory.view(unit_id)


def list_plans(db: Database) -> list[PlanView]:
    with db.session() as session:
        directory = _UnitDirectory(session)
        plans = session.exec(select(Plan).order_by(col(Plan.id))).all()
        return [_plan_view(plan, directory) for plan in plans]


def resolve_plan(db: Database, name: str) -> PlanView:
    """A plan by code, title, region (福州 / 鼓楼区) or a short name people call it by (示范区, 鼓楼方案:
    how reminders and chat name it); UnknownNameError with close matches otherwise."""
    plans = list_plans(db)
    keys: dict[str, str] = {}
    for plan in plans:
        shorts = (*plan.short_names, plan_short_name(plan.region, plan.short_names))
        for label in (plan.code, plan.title, plan.region, plan.region.rstrip("市区县"), *shorts):
            keys.setdefault(name_key(label), plan.code)
    code = keys.get(name_key(name))
    if code is None:
        raise UnknownNameError("plan", name, closest(name, keys))
    return next(plan for plan in plans if plan.code == code)


_live = col(Task.withdrawn).is_(False)  # a task a revised plan dropped is history, not work
_live_indicator = col(Indicator.withdrawn).is_(False)


def list_tasks(db: Database, *, unit: str | None = None, plan: str | None = None) -> list[TaskView]:
    """Tasks in plan and number order, optionally only those a unit (or a collective's members) carries."""
    plan_code = resolve_plan(db, plan).code if plan else None
    wanted = _unit_filter(db, unit)
    with db.session() as session:
        directory = _UnitDirectory(session)
        codes = {p.id: p.code for p in session.exec(select(Plan))}
        links = _links(session.exec(select(TaskUnit).order_by(col(TaskUnit.position))), "task_id")
        rows = session.exec(select(Task).where(_live).order_by(col(Task.plan_id), col(Task.number))).all()
    views = [_task_view(row, codes[row.plan_id], links[row.id or 0], directory) for row in rows]
    return [v for v in views if (plan_code is None or v.plan == plan_code) and _carries(v, wanted)]


def live_task_numbers(db: Database, plan_code: str) -> list[int]:
    """The numbers of a stored plan's tasks still held (none when the plan is new): what a revision of it
    would withdraw is what it no longer holds."""
    with db.session() as session:
        statement = select(Task.number).join(Plan).where(col(Plan.code) == plan_code, _live)
        rows = session.exec(statement.order_by(col(Task.number))).all()
    return [int(n) for n in rows]


def live_indicator_codes(db: Database, plan_code: str) -> list[str]:
    """The codes of a stored plan's indicators still held (as live_task_numbers)."""
    with db.session() as session:
        statement = select(Indicator.code).join(Plan).where(col(Plan.code) == plan_code, _live_indicator)
        return [str(c) for c in session.exec(statement.order_by(col(Indicator.id))).all()]


def list_indicators(db: Database, *, plan: str | None = None) -> list[IndicatorView]:
    plan_code = resolve_plan(db, plan).code if plan else None
    with db.session() as session:
        directory = _UnitDirectory(session)
        codes = {p.id: p.code for p in session.exec(select(Plan))}
        links = _links(
            session.exec(select(IndicatorUnit).order_by(col(IndicatorUnit.position))), "indicator_id"
        )
        rows = session.exec(
            select(Indicator).where(_live_indicator).order_by(col(Indicator.plan_id), col(Indicator.id))
        ).all()
    views = [_indicator_view(row, codes[row.plan_id], links[row.id or 0], directory) for row in rows]
    return [v for v in views if plan_code is None or v.plan == plan_code]


@dataclass(frozen=True)
class CatalogViews:
    plans: list[PlanView]
    units: list[UnitView]
    tasks: list[TaskView]
    indicators: list[IndicatorView]


def load_catalog_views(db: Database) -> CatalogViews:
    """Every plan, unit, task and indicator in one session: what a long-running bot holds in memory."""
    with db.session() as session:
        directory = _UnitDirectory(session)
        plans = session.exec(select(Plan).order_by(col(Plan.id))).all()
        codes = {p.id: p.code for p in plans}
        task_links = _links(session.exec(select(TaskUnit).order_by(col(TaskUnit.position))), "task_id")
        indicator_links = _links(
            session.exec(select(IndicatorUnit).order_by(col(IndicatorUnit.position))), "indicator_id"
        )
        tasks = session.exec(select(Task).where(_live).order_by(col(Task.plan_id), col(Task.number))).all()
        indicators = session.exec(
            select(Indicator).where(_live_indicator).order_by(col(Indicator.plan_id), col(Indicator.id))
        ).all()
        return CatalogViews(
            plans=[_plan_view(plan, directory) for plan in plans],
            units=[directory.view(unit_id) for unit_id in sorted(directory.by_id)],
            tasks=[_task_view(t, codes[t.plan_id], task_links[t.id or 0], directory) for t in tasks],
            indicators=[
                _indicator_view(i, codes[i.plan_id], indicator_links[i.id or 0], directory)
                for i in indicators
            ],
        )


def _unit_filter(db: Database, unit: str | None) -> frozenset[str] | None:
    if unit is None:
        return None
    view = resolve_unit(db, unit)
    return frozenset((view.name, *view.members))


def _carries(task: TaskView, wanted: frozenset[str] | None) -> bool:
    return wanted is None or bool(wanted & {*task.units, *task.assigned})


def _links(rows: Iterable[TaskUnit] | Iterable[IndicatorUnit], owner: str) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, owner)].append(row.unit_id)
    return grouped


def _source(row: Plan | Task | Indicator) -> SourceRef:
    return SourceRef(doc=row.source_doc, section=row.source_section)


def _plan_view(plan: Plan, directory: _UnitDirectory) -> PlanView:
    return PlanView(
        code=plan.code,
        title=plan.title,
        region=plan.region,
        issuer=plan.issuer,
        doc_number=plan.doc_number,
        status=plan.status,
        issued_on=plan.issued_on,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        supervising_unit=directory.by_id[plan.supervising_unit_id].name,
        source=_source(plan),
        short_names=tuple(json.loads(plan.short_names or "[]")),
        schedule=tuple(
            MilestoneSpec(
                m["period"], date.fromisoformat(m["start"]), date.fromisoformat(m["end"]), m["work"]
            )
            for m in json.loads(plan.schedule or "[]")
        ),
        assignment_note=plan.assignment_note,
        validity_note=plan.validity_note,
    )


def _milestone(stored: dict[str, str]) -> MilestoneSpec:
    start, end = date.fromisoformat(stored["start"]), date.fromisoformat(stored["end"])
    return MilestoneSpec(stored["period"], start, end, stored["work"])


def leader_tasks(db: Database) -> dict[str, list[tuple[str, int]]]:
    """Each 责任领导 named in a plan, with their tasks (plan code, number) in catalog order."""
    with db.session() as session:
        codes = {p.id: p.code for p in session.exec(select(Plan))}
        rows = session.exec(
            select(Task.leader, Task.plan_id, Task.number)
            .where(col(Task.leader).is_not(None), _live)
            .order_by(col(Task.plan_id), col(Task.number))
        )
        found: dict[str, list[tuple[str, int]]] = {}
        for leader, plan_id, number in rows:
            for name in re.split(r"[、，,；;\s]+", str(leader)):
                if len(name) >= 2:
                    found.setdefault(name, []).append((codes[plan_id], int(number)))
        return found


def plan_passages(db: Database) -> list[PassageView]:
    """Every plan's document text by paragraph, in document order."""
    with db.session() as session:
        codes = {p.id: p.code for p in session.exec(select(Plan))}
        rows = session.exec(select(PlanPassage).order_by(col(PlanPassage.plan_id), col(PlanPassage.seq)))
        return [PassageView(codes[r.plan_id], r.path, r.heading, r.text) for r in rows]


def _task_view(task: Task, plan_code: str, unit_ids: list[int], directory: _UnitDirectory) -> TaskView:
    return TaskView(
        plan=plan_code,
        number=task.number,
        title=task.title,
        section=task.section,
        content=task.content,
        featured=task.featured,
        deadline=task.deadline,
        ongoing=task.ongoing,
        assigned=directory.names(unit_ids),
        units=directory.names(directory.expand(unit_ids)),
        source=_source(task),
        leader=task.leader,
        deadline_text=task.deadline_text,
        lead_units=task.lead_units,
    )


def _indicator_view(
    row: Indicator, plan_code: str, unit_ids: list[int], directory: _UnitDirectory
) -> IndicatorView:
    return IndicatorView(
        plan=plan_code,
        code=row.code,
        name=row.name,
        region=row.region,
        unit_of_measure=row.unit_of_measure,
        target=row.target,
        comparator=row.comparator,
        period_kind=row.period_kind,
        baseline=row.baseline,
        baseline_year=row.baseline_year,
        baseline_unit=row.baseline_unit,
        assigned=directory.names(unit_ids),
        units=directory.names(directory.expand(unit_ids)),
        due=row.due,
        note=row.note,
        source=_source(row),
        aliases=tuple(json.loads(row.aliases or "[]")),
        report_rule=row.report_rule,
    )
