"""Each task's standing in its ledger (done, when, the deadline in force), folded from its events on demand
and kept in `task_state` so that lists over every task (逾期, 未完成, 已完成) are one indexed query.

The ledger (task_event) stays the truth: a task's state row is recomputed from its events whenever one is
appended (in the same transaction, by `store.reporting`), and for every task when the catalog changes; a row
can always be rebuilt from the ledger (`rebuild_task_states`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, delete, insert, select, update

from store.db import Database
from store.ledger import TaskStatusView, _status
from store.models import CollectiveMember, Member, Plan, Task, TaskEvent, TaskState, TaskUnit, Unit
from store.querying import keyed

_task: Table = Task.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_task_unit: Table = TaskUnit.__table__  # type: ignore[attr-defined]
_members: Table = CollectiveMember.__table__  # type: ignore[attr-defined]
_events: Table = TaskEvent.__table__  # type: ignore[attr-defined]
_state: Table = TaskState.__table__  # type: ignore[attr-defined]
_member: Table = Member.__table__  # type: ignore[attr-defined]
BATCH = 2_000  # tasks folded per round trip when rebuilding


@dataclass(frozen=True)
class _TaskRow:
    plan: str
    number: int
    deadline: date | None
    ongoing: bool
    plan_id: int = 0
    featured: bool = False


class _Names:
    """Ids to names for the tasks being folded (the shape `store.ledger._status` reads)."""

    def __init__(self, tasks: dict[int, _TaskRow], units: dict[int, str], members: dict[int, str]) -> None:
        self.tasks = {task_id: (row.plan, row.number) for task_id, row in tasks.items()}
        self.units = units
        self.members = members

    def task_key(self, task_id: int) -> tuple[str, int]:
        return self.tasks[task_id]

    def unit(self, unit_id: int | None) -> str | None:
        return self.units.get(unit_id) if unit_id else None

    def member(self, member_id: int | None) -> str | None:
        return self.members.get(member_id) if member_id else None


def statuses_of(connection: Connection, task_ids: Iterable[int]) -> dict[int, TaskStatusView]:
    """The ledger's state of each task that has events, by task id (tasks without events are absent)."""
    wanted = list(dict.fromkeys(task_ids))
    if not wanted:
        return {}
    events = defaultdict(list)
    for row in connection.execute(
        select(_events).where(_events.c.task_id.in_(wanted)).order_by(_events.c.id)
    ):
        events[row.task_id].append(row)
    if not events:
        return {}
    tasks = _task_rows(connection, events)
    assigned = _assigned(connection, events)
    unit_ids = {u for units in assigned.values() for u in units}
    unit_ids |= {e.unit_id for rows in events.values() for e in rows if e.unit_id is not None}
    member_ids = {e.member_id for rows in events.values() for e in rows if e.member_id is not None}
    names = _Names(tasks, _unit_names(connection, unit_ids), _member_names(connection, member_ids))
    found = {}
    for task_id, rows in events.items():
        retracted = {e.refers_to_id for e in rows if e.kind == "retraction"}
        live = [e for e in rows if e.id not in retracted and e.kind != "retraction"]
        if live:
            found[task_id] = _status(names, task_id, live, assigned.get(task_id, set()))  # type: ignore[arg-type]
    return found


def statuses_for(db: Database, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], TaskStatusView]:
    """The ledger's state of these tasks (plan, number); tasks without events are absent."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    with db.engine.connect() as connection:
        ids = [
            int(i)
            for i in connection.execute(
                select(_task.c.id)
                .join(_plan, _plan.c.id == _task.c.plan_id)
                .where(keyed(_plan.c.code, _task.c.number, wanted))
            ).scalars()
        ]
        found = statuses_of(connection, ids)
    return {(view.plan, view.number): view for view in found.values()}


def refresh_task_states(connection: Connection, task_ids: Iterable[int]) -> None:
    """Recompute the state rows of these tasks from their events and the catalog."""
    wanted = list(dict.fromkeys(task_ids))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        tasks = _task_rows(connection, chunk)
        statuses = statuses_of(connection, chunk)
        existing = set(
            connection.execute(select(_state.c.task_id).where(_state.c.task_id.in_(chunk))).scalars()
        )
        rows = [
            _state_row(task_id, tasks[task_id], statuses.get(task_id))
            for task_id in chunk
            if task_id in tasks
        ]
        fresh = [row for row in rows if row["task_id"] not in existing]
        if fresh:
            connection.execute(insert(_state), fresh)
        for row in rows:
            if row["task_id"] in existing:
                connection.execute(
                    update(_state)
                    .where(_state.c.task_id == row["task_id"])
                    .values({k: v for k, v in row.items() if k != "task_id"})
                )
        gone = [task_id for task_id in chunk if task_id not in tasks]
        if gone:
            connection.execute(delete(_state).where(_state.c.task_id.in_(gone)))


def rebuild_task_states(db: Database) -> int:
    """Every task's state row from the ledger (after a bulk load, or to check the rows kept in step)."""
    with db.engine.begin() as connection:
        task_ids = list(connection.execute(select(_task.c.id).order_by(_task.c.id)).scalars())
        refresh_task_states(connection, task_ids)
    return len(task_ids)


def fill_missing_task_states(db: Database) -> int:
    """State rows for tasks that have none (a database from before task_state, or a bulk load)."""
    with db.engine.begin() as connection:
        missing = list(
            connection.execute(
                select(_task.c.id)
                .where(_task.c.id.not_in(select(_state.c.task_id)), _task.c.withdrawn.is_(False))
                .order_by(_task.c.id)
            ).scalars()
        )
        refresh_task_states(connection, missing)
    return len(missing)


def _state_row(task_id: int, task: _TaskRow, status: TaskStatusView | None) -> dict[str, object]:
    deadline = None if task.ongoing else (status.deadline if status and status.deadline else task.deadline)
    return {
        "task_id": task_id,
        "plan_id": task.plan_id,
        "number": task.number,
        "featured": task.featured,
        "ongoing": task.ongoing,
        "deadline": deadline,
        "done": bool(status and status.done),
        "done_at": status.done_at if status else None,
    }


def _task_rows(connection: Connection, task_ids: Iterable[int]) -> dict[int, _TaskRow]:
    rows = connection.execute(
        select(
            _task.c.id, _plan.c.code, _task.c.number, _task.c.deadline, _task.c.ongoing, _task.c.plan_id,
            _task.c.featured,
        )
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .where(_task.c.id.in_(list(task_ids)), _task.c.withdrawn.is_(False))  # withdrawn: no state, no list
    )  # fmt: skip
    return {
        int(r.id): _TaskRow(
            str(r.code), int(r.number), r.deadline, bool(r.ongoing), int(r.plan_id), bool(r.featured)
        )
        for r in rows
    }


def _assigned(connection: Connection, task_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each task's responsible units with collectives expanded into their members."""
    links = connection.execute(
        select(_task_unit.c.task_id, _task_unit.c.unit_id).where(_task_unit.c.task_id.in_(list(task_ids)))
    ).all()
    members = _collective_members(connection, {int(unit_id) for _, unit_id in links})
    found: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id in links:
        found[int(task_id)].update(members.get(int(unit_id)) or [int(unit_id)])
    return found


def _collective_members(connection: Connection, unit_ids: set[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    if unit_ids:
        for collective, member in connection.execute(
            select(_members.c.collective_id, _members.c.member_id)
            .where(_members.c.collective_id.in_(list(unit_ids)))
            .order_by(_members.c.collective_id, _members.c.position)
        ):
            found[int(collective)].append(int(member))
    return found


def _unit_names(connection: Connection, unit_ids: Sequence[int] | set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = connection.execute(select(_unit.c.id, _unit.c.name).where(_unit.c.id.in_(list(unit_ids))))
    return {int(i): str(n) for i, n in rows}


def _member_names(connection: Connection, member_ids: set[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = connection.execute(
        select(_member.c.id, _member.c.display_name).where(_member.c.id.in_(list(member_ids)))
    )
    return {int(i): str(n) for i, n in rows}
