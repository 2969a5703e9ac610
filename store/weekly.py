"""The weekly 通报's reading of the ledger: each task part of some plans, with its standing at two moments.

A part is one task × one responsible unit, a collective (各县（市）区人民政府) counted once per member. The
ledger is append-only and every row has its recorded time, so the standing at a past moment is the ledger
without the rows recorded after it: "since the last 通报" needs no snapshot table. A batch of plans takes two
statements (the parts, then their tasks' events), folded here exactly as the ledger folds them
(store.ledger.standing_parts): a part is done once its completion report is approved or an admin marks the
whole task done; a report without a verdict waits for review (待审核); one whose verdict is 退回 is returned
until the unit reports again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, func, select

from store.db import Database
from store.delivery_events import NOTICE
from store.due_items import unit_rank
from store.ledger import (
    COMPLETED,
    COMPLETED_ALL,
    COMPLETION_APPROVED,
    COMPLETION_RETURNED,
    DELAY_APPROVED,
    RETRACTION,
    standing_parts,
)
from store.models import CollectiveMember, Plan, ReminderMessage, Task, TaskEvent, TaskUnit, Unit
from store.plan_status import chasing_on
from store.views import plan_short_name

WEEKLY = "weekly"  # the outbox reason of the weekly 通报: notice:weekly:<plan>:<ISO week>:<admin>
PartState = Literal["open", "pending", "returned", "done"]
_KINDS = (COMPLETED, COMPLETED_ALL, COMPLETION_APPROVED, COMPLETION_RETURNED, DELAY_APPROVED, RETRACTION)

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_task_unit: Table = TaskUnit.__table__  # type: ignore[attr-defined]
_members: Table = CollectiveMember.__table__  # type: ignore[attr-defined]
_events: Table = TaskEvent.__table__  # type: ignore[attr-defined]
_message: Table = ReminderMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WeeklyPlan:
    id: int
    code: str
    title: str
    short_name: str  # 示范区, 鼓楼方案
    supervising_unit: str


@dataclass(frozen=True)
class Standing:
    """A part as the ledger stood at one moment."""

    state: PartState  # open: nothing reported (or the report was retracted)
    deadline: date | None  # in force then (an approved delay's date); None for an ongoing or undated task
    done_at: datetime | None = None  # the approval of the part, or the admin's word for the whole task
    reported_at: datetime | None = None  # the standing completion report
    returned_at: datetime | None = None  # the newest 退回 of one of the unit's reports


@dataclass(frozen=True)
class Part:
    plan_id: int
    task: int  # the task's number in its plan
    unit: str
    order: tuple[int, int]  # (task number, the unit's place in the task's list): the plan's written order
    now: Standing
    before: Standing


def weekly_plans(
    db: Database, codes: Sequence[str] | None = None, *, in_force_on: date | None = None
) -> list[WeeklyPlan]:
    """The plans that have tasks (all of them, or those named), in the order they were loaded; with
    in_force_on, only those not expired by that day (an expired plan's office gets its closing request)."""
    with_tasks = select(_task.c.plan_id).where(_task.c.plan_id == _plan.c.id).exists()
    query = (
        select(_plan.c.id, _plan.c.code, _plan.c.title, _plan.c.region, _plan.c.short_names, _unit.c.name)
        .join(_unit, _unit.c.id == _plan.c.supervising_unit_id)
        .where(with_tasks)
        .order_by(_plan.c.id)
    )
    if codes is not None:
        query = query.where(_plan.c.code.in_(list(codes)))
    if in_force_on is not None:
        query = query.where(chasing_on(in_force_on, _plan))
    with db.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        WeeklyPlan(int(i), str(code), str(title), plan_short_name(region, _names(short)), str(unit))
        for i, code, title, region, short, unit in rows
    ]


def _names(raw: str | None) -> list[str]:
    found = json.loads(raw or "[]")
    return [str(n) for n in found] if isinstance(found, list) else []


def plan_parts(
    db: Database, plan_ids: Sequence[int], *, now: datetime, before: Mapping[int, datetime]
) -> list[Part]:
    """Every part of these plans' tasks with its standing as of now and as of each plan's before (its
    previous 通报, earlier than now)."""
    if not plan_ids:
        return []
    with db.engine.connect() as connection:
        rows = connection.execute(_parts_query(plan_ids)).all()
        events = _events_of(connection, plan_ids, now)
    found: list[Part] = []
    by_task: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_task[int(row.task_id)].append(row)
    for task_id, units in by_task.items():
        first = units[0]
        deadline = None if first.ongoing else first.deadline
        history = events.get(task_id, [])
        at_now = _standings(history, now, deadline)
        at_before = _standings(history, before[int(first.plan_id)], deadline)
        for row in units:
            unit = int(row.unit_id)
            found.append(
                Part(
                    int(first.plan_id),
                    int(first.number),
                    str(row.name),
                    (int(first.number), int(row.rank)),
                    at_now[unit],
                    at_before[unit],
                )
            )
    return found


def _parts_query(plan_ids: Sequence[int]) -> Any:
    """Each task with each responsible unit, collectives expanded in place; a unit named both on its own and
    through a collective counts once, at its first place (as the reminders count it)."""
    member = _members.alias("member")
    recipient = func.coalesce(member.c.member_id, _task_unit.c.unit_id)
    parts = (
        select(
            _task.c.id.label("task_id"),
            recipient.label("unit_id"),
            func.min(unit_rank(_task_unit.c.position, member.c.position)).label("rank"),
        )
        .join(_task_unit, _task_unit.c.task_id == _task.c.id)
        .outerjoin(member, member.c.collective_id == _task_unit.c.unit_id)
        .where(_task.c.plan_id.in_(list(plan_ids)), _task.c.withdrawn.is_(False))
        .group_by(_task.c.id, recipient)
        .subquery()
    )
    return (
        select(
            parts.c.task_id,
            parts.c.unit_id,
            parts.c.rank,
            _unit.c.name,
            _task.c.plan_id,
            _task.c.number,
            _task.c.deadline,
            _task.c.ongoing,
        )
        .join(_task, _task.c.id == parts.c.task_id)
        .join(_unit, _unit.c.id == parts.c.unit_id)
        .order_by(_task.c.plan_id, _task.c.number, parts.c.rank)
    )


def _events_of(connection: Connection, plan_ids: Sequence[int], now: datetime) -> dict[int, list[Any]]:
    """The plans' task events that bear on completion and deadlines, recorded by now, oldest first."""
    tasks = select(_task.c.id).where(_task.c.plan_id.in_(list(plan_ids)))
    rows = connection.execute(
        select(
            _events.c.id,
            _events.c.task_id,
            _events.c.unit_id,
            _events.c.kind,
            _events.c.refers_to_id,
            _events.c.new_deadline,
            _events.c.recorded_at,
        )
        .where(_events.c.task_id.in_(tasks), _events.c.kind.in_(_KINDS), _events.c.recorded_at <= now)
        .order_by(_events.c.id)
    )
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[int(row.task_id)].append(row)
    return found


class _ByUnit(dict[int, Standing]):
    """Standings by unit id; a unit with no report is open."""

    def __init__(self, deadline: date | None, done_at: datetime | None) -> None:
        super().__init__()
        self.deadline = deadline
        self.done_at = done_at

    def __missing__(self, unit: int) -> Standing:
        if self.done_at is not None:
            return Standing("done", self.deadline, done_at=self.done_at)
        return Standing("open", self.deadline)


def _standings(history: Sequence[Any], moment: datetime, deadline: date | None) -> _ByUnit:
    """Each unit's standing on one task as of moment: the ledger without what was recorded after it."""
    seen = [e for e in history if e.recorded_at <= moment]
    retracted = {e.refers_to_id for e in seen if e.kind == RETRACTION}
    live = [e for e in seen if e.kind != RETRACTION and e.id not in retracted]
    delays = [e.new_deadline for e in live if e.kind == DELAY_APPROVED and e.new_deadline is not None]
    in_force = delays[-1] if delays and deadline is not None else deadline
    whole = min((e.recorded_at for e in live if e.kind == COMPLETED_ALL), default=None)
    found = _ByUnit(in_force, whole)
    returns = _returned_at(live)
    for unit, (report, verdict) in standing_parts(live).items():
        approved = (
            verdict.recorded_at if verdict is not None and verdict.kind == COMPLETION_APPROVED else None
        )
        done_at = _earliest(whole, approved)
        state: PartState = "done" if done_at is not None else "pending" if verdict is None else "returned"
        found[int(unit)] = Standing(state, in_force, done_at, report.recorded_at, returns.get(int(unit)))
    return found


def _returned_at(live: Iterable[Any]) -> dict[int, datetime]:
    """The newest 退回 of each unit's live completion reports."""
    rows = list(live)
    reports = {e.id: int(e.unit_id) for e in rows if e.kind == COMPLETED and e.unit_id is not None}
    found: dict[int, datetime] = {}
    for event in rows:
        if event.kind == COMPLETION_RETURNED and event.refers_to_id in reports:
            found[reports[event.refers_to_id]] = event.recorded_at
    return found


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    present = [d for d in (first, second) if d is not None]
    return min(present) if present else None


def weekly_notices(db: Database, days: Sequence[date]) -> dict[tuple[str, str], datetime]:
    """The weekly 通报 in the outbox for these days (each is put there on its week's first working day): when
    each (plan code, ISO week) went in. Read by the day's index, not by scanning the outbox's keys."""
    if not days:
        return {}
    prefix = f"{NOTICE}:{WEEKLY}:"
    found: dict[tuple[str, str], datetime] = {}
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(_message.c.key, _message.c.created_at).where(
                _message.c.day.in_(sorted(set(days))),
                _message.c.kind == NOTICE,
                _message.c.key.like(f"{prefix}%"),
            )
        )
        for key, created_at in rows:
            code, week, _member = str(key)[len(prefix) :].rsplit(":", 2)
            if (code, week) not in found or created_at < found[(code, week)]:
                found[(code, week)] = created_at
    return found
