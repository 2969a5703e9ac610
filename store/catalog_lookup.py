"""The catalog looked up by key and filtered in the database, for answering questions at any scale.

A long-running bot used to hold every plan, unit, task and indicator as views (1.1 GiB for 150,000 tasks);
now it holds the plans (a few thousand) and looks the rest up when a question names them. Catalog rows
change only when seeds are applied, so views are cached per process, bounded; lists over many tasks (逾期,
下个月到期, a plan's tasks) are counted and paged by the database, with each task's ledger standing taken from
`task_state`. Everything returned is a plain view; no session leaves this module.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy import Integer as _INT

from store.db import Database
from store.models import (
    CollectiveMember,
    Indicator,
    IndicatorUnit,
    Plan,
    Task,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
)
from store.querying import keyed
from store.specs import MilestoneSpec, SourceRef
from store.views import IndicatorView, PlanView, TaskView, UnitView

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_alias: Table = UnitAlias.__table__  # type: ignore[attr-defined]
_members: Table = CollectiveMember.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]
_task_unit: Table = TaskUnit.__table__  # type: ignore[attr-defined]
_indicator: Table = Indicator.__table__  # type: ignore[attr-defined]
_indicator_unit: Table = IndicatorUnit.__table__  # type: ignore[attr-defined]
_state: Table = TaskState.__table__  # type: ignore[attr-defined]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
CACHE_SIZE = 20_000  # views per kind kept between messages


class _Cache(Generic[K, V]):
    """A bounded map, least recently used out first; None is cached too (a name that is not there)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.items: OrderedDict[K, V | None] = OrderedDict()

    def get_many(self, keys: Iterable[K], load: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        wanted = list(dict.fromkeys(keys))
        missing = [k for k in wanted if k not in self.items]
        if missing:
            loaded = load(missing)
            for key in missing:
                self.items[key] = loaded.get(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        found = {}
        for key in wanted:
            value = self.items.get(key)
            if key in self.items:
                self.items.move_to_end(key)
            if value is not None:
                found[key] = value
        return found


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks a list holds; None and False mean "not narrowed by this"."""

    plans: tuple[str, ...] | None = None
    units: tuple[str, ...] | None = None  # a unit, its members if a collective, and the collectives it is in
    sections: tuple[tuple[str, str], ...] = ()  # (plan, section)
    featured: bool = False
    undone: bool = False
    ongoing: bool = False
    done: bool = False
    overdue_on: date | None = None  # past their deadline in force on this day and not done
    overdue_from: date | None = None  # …with that deadline on or after this day (逾期不到两个月)
    due_from: date | None = None  # deadline in force within [due_from, due_to] (due_from None: up to due_to)
    due_to: date | None = None


# "catalog" (plan, number), "deadline" (deadline in force, plan, number) or "plan_deadline" (plan, then the
# deadline in force, then number)
Order = str
_COUNTS = ("tasks", "featured", "ongoing", "done", "overdue", "due_soon")


class CatalogLookup:
    """Plans in memory; units, tasks and indicators by key, cached; task lists counted and paged in SQL."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.engine.connect() as connection:
            self.plans, self._plan_ids = _load_plans(connection)
        self.plans_by_region: dict[str, list[PlanView]] = defaultdict(list)
        for plan in self.plans.values():
            self.plans_by_region[plan.region].append(plan)
        self._codes = {plan_id: code for code, plan_id in self._plan_ids.items()}
        self._ranks = {code: rank for rank, code in enumerate(self.plans)}
        self._units: _Cache[str, UnitView] = _Cache()
        self._unit_ids: dict[str, int] = {}
        self._tasks: _Cache[tuple[str, int], TaskView] = _Cache()
        self._task_ids: dict[tuple[str, int], int] = {}
        self._indicators: _Cache[str, IndicatorView] = _Cache()
        self._task_counts: dict[str, int] = {}
        self._static: OrderedDict[Hashable, Any] = OrderedDict()  # catalog-only answers (seeds change rarely)

    def _once(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """What depends on the catalog alone, computed once per process (bounded)."""
        if key not in self._static:
            self._static[key] = compute()
            if len(self._static) > CACHE_SIZE:
                self._static.popitem(last=False)
        return self._static[key]

    def plan_rank(self, code: str) -> int:
        """A plan's place in catalog order."""
        return self._ranks.get(code, len(self._ranks))

    # ---- by key --------------------------------------------------------------------------------------

    def unit(self, name: str) -> UnitView | None:
        return self.units([name]).get(name)

    def units(self, names: Iterable[str]) -> dict[str, UnitView]:
        return self._units.get_many(names, self._load_units)

    def task(self, plan: str, number: int) -> TaskView | None:
        return self.tasks([(plan, number)]).get((plan, number))

    def tasks(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], TaskView]:
        return self._tasks.get_many(keys, self._load_tasks)

    def indicator(self, key: str) -> IndicatorView | None:
        return self.indicators([key]).get(key)

    def indicators(self, keys: Iterable[str]) -> dict[str, IndicatorView]:
        return self._indicators.get_many(keys, self._load_indicators)

    def task_count(self, plan: str) -> int:
        if plan not in self._task_counts:
            with self.db.engine.connect() as connection:
                self._task_counts[plan] = int(
                    connection.execute(
                        select(func.count())
                        .select_from(_task)
                        .where(_task.c.plan_id == self._plan_ids.get(plan), _task.c.withdrawn.is_(False))
                    ).scalar_one()
                )
        return self._task_counts[plan]

    def has_titled_tasks(self, plan: str) -> bool:
        with self.db.engine.connect() as connection:
            row = connection.execute(
                select(_task.c.id)
                .where(_task.c.plan_id == self._plan_ids.get(plan), _task.c.title.is_not(None))
                .limit(1)
            ).first()
        return row is not None

    # ---- lists ---------------------------------------------------------------------------------------

    def indicators_of_plans(self, plans: Sequence[str]) -> list[IndicatorView]:
        found = list(
            self._once(("indicators_of_plans", tuple(plans)), lambda: self._read_indicators_of_plans(plans))
        )
        if len(plans) > 1:  # each plan's own list too, for the answers that ask plan by plan
            for plan in plans:
                self._static[("indicators_of_plans", (plan,))] = [i for i in found if i.plan == plan]
        return found

    def _read_indicators_of_plans(self, plans: Sequence[str]) -> list[IndicatorView]:
        """The plans' indicators, plan by plan in the order given, each plan's in document order."""
        ids = [self._plan_ids[p] for p in plans if p in self._plan_ids]
        if not ids:
            return []
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                select(_indicator.c.plan_id, _indicator.c.code)
                .where(_indicator.c.plan_id.in_(ids), _indicator.c.withdrawn.is_(False))
                .order_by(_indicator.c.plan_id, _indicator.c.id)
            ).all()
        keys = [f"{self._codes[p]}:{c}" for p, c in rows]
        found = self.indicators(keys)
        order = {p: i for i, p in enumerate(plans)}
        listed = [found[k] for k in keys if k in found]
        return sorted(listed, key=lambda i: order.get(i.plan, len(order)))

    def indicators_of_units(self, names: Collection[str]) -> list[IndicatorView]:
        return list(
            self._once(("indicators_of_units", tuple(names)), lambda: self._read_indicators_of_units(names))
        )

    def _read_indicators_of_units(self, names: Collection[str]) -> list[IndicatorView]:
        """Indicators a unit is responsible for, named or as a member of a collective, in catalog order."""
        with self.db.engine.connect() as connection:
            unit_ids = self._related_units(connection, names)
            held = connection.execute(
                select(_indicator_unit.c.indicator_id)
                .where(_indicator_unit.c.unit_id.in_(unit_ids))
                .distinct()
            ).scalars()
            rows = connection.execute(
                select(_indicator.c.plan_id, _indicator.c.code)
                .where(_indicator.c.id.in_([int(i) for i in held]), _indicator.c.withdrawn.is_(False))
                .order_by(_indicator.c.plan_id, _indicator.c.id)
            ).all()
        keys = [f"{self._codes[p]}:{c}" for p, c in rows]
        found = self.indicators(keys)
        return [found[k] for k in keys if k in found]

    def indicators_in_regions(self, regions: Collection[str]) -> list[IndicatorView]:
        return list(
            self._once(
                ("indicators_in_regions", tuple(regions)), lambda: self._read_indicators_in_regions(regions)
            )
        )

    def _read_indicators_in_regions(self, regions: Collection[str]) -> list[IndicatorView]:
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                select(_indicator.c.plan_id, _indicator.c.code)
                .where(_indicator.c.region.in_(list(regions)), _indicator.c.withdrawn.is_(False))
                .order_by(_indicator.c.plan_id, _indicator.c.id)
            ).all()
        keys = [f"{self._codes[p]}:{c}" for p, c in rows]
        found = self.indicators(keys)
        return [found[k] for k in keys if k in found]

    def task_keys(
        self, query: TaskQuery, *, order: Order = "catalog", offset: int = 0, limit: int | None = None
    ) -> list[tuple[str, int]]:
        """The tasks listed, a page of them: in catalog order, or by the deadline in force."""
        s = _state.c
        with self.db.engine.connect() as connection:
            statement = self._select(connection, query, s.task_id, s.plan_id, s.number)
            if statement is None:
                return []
            ordering = {
                "deadline": (s.deadline, s.plan_id, s.number),
                "plan_deadline": (s.plan_id, s.deadline, s.number),
            }.get(order, (s.plan_id, s.number))
            rows = connection.execute(statement.order_by(*ordering).offset(offset).limit(limit)).all()
        keys = [(self._codes[int(plan_id)], int(number)) for _, plan_id, number in rows]
        for (task_id, _, _), key in zip(rows, keys, strict=True):
            self._task_ids[key] = int(task_id)
        return keys

    def task_total(self, query: TaskQuery) -> int:
        with self.db.engine.connect() as connection:
            statement = self._select(connection, query, func.count())
            return 0 if statement is None else int(connection.execute(statement).scalar_one())

    def task_counts_by_plan(self, query: TaskQuery, limit: int) -> list[tuple[str, int]]:
        """The plans holding most of the tasks listed: (plan code, count), most first."""
        return self.plan_tallies(query)[:limit]

    def plan_tallies(self, query: TaskQuery) -> list[tuple[str, int]]:
        """Every plan holding any of the tasks listed, with how many: most first, then catalog order."""
        count = func.count().label("n")
        with self.db.engine.connect() as connection:
            statement = self._select(connection, query, _state.c.plan_id, count)
            if statement is None:
                return []
            rows = connection.execute(
                statement.group_by(_state.c.plan_id).order_by(count.desc(), _state.c.plan_id)
            ).all()
        return [(self._codes[int(plan_id)], int(n)) for plan_id, n in rows]

    def plans_of(self, query: TaskQuery) -> list[str]:
        """The plans holding any of the tasks listed, in catalog order."""
        return sorted((code for code, _ in self.plan_tallies(query)), key=self.plan_rank)

    def plan_counts(self, plan: str, today: date, soon: date) -> dict[str, int]:
        """A plan's tasks: all, ★, 长期推进, done, overdue, due between today and soon (not done)."""
        return self.counts_by_plan([plan], today, soon).get(plan, dict.fromkeys(_COUNTS, 0))

    def counts_by_plan(self, plans: Sequence[str], today: date, soon: date) -> dict[str, dict[str, int]]:
        """The same counts for several plans, in one query grouped by plan."""
        s = _state.c
        conditions = (
            true(),
            s.featured == true(),
            s.ongoing == true(),
            s.done == true(),
            and_(s.done == false(), s.deadline < today),
            and_(s.done == false(), s.deadline >= today, s.deadline <= soon),
        )
        ids = [self._plan_ids[p] for p in plans if p in self._plan_ids]
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                select(s.plan_id, *(func.sum(cast(c, _INT)) for c in conditions))
                .where(s.plan_id.in_(ids))
                .group_by(s.plan_id)
            ).all()
        return {
            self._codes[int(row[0])]: {name: int(v or 0) for name, v in zip(_COUNTS, row[1:], strict=True)}
            for row in rows
        }

    def all_plan_counts(
        self, today: date, soon: date, *, plans: Sequence[str] | None = None, overdue: int | None = None
    ) -> dict[str, int]:
        """The same counts over the plans given, or over every plan (each an indexed count, no scan)."""
        s = _state.c
        conditions = {
            "tasks": true(),
            "featured": s.featured == true(),
            "ongoing": s.ongoing == true(),
            "done": s.done == true(),
            "overdue": and_(s.done == false(), s.deadline < today),
            "due_soon": and_(s.done == false(), s.deadline >= today, s.deadline <= soon),
        }
        where = (
            true()
            if plans is None
            else s.plan_id.in_([self._plan_ids[p] for p in plans if p in self._plan_ids])
        )
        with self.db.engine.connect() as connection:
            if plans is not None:  # a few plans' rows, read once by the plan index
                row = connection.execute(
                    select(*(func.sum(cast(c, _INT)) for c in conditions.values())).where(where)
                ).one()
                return {name: int(value or 0) for name, value in zip(conditions, row, strict=True)}
            return {
                name: overdue
                if name == "overdue" and overdue is not None
                else int(connection.execute(select(func.count()).select_from(_state).where(c)).scalar_one())
                for name, c in conditions.items()
            }

    def indicator_total(self, plans: Sequence[str] | None = None) -> int:
        statement = select(func.count()).select_from(_indicator).where(_indicator.c.withdrawn.is_(False))
        if plans is not None:
            ids = [self._plan_ids[p] for p in plans if p in self._plan_ids]
            statement = statement.where(_indicator.c.plan_id.in_(ids))
        with self.db.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def _select(self, connection: Connection, query: TaskQuery, *columns: Any) -> Any:
        """The listed tasks' rows of task_state (its indexes answer every list); None when none can match."""
        s = _state.c
        conditions: list[ColumnElement[bool]] = [true()]
        source: Any = _state
        if query.plans is not None:
            ids = [self._plan_ids[p] for p in query.plans if p in self._plan_ids]
            if not ids:
                return None
            conditions.append(s.plan_id.in_(ids))
        # A unit's few tasks are found by their ids. Without statistics SQLite would rather walk an index on
        # done or deadline over tens of thousands of rows (25 ms against 0.2 ms on the national database), so
        # beside a list of ids those columns are hidden from its planner (the unary + idiom).
        hidden = query.units is not None and connection.dialect.name == "sqlite"

        def column(name: str) -> Any:
            plain = getattr(s, name)
            return literal_column(f"+{_state.name}.{name}", plain.type) if hidden else plain

        if query.units is not None:
            task_ids = self._unit_task_ids(connection, query.units)
            if not task_ids:
                return None
            conditions.append(s.task_id.in_(task_ids))
        if query.sections:
            source = _state.join(_task, _task.c.id == s.task_id)
            conditions.append(
                or_(
                    *(
                        and_(s.plan_id == self._plan_ids.get(p), _task.c.section == x)
                        for p, x in query.sections
                    )
                )
            )
        done, deadline = column("done"), column("deadline")
        flags = (
            (query.featured, column("featured") == true()),
            (query.ongoing, column("ongoing") == true()),
            (query.undone, done == false()),
            (query.done, done == true()),
        )
        conditions += [condition for wanted, condition in flags if wanted]
        if query.overdue_on is not None:  # the deadline in force is None for 长期推进 tasks
            conditions += [done == false(), deadline < query.overdue_on]
            if query.overdue_from is not None:
                conditions.append(deadline >= query.overdue_from)
        if query.due_to is not None:
            conditions.append(deadline <= query.due_to)
            if query.due_from is not None:
                conditions.append(deadline >= query.due_from)
        return select(*columns).select_from(source).where(and_(*conditions))

    def _unit_task_ids(self, connection: Connection, names: Collection[str]) -> list[int]:
        return list(
            self._once(("unit tasks", tuple(names)), lambda: self._read_unit_task_ids(connection, names))
        )

    def _read_unit_task_ids(self, connection: Connection, names: Collection[str]) -> list[int]:
        related = self._related_units(connection, names)
        rows = connection.execute(
            select(_task_unit.c.task_id).where(_task_unit.c.unit_id.in_(related)).distinct()
        ).scalars()
        return [int(i) for i in rows]

    def _related_units(self, connection: Connection, names: Collection[str]) -> list[int]:
        """Ids of the units, their members if collectives, and the collectives holding any of them."""
        return list(self._once(("related", tuple(names)), lambda: self._read_related(connection, names)))

    def _read_related(self, connection: Connection, names: Collection[str]) -> list[int]:
        ids = list(connection.execute(select(_unit.c.id).where(_unit.c.name.in_(list(names)))).scalars())
        members = list(
            connection.execute(
                select(_members.c.member_id).where(_members.c.collective_id.in_(ids))
            ).scalars()
        )
        own = list(dict.fromkeys([*ids, *members]))
        holders = connection.execute(
            select(_members.c.collective_id).where(_members.c.member_id.in_(own))
        ).scalars()
        return list(dict.fromkeys([*own, *holders]))

    # ---- loading -------------------------------------------------------------------------------------

    def _load_units(self, names: list[str]) -> dict[str, UnitView]:
        with self.db.engine.connect() as connection:
            rows = connection.execute(select(_unit).where(_unit.c.name.in_(names))).all()
            ids = [int(r.id) for r in rows]
            aliases: dict[int, list[str]] = defaultdict(list)
            for unit_id, alias in connection.execute(
                select(_alias.c.unit_id, _alias.c.alias)
                .where(_alias.c.unit_id.in_(ids))
                .order_by(_alias.c.id)
            ):
                aliases[int(unit_id)].append(str(alias))
            members: dict[int, list[str]] = defaultdict(list)
            for collective, name in connection.execute(
                select(_members.c.collective_id, _unit.c.name)
                .join(_unit, _unit.c.id == _members.c.member_id)
                .where(_members.c.collective_id.in_(ids))
                .order_by(_members.c.collective_id, _members.c.position)
            ):
                members[int(collective)].append(str(name))
        for row in rows:
            self._unit_ids[str(row.name)] = int(row.id)
        return {
            str(r.name): UnitView(
                str(r.name), str(r.kind), str(r.region), tuple(aliases[int(r.id)]), tuple(members[int(r.id)])
            )
            for r in rows
        }

    def _load_tasks(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], TaskView]:
        known = [self._task_ids[k] for k in keys if k in self._task_ids]
        unknown = [
            (self._plan_ids[p], n) for p, n in keys if p in self._plan_ids and (p, n) not in self._task_ids
        ]
        with self.db.engine.connect() as connection:
            rows: list[Any] = []
            for start in range(0, len(known), 900):
                rows += connection.execute(
                    select(_task).where(_task.c.id.in_(known[start : start + 900]))
                ).all()
            for start in range(0, len(unknown), 200):
                part = unknown[start : start + 200]
                rows += connection.execute(
                    select(_task).where(keyed(_task.c.plan_id, _task.c.number, part))
                ).all()
            links = _links(connection, _task_unit, _task_unit.c.task_id, [int(r.id) for r in rows])
            names = _UnitNames(connection, links)
        found = {}
        for row in rows:
            code = self._codes[row.plan_id]
            self._task_ids[(code, int(row.number))] = int(row.id)
            unit_ids = links.get(int(row.id), [])
            found[(code, int(row.number))] = TaskView(
                plan=code,
                number=int(row.number),
                title=row.title,
                section=row.section,
                content=row.content,
                featured=bool(row.featured),
                deadline=row.deadline,
                ongoing=bool(row.ongoing),
                assigned=names.names(unit_ids),
                units=names.names(names.expand(unit_ids)),
                source=SourceRef(doc=row.source_doc, section=row.source_section),
                leader=row.leader,
                deadline_text=row.deadline_text,
                lead_units=int(row.lead_units or 1),
                withdrawn=bool(row.withdrawn),
            )
        return found

    def _load_indicators(self, keys: list[str]) -> dict[str, IndicatorView]:
        pairs = []
        for key in keys:
            plan, _, code = key.partition(":")
            if plan in self._plan_ids:
                pairs.append((self._plan_ids[plan], code))
        if not pairs:
            return {}
        with self.db.engine.connect() as connection:
            rows: list[Any] = []
            for start in range(0, len(pairs), 200):
                part = pairs[start : start + 200]
                rows += connection.execute(
                    select(_indicator).where(keyed(_indicator.c.plan_id, _indicator.c.code, part))
                ).all()
            links = _links(
                connection, _indicator_unit, _indicator_unit.c.indicator_id, [int(r.id) for r in rows]
            )
            names = _UnitNames(connection, links)
        found = {}
        for row in rows:
            code = self._codes[row.plan_id]
            unit_ids = links.get(int(row.id), [])
            found[f"{code}:{row.code}"] = IndicatorView(
                plan=code,
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
                assigned=names.names(unit_ids),
                units=names.names(names.expand(unit_ids)),
                due=row.due,
                note=row.note,
                source=SourceRef(doc=row.source_doc, section=row.source_section),
                aliases=tuple(json.loads(row.aliases or "[]")),
                report_rule=row.report_rule,
            )
        return found


class _UnitNames:
    """Names and collective members of the units some rows link to."""

    def __init__(self, connection: Connection, links: dict[int, list[int]]) -> None:
        ids = {u for units in links.values() for u in units}
        self.members: dict[int, list[int]] = defaultdict(list)
        if ids:
            for collective, member in connection.execute(
                select(_members.c.collective_id, _members.c.member_id)
                .where(_members.c.collective_id.in_(list(ids)))
                .order_by(_members.c.collective_id, _members.c.position)
            ):
                self.members[int(collective)].append(int(member))
        every = ids | {m for ms in self.members.values() for m in ms}
        self.by_id: dict[int, str] = {}
        listed = list(every)
        for start in range(0, len(listed), 900):
            self.by_id.update(
                (int(i), str(n))
                for i, n in connection.execute(
                    select(_unit.c.id, _unit.c.name).where(_unit.c.id.in_(listed[start : start + 900]))
                )
            )

    def names(self, unit_ids: Iterable[int]) -> tuple[str, ...]:
        return tuple(self.by_id[i] for i in unit_ids)

    def expand(self, unit_ids: Iterable[int]) -> tuple[int, ...]:
        """Collectives become their members; a unit named twice counts once, at its first place."""
        seen: dict[int, None] = {}
        for unit_id in unit_ids:
            for member in self.members.get(unit_id) or [unit_id]:
                seen.setdefault(member, None)
        return tuple(seen)


def _links(
    connection: Connection, table: Table, owner: ColumnElement[int], owners: list[int]
) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(owners), 900):
        for owner_id, unit_id in connection.execute(
            select(owner, table.c.unit_id)
            .where(owner.in_(owners[start : start + 900]))
            .order_by(owner, table.c.position)
        ):
            found[int(owner_id)].append(int(unit_id))
    return found


def _load_plans(connection: Connection) -> tuple[dict[str, PlanView], dict[str, int]]:
    supervisor = _unit.alias("supervisor")
    rows = connection.execute(
        select(_plan, supervisor.c.name.label("supervisor_name"))
        .join(supervisor, supervisor.c.id == _plan.c.supervising_unit_id)
        .order_by(_plan.c.id)
    ).all()
    plans = {}
    for row in rows:
        plans[str(row.code)] = PlanView(
            code=row.code,
            title=row.title,
            region=row.region,
            issuer=row.issuer,
            doc_number=row.doc_number,
            status=row.status,
            issued_on=row.issued_on,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            supervising_unit=row.supervisor_name,
            source=SourceRef(doc=row.source_doc, section=row.source_section),
            short_names=tuple(json.loads(row.short_names or "[]")),
            schedule=tuple(
                MilestoneSpec(
                    m["period"], date.fromisoformat(m["start"]), date.fromisoformat(m["end"]), m["work"]
                )
                for m in json.loads(row.schedule or "[]")
            ),
            assignment_note=row.assignment_note,
            validity_note=row.validity_note,
        )
    return plans, {str(r.code): int(r.id) for r in rows}


def iter_catalog_rows(db: Database, table: str, batch: int = 10_000) -> Iterator[list[tuple[object, ...]]]:
    """Rows for building the name index, in catalog order, a batch at a time (see `bot`'s builder)."""
    statements: dict[str, Select] = {  # type: ignore[type-arg]
        "units": select(_unit.c.id, _unit.c.name, _unit.c.region).order_by(_unit.c.id),
        "aliases": select(_alias.c.unit_id, _alias.c.alias).order_by(_alias.c.id),
        "indicators": select(
            _plan.c.code, _indicator.c.code, _indicator.c.name, _indicator.c.region, _indicator.c.aliases
        )
        .join(_plan, _plan.c.id == _indicator.c.plan_id)
        .where(_indicator.c.withdrawn.is_(False))
        .order_by(_indicator.c.plan_id, _indicator.c.id),
        "tasks": select(
            _task.c.id, _plan.c.code, _task.c.number, _task.c.title, _task.c.content, _task.c.section
        )
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .where(_task.c.withdrawn.is_(False))
        .order_by(_task.c.plan_id, _task.c.number),
    }
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(statements[table])
        for partition in result.partitions(batch):
            yield [tuple(row) for row in partition]
