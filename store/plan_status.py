"""A plan's standing on a day: draft before its validity starts, expired after it ends, archived from the day
its office says so (a ledger row, store.models.PlanStatusEvent), else in force. Only a plan in force chases;
an expired or archived plan's office is asked once for the closing report
(`schedules.service.queue_closing_requests`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Date, Table, and_, false, func, literal, or_, select

from store.db import Database
from store.errors import StoreError
from store.models import Plan, PlanStatusEvent, TaskState

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_state: Table = TaskState.__table__  # type: ignore[attr-defined]
_status: Table = PlanStatusEvent.__table__  # type: ignore[attr-defined]

Standing = Literal["draft", "in_force", "expired", "archived"]
SetStatus = Literal["archived", "in_force"]


@dataclass(frozen=True)
class ExpiredPlan:
    """A plan that has stopped chasing: past its validity, or archived by its office."""

    code: str
    title: str
    region: str
    valid_to: date  # the last day it chased
    open_tasks: int  # not done on the day asked
    archived: bool = False


@dataclass(frozen=True)
class StatusChange:
    plan: str
    status: SetStatus
    effective_on: date
    note: str
    actor: str
    recorded_at: datetime


def _archived_on(plan_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The day the plan's newest status row archives it from, or NULL when that row puts it back in force."""
    later = _status.alias("later")
    newest = (
        select(func.max(later.c.id))
        .where(later.c.plan_id == plan_id)
        .correlate_except(later)
        .scalar_subquery()
    )
    return (
        select(_status.c.effective_on)
        .where(_status.c.id == newest, _status.c.status == "archived")
        .scalar_subquery()
    )


def chasing_on(day: ColumnElement[Any] | date, plan: Table | Any = None) -> ColumnElement[bool]:
    """SQL: the plan (a row of `plan`, or of the alias given) is in force on the day — started, not expired,
    not archived. Every chaser, re-send and carry-over is read through this one condition."""
    table = _plan if plan is None else plan
    when = literal(day, Date) if isinstance(day, date) else day
    archived_on = _archived_on(table.c.id)
    return and_(
        or_(table.c.valid_from.is_(None), table.c.valid_from <= when),
        or_(table.c.valid_to.is_(None), table.c.valid_to >= when),
        or_(archived_on.is_(None), archived_on > when),
    )


def plan_standing(
    valid_from: date | None, valid_to: date | None, archived_on: date | None, day: date
) -> Standing:
    if archived_on is not None and day >= archived_on:
        return "archived"
    if valid_from is not None and day < valid_from:
        return "draft"
    if valid_to is not None and day > valid_to:
        return "expired"
    return "in_force"


def chase_windows(connection: Connection) -> dict[int, tuple[date | None, date | None]]:
    """Each plan's first and last day of chasing by id: its validity, cut short by an archive."""
    rows = connection.execute(
        select(_plan.c.id, _plan.c.valid_from, _plan.c.valid_to, _archived_on(_plan.c.id))
    ).all()
    return {int(i): (start, _last_day(end, archived)) for i, start, end, archived in rows}


def _last_day(valid_to: date | None, archived_on: date | None) -> date | None:
    if archived_on is None:
        return valid_to
    last = archived_on - timedelta(days=1)
    return last if valid_to is None else min(valid_to, last)


def standings(db: Database, today: date) -> dict[str, Standing]:
    """Every plan's standing on the day, by code."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(_plan.c.code, _plan.c.valid_from, _plan.c.valid_to, _archived_on(_plan.c.id))
        ).all()
    return {str(code): plan_standing(start, end, archived, today) for code, start, end, archived in rows}


def expired_plans(db: Database, today: date) -> list[ExpiredPlan]:
    """Plans that no longer chase on the day (past their last day, or archived), with their open tasks."""
    open_count = (
        select(func.count())
        .select_from(_state)
        .where(and_(_state.c.plan_id == _plan.c.id, _state.c.done == false()))
        .scalar_subquery()
    )
    archived_on = _archived_on(_plan.c.id)
    statement = (
        select(_plan.c.code, _plan.c.title, _plan.c.region, _plan.c.valid_to, archived_on, open_count)
        .where(
            or_(
                and_(_plan.c.valid_to.is_not(None), _plan.c.valid_to < today),
                and_(archived_on.is_not(None), archived_on <= today),
            )
        )
        .order_by(_plan.c.id)
    )
    with db.engine.connect() as connection:
        rows = connection.execute(statement).all()
    found = []
    for code, title, region, valid_to, archived, count in rows:
        last = _last_day(valid_to, archived)
        assert last is not None  # one of the two conditions above holds
        archived_first = archived is not None and (valid_to is None or archived <= valid_to)
        found.append(ExpiredPlan(str(code), str(title), str(region), last, int(count or 0), archived_first))
    return found


def set_plan_status(
    db: Database, *, plan: str, status: SetStatus, effective_on: date, note: str, actor: str, at: datetime
) -> StatusChange:
    """Record an office's decision (append-only); refused when it changes nothing."""
    with db.engine.begin() as connection:
        plan_id = connection.execute(select(_plan.c.id).where(_plan.c.code == plan)).scalar()
        if plan_id is None:
            raise StoreError(f"未找到计划：{plan}")
        current = connection.execute(
            select(_status.c.status)
            .where(_status.c.plan_id == plan_id)
            .order_by(_status.c.id.desc())
            .limit(1)
        ).scalar()
        if (current or "in_force") == status:
            raise StoreError("该计划已归档。" if status == "archived" else "该计划未归档，无需恢复。")
        connection.execute(
            _status.insert().values(
                plan_id=plan_id, status=status, effective_on=effective_on, note=note[:200], actor=actor,
                recorded_at=at,
            )
        )  # fmt: skip
    return StatusChange(plan, status, effective_on, note[:200], actor, at)


def status_history(db: Database, plan: str) -> list[StatusChange]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(
                _status.c.status,
                _status.c.effective_on,
                _status.c.note,
                _status.c.actor,
                _status.c.recorded_at,
            )
            .join(_plan, _plan.c.id == _status.c.plan_id)
            .where(_plan.c.code == plan)
            .order_by(_status.c.id)
        ).all()
    return [StatusChange(plan, s, e, n, a, r) for s, e, n, a, r in rows]


def plan_regions(db: Database) -> dict[str, str]:
    """Each plan's region by code (how a notice names the plan of a task: 福州市任务6)."""
    with db.engine.connect() as connection:
        return {str(c): str(r) for c, r in connection.execute(select(_plan.c.code, _plan.c.region))}
