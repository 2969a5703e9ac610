"""What a reminder sweep plans from, read straight from the domain tables (nothing pickled, nothing cached).

Built for a national-scale database: the sweep asks only for the tasks whose deadline gives a reminder on the
day, streams them in chunks, and reads names with Core statements rather than ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Executable, func, or_, select
from sqlmodel import col

from store.db import Database
from store.ledger import (
    COMPLETED,
    COMPLETED_ALL,
    COMPLETION_APPROVED,
    DELAY_APPROVED,
    RETRACTION,
    REVIEW_VERDICTS,
    standing_parts,
)
from store.models import CollectiveMember, Indicator, IndicatorUnit, Plan, Task, TaskEvent, TaskUnit, Unit
from store.plan_status import chase_windows
from store.querying import chunks, pk


@dataclass(frozen=True)
class PlanReminderInfo:
    code: str
    supervisor: str
    policy_json: str | None


@dataclass(frozen=True)
class OpenTaskRow:
    plan: str
    number: int
    deadline: date | None  # an approved delay's date when there is one
    ongoing: bool
    units: tuple[str, ...]  # responsible units still to report their part, collectives expanded
    supervisor: str
    valid_to: date | None = None  # the plan's last day of chasing (its validity's end, or before an archive)
    valid_from: date | None = None  # before it the plan is a draft and chases nothing
    rule: str | None = None  # a recurring task's rule (quarterly …): checked in when a period begins


@dataclass(frozen=True)
class OpenIndicatorRow:
    plan: str
    code: str
    units: tuple[str, ...]
    valid_to: date | None = None
    valid_from: date | None = None
    rule: str | None = None  # how often its data is asked for (None: after each quarter)


def reminder_plans(db: Database) -> list[PlanReminderInfo]:
    with db.engine.connect() as connection:
        rows = _all(
            connection,
            select(col(Plan.code), col(Unit.name), col(Plan.reminder_policy)).join(
                Unit, pk(Unit.id) == col(Plan.supervising_unit_id)
            ),
        )
        return [PlanReminderInfo(code, supervisor, policy) for code, supervisor, policy in rows]


def earliest_deadline(db: Database) -> date | None:
    """The oldest deadline of any task or approved delay: how far back overdue notices can reach."""
    with db.engine.connect() as connection:
        task = connection.execute(select(func.min(col(Task.deadline)))).scalar()
        delay = connection.execute(
            select(func.min(col(TaskEvent.new_deadline))).where(col(TaskEvent.kind) == DELAY_APPROVED)
        ).scalar()
    found = [d for d in (task, delay) if d is not None]
    return min(found) if found else None


def open_tasks(db: Database, *, deadlines: Collection[date], ongoing: bool) -> Iterator[OpenTaskRow]:
    """Tasks not yet done whose (delayed) deadline is one of deadlines; with ongoing, also 长期推进 tasks."""
    with db.engine.connect() as connection:
        directory = _Directory(connection)
        delays = _approved_delays(connection)
        ids = _candidate_ids(connection, set(deadlines), delays, ongoing=ongoing)
        for chunk in chunks(sorted(ids)):
            yield from _open_rows(connection, chunk, directory, delays)


def open_indicators(db: Database) -> Iterator[OpenIndicatorRow]:
    with db.engine.connect() as connection:
        directory = _Directory(connection)
        links: dict[int, list[int]] = defaultdict(list)
        for indicator_id, unit_id in _all(
            connection,
            select(col(IndicatorUnit.indicator_id), col(IndicatorUnit.unit_id)).order_by(
                col(IndicatorUnit.indicator_id), col(IndicatorUnit.position)
            ),
        ):
            links[indicator_id].append(unit_id)
        for indicator_id, plan_id, code, rule in _all(
            connection,
            select(pk(Indicator.id), col(Indicator.plan_id), col(Indicator.code), col(Indicator.report_rule))
            .where(col(Indicator.withdrawn).is_(False))
            .order_by(pk(Indicator.id)),
        ):
            units = directory.names(directory.expand(links[indicator_id]))
            start, end = directory.windows.get(plan_id, (None, None))
            yield OpenIndicatorRow(directory.plans[plan_id], code, units, end, start, rule)


class _Directory:
    """Unit names, collective members and plan codes, as plain dicts."""

    def __init__(self, connection: Connection) -> None:
        self.units = _unit_names(connection)
        self.members: dict[int, list[int]] = defaultdict(list)
        for collective, member in _all(
            connection,
            select(col(CollectiveMember.collective_id), col(CollectiveMember.member_id)).order_by(
                col(CollectiveMember.collective_id), col(CollectiveMember.position)
            ),
        ):
            self.members[collective].append(member)
        self.plans: dict[int, str] = {
            int(i): str(c) for i, c in _all(connection, select(pk(Plan.id), col(Plan.code)))
        }
        self.windows = chase_windows(connection)
        self.supervisors: dict[int, str] = {
            plan_id: self.units[unit_id]
            for plan_id, unit_id in _all(connection, select(pk(Plan.id), col(Plan.supervising_unit_id)))
        }

    def expand(self, unit_ids: Iterable[int]) -> tuple[int, ...]:
        """Collectives become their members; a unit named twice counts once, at its first place."""
        seen: dict[int, None] = {}
        for unit_id in unit_ids:
            for member in self.members.get(unit_id) or [unit_id]:
                seen.setdefault(member)
        return tuple(seen)

    def names(self, unit_ids: Iterable[int]) -> tuple[str, ...]:
        return tuple(self.units[i] for i in unit_ids)


def _unit_names(connection: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in _all(connection, select(pk(Unit.id), col(Unit.name)))}


def _approved_delays(connection: Connection) -> dict[int, date]:
    """Each delayed task's approved deadline (the newest approval that was not retracted)."""
    retracted = {
        row[0]
        for row in _all(
            connection, select(col(TaskEvent.refers_to_id)).where(col(TaskEvent.kind) == RETRACTION)
        )
        if row[0] is not None
    }
    found: dict[int, date] = {}
    for event_id, task_id, new_deadline in _all(
        connection,
        select(pk(TaskEvent.id), col(TaskEvent.task_id), col(TaskEvent.new_deadline))
        .where(col(TaskEvent.kind) == DELAY_APPROVED)
        .order_by(pk(TaskEvent.id)),
    ):
        if event_id not in retracted and new_deadline is not None:
            found[task_id] = new_deadline
    return found


def _candidate_ids(
    connection: Connection, deadlines: set[date], delays: dict[int, date], *, ongoing: bool
) -> set[int]:
    ids: set[int] = set()
    for chunk in chunks(sorted(deadlines)):
        statement = select(pk(Task.id)).where(col(Task.deadline).in_(chunk), col(Task.ongoing).is_(False))
        ids.update(connection.execute(statement).scalars().all())
    ids = {i for i in ids if i not in delays} | {i for i, d in delays.items() if d in deadlines}
    if ongoing:
        statement = select(pk(Task.id)).where(or_(col(Task.ongoing).is_(True), col(Task.deadline).is_(None)))
        ids.update(connection.execute(statement).scalars().all())
    return ids


def _open_rows(
    connection: Connection, task_ids: Sequence[int], directory: _Directory, delays: dict[int, date]
) -> Iterator[OpenTaskRow]:
    assigned: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in _all(
        connection,
        select(col(TaskUnit.task_id), col(TaskUnit.unit_id))
        .where(col(TaskUnit.task_id).in_(task_ids))
        .order_by(col(TaskUnit.task_id), col(TaskUnit.position)),
    ):
        assigned[task_id].append(unit_id)
    done_units, done_all = completions(connection, task_ids)
    tasks = _all(
        connection,
        select(
            pk(Task.id), col(Task.plan_id), col(Task.number), col(Task.deadline), col(Task.ongoing),
            col(Task.deadline_rule),
        )
        .where(pk(Task.id).in_(task_ids), col(Task.withdrawn).is_(False))
        .order_by(col(Task.plan_id), col(Task.number)),
    )  # fmt: skip
    for task_id, plan_id, number, deadline, ongoing, rule in tasks:
        units = directory.expand(assigned[task_id])
        done = done_units.get(task_id)
        still = tuple(u for u in units if u not in done) if done else units
        if task_id in done_all or not still:
            continue
        yield OpenTaskRow(
            plan=directory.plans[plan_id],
            number=number,
            deadline=delays.get(task_id, deadline),
            ongoing=bool(ongoing),
            units=directory.names(still),
            supervisor=directory.supervisors[plan_id],
            valid_to=directory.windows.get(plan_id, (None, None))[1],
            valid_from=directory.windows.get(plan_id, (None, None))[0],
            rule=rule,
        )


def completions(connection: Connection, task_ids: Sequence[int]) -> tuple[dict[int, set[int]], set[int]]:
    """Units whose part of a task is done (reported and approved) per task, and tasks an admin marked done;
    retractions undone. A part waiting for review or returned is still open: its reminders go on."""
    rows: list[Any] = list(
        _all(
            connection,
            select(
                pk(TaskEvent.id),
                col(TaskEvent.task_id),
                col(TaskEvent.kind),
                col(TaskEvent.unit_id),
                col(TaskEvent.refers_to_id),
                col(TaskEvent.recorded_at),
                col(TaskEvent.member_id),
            )
            .where(col(TaskEvent.task_id).in_(task_ids))
            .where(col(TaskEvent.kind).in_((COMPLETED, COMPLETED_ALL, RETRACTION, *REVIEW_VERDICTS)))
            .order_by(pk(TaskEvent.id)),
        )
    )
    retracted = {row.refers_to_id for row in rows if row.kind == RETRACTION}
    live: dict[int, list[Any]] = defaultdict(list)
    done_all: set[int] = set()
    for row in rows:
        if row.id in retracted or row.kind == RETRACTION:
            continue
        if row.kind == COMPLETED_ALL:
            done_all.add(row.task_id)
        live[row.task_id].append(row)
    done_units: dict[int, set[int]] = defaultdict(set)
    for task_id, events in live.items():
        for unit, (_, verdict) in standing_parts(events).items():
            if verdict is not None and verdict.kind == COMPLETION_APPROVED:
                done_units[task_id].add(unit)
    return done_units, done_all


def _all(connection: Connection, statement: Executable) -> Sequence[Any]:
    """Every row at once: iterating a result fetches row by row, which costs more than the query here."""
    return connection.execute(statement).all()
