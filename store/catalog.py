"""Idempotent upsert of the catalog (units, plans, indicators, tasks) from plain specs.

Only catalog rows are touched: reports, events and members are never read or written here, so re-seeding can
never lose what people reported."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from store.catalog_changes import CatalogChange, change_of
from store.db import Database
from store.errors import StoreError
from store.locks import CATALOG_LOCK, take_write_lock
from store.models import (
    CatalogEvent,
    CollectiveMember,
    Indicator,
    IndicatorUnit,
    Plan,
    PlanPassage,
    Task,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
)
from store.name_index import bump_catalog_version
from store.names import name_key
from store.specs import Catalog, IndicatorSpec, PassageSpec, PlanSpec, TaskSpec, UnitSpec
from store.task_state import refresh_task_states

Outcome = Literal["created", "updated", "unchanged"]
Row = TypeVar("Row", bound=SQLModel)
OrderedLink = CollectiveMember | IndicatorUnit | TaskUnit


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class SyncReport:
    """What one seed application changed, per kind of record."""

    kinds: dict[str, KindCounts] = field(default_factory=dict)
    changes: list[CatalogChange] = field(default_factory=list)  # recorded by this sync, in order

    def count(self, kind: str, outcome: Outcome) -> None:
        self.kinds.setdefault(kind, KindCounts()).add(outcome)

    @property
    def created(self) -> int:
        return sum(c.created for c in self.kinds.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.kinds.values())


@dataclass(frozen=True)
class ChangeSource:
    """Who applies the catalog and from which file: written with every change it makes to an item."""

    file: str
    actor: str
    at: datetime


def sync_catalog(db: Database, catalog: Catalog, source: ChangeSource | None = None) -> SyncReport:
    """Bring the catalog tables in line with `catalog` in one transaction. A task whose deadline, units or
    leader change gets a catalog_event row per field (old → new): a revised plan never overwrites silently."""
    report = SyncReport()
    source = source or ChangeSource("seeds", "duban init", datetime.now(UTC))
    with db.session() as session:
        # one catalog sync at a time: two loads of one plan (two 确认, two `plans apply`) would otherwise both
        # find its new units missing and both record its changes; the second waits, then finds them loaded
        take_write_lock(session.connection(), CATALOG_LOCK)
        resolver = _UnitResolver(session)
        ordered = sorted(catalog.units, key=lambda u: u.kind == "collective")
        for unit in ordered:
            report.count("units", _sync_unit(session, resolver, unit))
        plan_ids = {}
        for plan in catalog.plans:
            outcome, plan_ids[plan.code] = _sync_plan(session, resolver, plan)
            report.count("plans", outcome)
        indicator_tables = (Indicator, IndicatorUnit, "indicator_id")
        for indicator in catalog.indicators:
            plan_id, code = plan_ids.get(indicator.plan), indicator.code
            before = _terms(session, Indicator, plan_id, "code", code)
            outcome = _sync_assigned(session, resolver, plan_ids, indicator, "code", indicator_tables)
            report.count("indicators", outcome)
            if before is not None:
                after = _terms(session, Indicator, plan_id, "code", code) or {}
                _record_changes(session, indicator.plan, f"指标{code}", before, after, source, report.changes)
        for task in catalog.tasks:
            before = _terms(session, Task, plan_ids.get(task.plan), "number", task.number)
            report.count(
                "tasks",
                _sync_assigned(session, resolver, plan_ids, task, "number", (Task, TaskUnit, "task_id")),
            )
            if before is not None:
                after = _terms(session, Task, plan_ids.get(task.plan), "number", task.number) or {}
                item = f"任务{task.number}"
                _record_changes(session, task.plan, item, before, after, source, report.changes)
        for plan in catalog.plans:
            tasks = {str(t.number) for t in catalog.tasks if t.plan == plan.code}
            indicators = {i.code for i in catalog.indicators if i.plan == plan.code}
            for kind, held in ((_TASK_ITEMS, tasks), (_INDICATOR_ITEMS, indicators)):
                _withdraw_or_restore(session, kind, plan.code, plan_ids[plan.code], held, source, report)
        _keep_indexes(session, changed=bool(report.created or report.updated))
        session.commit()
    return report


# catalog_event.new when a revision drops an item (its old, when a later one brings the item back)
WITHDRAWN = "修订稿已删除此项"


@dataclass(frozen=True)
class _Items:
    """How one kind of item is withdrawn: its model, key, ledger label and report count."""

    model: type[Task] | type[Indicator]
    key: str
    label: str
    kind: str


_TASK_ITEMS = _Items(Task, "number", "任务", "tasks")
_INDICATOR_ITEMS = _Items(Indicator, "code", "指标", "indicators")


def _withdraw_or_restore(
    session: Session, items: _Items, plan: str, plan_id: int, held: set[str], source: ChangeSource,
    report: SyncReport,
) -> None:  # fmt: skip
    """A plan file is the whole plan: its items the file no longer holds are withdrawn, and a withdrawn item
    it holds again is restored, each recorded in catalog_event (never deleted: reports on it stay)."""
    model = items.model
    found = session.exec(select(model).where(col(model.plan_id) == plan_id)).all()
    rows = cast(Sequence[Task | Indicator], found)
    changed = {c.item for c in report.changes if c.plan == plan}  # items this sync updated already
    for row in rows:
        key = str(getattr(row, items.key))
        gone = key not in held
        if gone == row.withdrawn:
            continue
        row.withdrawn = gone
        session.add(row)
        old, new = (None, WITHDRAWN) if gone else (WITHDRAWN, None)
        item = f"{items.label}{key}"
        # a restored item was counted above, where its fields were compared: updated if they changed too
        if gone or item not in changed:
            report.count(items.kind, "updated")
        if not gone and item not in changed:
            report.kinds[items.kind].unchanged -= 1
        _record(session, plan, item, "withdrawn", (old, new), source, report.changes)
    session.flush()


def _keep_indexes(session: Session, *, changed: bool) -> None:
    """A changed catalog makes the name index stale (rebuilt before the bot next answers) and may change any
    task's state (its deadline, its units); an unchanged one still gets state rows for tasks without one."""
    connection = session.connection()
    if changed:
        bump_catalog_version(connection)
        refresh_task_states(connection, session.exec(select(Task.id)).all())  # type: ignore[arg-type]
    else:
        held = select(TaskState.task_id)
        missing = select(Task.id).where(col(Task.id).not_in(held), col(Task.withdrawn).is_(False))
        refresh_task_states(connection, session.exec(missing).all())  # type: ignore[arg-type]


class _UnitResolver:
    """Maps a canonical name or alias to a unit id within the running transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, int] = {}

    def id_of(self, name: str) -> int:
        key = name_key(name)
        if key not in self.known:
            self._reload()
        if key not in self.known:
            raise StoreError(f"种子数据引用了未定义的单位：{name}")
        return self.known[key]

    def _reload(self) -> None:
        self.known = {name_key(u.name): _id(u) for u in self.session.exec(select(Unit))}
        for alias in self.session.exec(select(UnitAlias)):
            self.known.setdefault(alias.key, alias.unit_id)


def _id(row: Any) -> int:
    assert row.id is not None, "row must be flushed before its id is used"
    return int(row.id)


def _upsert(
    session: Session, model: type[Row], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Outcome, Row]:
    """Insert or update one row found by its natural key; report whether anything changed."""
    statement = select(model)
    for name, value in lookup.items():
        statement = statement.where(getattr(model, name) == value)
    row = session.exec(statement).first()
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        session.flush()
        return "created", row
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for name, value in changed.items():
        setattr(row, name, value)
    session.flush()
    return ("updated" if changed else "unchanged"), row


def _sync_ordered_links(
    session: Session, model: type[OrderedLink], owner: tuple[str, int], target: str, wanted: Sequence[int]
) -> bool:
    """Make an ordered link list (written order matters: the first unit leads) equal `wanted`."""
    owner_column, owner_id = owner
    current = session.exec(
        select(getattr(model, target))
        .where(getattr(model, owner_column) == owner_id)
        .order_by(col(model.position))
    ).all()
    if list(current) == list(wanted):
        return False
    session.execute(delete(model).where(getattr(model, owner_column) == owner_id))
    session.add_all(model(**{owner_column: owner_id, target: t, "position": i}) for i, t in enumerate(wanted))
    session.flush()
    return True


def _sync_unit(session: Session, resolver: _UnitResolver, spec: UnitSpec) -> Outcome:
    values = {"kind": spec.kind, "region": spec.region, **_source(spec.source)}
    outcome, unit = _upsert(session, Unit, {"name": spec.name}, values)
    unit_id = _id(unit)
    aliases_changed = _sync_aliases(session, unit_id, spec.aliases)
    members = [resolver.id_of(m) for m in spec.members]
    members_changed = _sync_ordered_links(
        session, CollectiveMember, ("collective_id", unit_id), "member_id", members
    )
    return "updated" if outcome == "unchanged" and (aliases_changed or members_changed) else outcome


def _sync_aliases(session: Session, unit_id: int, aliases: tuple[str, ...]) -> bool:
    current = session.exec(
        select(UnitAlias).where(UnitAlias.unit_id == unit_id).order_by(col(UnitAlias.id))
    ).all()
    if [a.alias for a in current] == list(aliases):
        return False
    for alias in current:
        session.delete(alias)
    session.flush()
    for alias_text in aliases:
        key = name_key(alias_text)
        clash = session.exec(select(UnitAlias).where(UnitAlias.key == key)).first()
        if clash is not None:
            raise StoreError(f"别名“{alias_text}”同时属于两个单位")
        session.add(UnitAlias(alias=alias_text, key=key, unit_id=unit_id))
        session.flush()
    return True


def _sync_plan(session: Session, resolver: _UnitResolver, spec: PlanSpec) -> tuple[Outcome, int]:
    values = {
        "title": spec.title,
        "region": spec.region,
        "issuer": spec.issuer,
        "doc_number": spec.doc_number,
        "status": spec.status,
        "issued_on": spec.issued_on,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
        "supervising_unit_id": resolver.id_of(spec.supervising_unit),
        "reminder_policy": spec.reminder_policy,
        "short_names": _json_list(spec.short_names),
        "schedule": _json_list([asdict(m) for m in spec.schedule]),
        "assignment_note": spec.assignment_note,
        "validity_note": spec.validity_note,
        **_source(spec.source),
    }
    outcome, plan = _upsert(session, Plan, {"code": spec.code}, values)
    passages_changed = _sync_passages(session, _id(plan), spec.passages)
    return ("updated" if outcome == "unchanged" and passages_changed else outcome), _id(plan)


def _sync_passages(session: Session, plan_id: int, wanted: Sequence[PassageSpec]) -> bool:
    """Replace the plan's passages when its document changed (catalog data, not a ledger)."""
    current = session.exec(
        select(PlanPassage).where(PlanPassage.plan_id == plan_id).order_by(col(PlanPassage.seq))
    ).all()
    as_specs = [PassageSpec(p.path, p.heading, p.text, p.line) for p in current]
    if as_specs == list(wanted):
        return False
    session.execute(delete(PlanPassage).where(col(PlanPassage.plan_id) == plan_id))
    session.add_all(
        PlanPassage(plan_id=plan_id, seq=i, path=p.path, heading=p.heading[:100], text=p.text, line=p.line)
        for i, p in enumerate(wanted)
    )
    session.flush()
    return True


def _json_list(items: Sequence[Any]) -> str:
    return json.dumps(list(items), ensure_ascii=False, default=str)


def _sync_assigned(
    session: Session,
    resolver: _UnitResolver,
    plan_ids: dict[str, int],
    spec: IndicatorSpec | TaskSpec,
    key: str,
    tables: tuple[type[Indicator] | type[Task], type[IndicatorUnit] | type[TaskUnit], str],
) -> Outcome:
    """Upsert an indicator or task by (plan, key) and its responsible units in written order."""
    model, link_model, owner_column = tables
    fields = asdict(spec)
    lookup = {"plan_id": _plan_id(plan_ids, spec.plan), key: fields.pop(key)}
    for not_a_column in ("plan", "units", "source"):
        fields.pop(not_a_column)
    if "aliases" in fields:
        fields["aliases"] = _json_list(fields["aliases"])
    outcome, row = _upsert(session, model, lookup, {**fields, **_source(spec.source)})
    wanted = [resolver.id_of(u) for u in spec.units]
    links_changed = _sync_ordered_links(session, link_model, (owner_column, _id(row)), "unit_id", wanted)
    return "updated" if outcome == "unchanged" and links_changed else outcome


def _plan_id(plan_ids: dict[str, int], code: str) -> int:
    if code not in plan_ids:
        raise StoreError(f"种子数据引用了未定义的计划：{code}")
    return plan_ids[code]


def _source(source: Any) -> dict[str, str]:
    return {"source_doc": source.doc, "source_section": source.section}


# What a revision may change and the catalog ledger records, old → new (content and targets included: an
# office's figures are never overwritten silently).
_TASK_FIELDS = ("content", "featured", "deadline", "deadline_text", "deadline_rule", "ongoing", "leader",
                "lead_units", "section")  # fmt: skip
_INDICATOR_FIELDS = ("name", "target", "comparator", "unit_of_measure", "baseline", "baseline_year", "due",
                     "period_kind", "report_rule")  # fmt: skip


def _terms(
    session: Session, model: type[Task] | type[Indicator], plan_id: int | None, key: str, value: Any
) -> dict[str, str] | None:
    """An item's terms as text (its fields and units in order), or None when it is not in the store yet."""
    if plan_id is None:
        return None
    row = session.exec(
        select(model).where(col(model.plan_id) == plan_id, getattr(model, key) == value)
    ).first()
    if row is None:
        return None
    link, owner = (
        (TaskUnit, TaskUnit.task_id) if model is Task else (IndicatorUnit, IndicatorUnit.indicator_id)
    )
    units = session.exec(
        select(Unit.name)
        .join(link, col(link.unit_id) == col(Unit.id))
        .where(col(owner) == _id(row))
        .order_by(col(link.position))
    ).all()
    fields = _TASK_FIELDS if model is Task else _INDICATOR_FIELDS
    terms = {name: "" if getattr(row, name) is None else str(getattr(row, name)) for name in fields}
    terms["units"] = "、".join(units)
    return terms


def _record_changes(
    session: Session,
    plan: str,
    item: str,
    before: dict[str, str],
    after: dict[str, str],
    source: ChangeSource,
    recorded: list[CatalogChange],
) -> None:
    """One catalog_event per changed field, each also added to `recorded` (what this sync tells its caller:
    never another process's rows written meanwhile)."""
    for name, old in before.items():
        new = after.get(name, "")
        if new != old:
            _record(session, plan, item, name, (old or None, new or None), source, recorded)
    session.flush()


def _record(
    session: Session,
    plan: str,
    item: str,
    field: str,
    change: tuple[str | None, str | None],
    source: ChangeSource,
    recorded: list[CatalogChange],
) -> None:
    """One catalog_event row (old → new), attributed to the file and actor; also told to the caller."""
    event = CatalogEvent(
        plan_code=plan, item=item, field=field, old=change[0], new=change[1],
        source=source.file[:300], actor=source.actor[:200], recorded_at=source.at,
    )  # fmt: skip
    session.add(event)
    recorded.append(change_of(event))
