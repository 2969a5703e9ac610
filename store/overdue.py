"""The weekly overdue summary's figures, counted inside the database: at national scale tens of thousands of
tasks are late, too many to stream through Python on the morning the summary goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, and_, exists, func, literal, select
from sqlalchemy.sql.expression import false, null

from store.db import Database
from store.due_items import delays, open_recipients
from store.models import CollectiveMember, Plan, Task, TaskUnit, Unit
from store.plan_status import chasing_on
from store.sweep_scratch import DELAYS, RECIPIENTS, TASKS, scratch


@dataclass(frozen=True)
class LateTaskView:
    plan: str  # code
    plan_region: str
    number: int
    deadline: date
    units: tuple[str, ...]  # still to report, in the order the plan lists them


@dataclass(frozen=True)
class OverdueCounts:
    total: int  # tasks past their (approved-delay) deadline with some unit still to report
    by_unit: tuple[tuple[str, int], ...]  # most late tasks first
    oldest: tuple[LateTaskView, ...]


_task: Table = Task.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_task_unit: Table = TaskUnit.__table__  # type: ignore[attr-defined]
_members: Table = CollectiveMember.__table__  # type: ignore[attr-defined]


def overdue_counts(
    db: Database, day: date, *, top: int, late_before: date | None = None, in_force_only: bool = False
) -> OverdueCounts:
    """Dated tasks whose deadline is before day (or before late_before: the long-late ones) and that are not
    done: how many, the top units by count, and the oldest few with their units still to report. With
    in_force_only, only plans in force on the day (an expired or archived one had its closing request)."""
    with db.engine.begin() as connection, scratch(connection, (DELAYS, TASKS, RECIPIENTS)):
        _note_late(connection, day, late_before or day, in_force_only)
        return OverdueCounts(_total(connection), _by_unit(connection, top), _oldest(connection, top))


def _note_late(connection: Connection, day: date, late_before: date, in_force_only: bool) -> None:
    connection.execute(DELAYS.insert().from_select(["task_id", "deadline"], delays()))
    for deadline, source, extra in (
        (_task.c.deadline, _task, _task.c.id.not_in(select(DELAYS.c.task_id))),
        (DELAYS.c.deadline, _task.join(DELAYS, DELAYS.c.task_id == _task.c.id), None),
    ):
        late = and_(_task.c.ongoing.is_(False), _task.c.withdrawn.is_(False), deadline < late_before)
        if in_force_only:
            late = and_(late, exists().where(_plan.c.id == _task.c.plan_id, chasing_on(day, _plan)))
        rows = select(
            _task.c.id,
            _task.c.plan_id,
            literal(""),
            deadline,
            literal("overdue"),
            literal(day),
            null(),
            false(),
        ).select_from(source)
        rows = rows.where(late) if extra is None else rows.where(late, extra)
        connection.execute(TASKS.insert().from_select([c.name for c in TASKS.columns], rows))
    connection.execute(RECIPIENTS.insert().from_select(["task_id", "unit_id", "rank"], open_recipients()))


def _total(connection: Connection) -> int:
    return int(connection.execute(select(func.count(func.distinct(RECIPIENTS.c.task_id)))).scalar_one())


def _by_unit(connection: Connection, top: int) -> tuple[tuple[str, int], ...]:
    count = func.count().label("late")
    rows = connection.execute(
        select(_unit.c.name, count)
        .join(RECIPIENTS, RECIPIENTS.c.unit_id == _unit.c.id)
        .group_by(_unit.c.id, _unit.c.name)
        .order_by(count.desc(), _unit.c.id)
        .limit(top)
    )
    return tuple((str(name), int(late)) for name, late in rows)


def _oldest(connection: Connection, top: int) -> tuple[LateTaskView, ...]:
    late = select(RECIPIENTS.c.task_id).distinct().subquery()
    rows = connection.execute(
        select(TASKS.c.task_id, _plan.c.code, _plan.c.region, _task.c.number, TASKS.c.deadline)
        .join(late, late.c.task_id == TASKS.c.task_id)
        .join(_task, _task.c.id == TASKS.c.task_id)
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .order_by(TASKS.c.deadline, _plan.c.id, _task.c.number)
        .limit(top)
    ).all()
    units = _units_in_order(connection, [row.task_id for row in rows])
    return tuple(
        LateTaskView(
            str(row.code), str(row.region), int(row.number), row.deadline, units.get(row.task_id, ())
        )
        for row in rows
    )


def _units_in_order(connection: Connection, task_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each task's units still to report, as the plan lists them (a collective's members in its order)."""
    rows = connection.execute(
        select(RECIPIENTS.c.task_id, _unit.c.name)
        .join(_unit, _unit.c.id == RECIPIENTS.c.unit_id)
        .where(RECIPIENTS.c.task_id.in_(task_ids))
        .order_by(RECIPIENTS.c.task_id, RECIPIENTS.c.rank)
    )
    found: dict[int, list[str]] = {}
    for task_id, name in rows:
        found.setdefault(int(task_id), []).append(str(name))
    return {task_id: tuple(names) for task_id, names in found.items()}
