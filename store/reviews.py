"""办结审核 as the supervising office sees it: one completion report by its 审核号, and those still waiting.

A unit's completion report is a `completed` task event; the office's verdict is a later event pointing at it
(`store.ledger.COMPLETION_APPROVED` / `COMPLETION_RETURNED`). Nothing here writes: verdicts are recorded
through `store.reporting.record` like every other write, so they are attributable and append-only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, func, select

from store.db import Database
from store.ledger import COMPLETED, COMPLETION_APPROVED, RETRACTION, REVIEW_VERDICTS, ReviewState
from store.models import Member, Plan, Task, TaskEvent, Unit
from store.querying import is_row_id

_event: Table = TaskEvent.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_member: Table = Member.__table__  # type: ignore[attr-defined]
OPEN_LIMIT = 50  # the oldest waiting reports an admin's 待审核 lists; the count says how many in all


@dataclass(frozen=True)
class Submission:
    """One unit's completion report as a reviewer needs it."""

    id: int  # the 审核号
    plan: str
    number: int
    unit: str | None
    unit_id: int | None
    reporter: str | None
    reporter_id: int | None
    reported_at: datetime
    retracted: bool
    state: ReviewState
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


def submission(db: Database, completion_id: int) -> Submission | None:
    """The completion report with this 审核号, or None when there is no such completion report."""
    if not is_row_id(completion_id):
        return None
    with db.engine.connect() as connection:
        row = connection.execute(_submissions().where(_event.c.id == completion_id)).first()
        if row is None:
            return None
        later = connection.execute(
            select(_event.c.id, _event.c.kind, _event.c.member_id, _event.c.recorded_at, _event.c.detail)
            .where(_event.c.refers_to_id == completion_id)
            .order_by(_event.c.id)
        ).all()
        retracted_ids = _retracted(connection, [int(r.id) for r in later])
        verdicts = [r for r in later if r.kind in REVIEW_VERDICTS and int(r.id) not in retracted_ids]
        names = _names(connection, [v.member_id for v in verdicts])
    retracted = any(r.kind == RETRACTION for r in later)
    verdict = verdicts[-1] if verdicts else None
    state: ReviewState = (
        "pending" if verdict is None else "approved" if verdict.kind == COMPLETION_APPROVED else "returned"
    )
    return replace(
        _pending(row),
        retracted=retracted,
        state=state,
        decided_by=names.get(verdict.member_id) if verdict is not None else None,
        decided_at=verdict.recorded_at if verdict is not None else None,
        reason=verdict.detail if verdict is not None and state == "returned" else None,
    )


def waiting(db: Database, unit: str | None = None) -> tuple[int, list[Submission]]:
    """Completion reports no one has decided or withdrawn, oldest first (only the unit's, when one is
    named): how many, and the first ones."""
    decided = select(_event.c.refers_to_id).where(
        _event.c.kind.in_((*REVIEW_VERDICTS, RETRACTION)), _event.c.refers_to_id.is_not(None)
    )
    statement = _submissions().where(_event.c.id.not_in(decided))
    if unit is not None:
        statement = statement.where(_unit.c.name == unit)
    with db.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
        rows = connection.execute(statement.order_by(_event.c.id).limit(OPEN_LIMIT)).all()
    return int(total), [_pending(row) for row in rows]


def _submissions() -> Select[Any]:
    return (
        select(
            _event.c.id,
            _plan.c.code,
            _task.c.number,
            _event.c.unit_id,
            _unit.c.name.label("unit_name"),
            _event.c.member_id,
            _member.c.display_name,
            _event.c.recorded_at,
        )
        .join(_task, _task.c.id == _event.c.task_id)
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .outerjoin(_unit, _unit.c.id == _event.c.unit_id)
        .outerjoin(_member, _member.c.id == _event.c.member_id)
        .where(_event.c.kind == COMPLETED)
    )


def _pending(row: Row[Any]) -> Submission:
    return Submission(
        id=int(row.id),
        plan=str(row.code),
        number=int(row.number),
        unit=row.unit_name,
        unit_id=row.unit_id,
        reporter=row.display_name,
        reporter_id=row.member_id,
        reported_at=row.recorded_at,
        retracted=False,
        state="pending",
    )


def _retracted(connection: Connection, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    rows = connection.execute(
        select(_event.c.refers_to_id).where(_event.c.kind == RETRACTION, _event.c.refers_to_id.in_(ids))
    ).scalars()
    return {int(i) for i in rows}


def _names(connection: Connection, member_ids: list[Any]) -> dict[int, str]:
    wanted = [i for i in member_ids if i is not None]
    if not wanted:
        return {}
    rows = connection.execute(select(_member.c.id, _member.c.display_name).where(_member.c.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows}
