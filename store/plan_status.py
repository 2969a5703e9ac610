"""Plans past their validity: an expired plan chases no more, and its office is asked once for the closing
report (`schedules.service.queue_closing_requests`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, and_, false, func, select

from store.db import Database
from store.models import Plan, TaskState

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_state: Table = TaskState.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExpiredPlan:
    code: str
    title: str
    region: str
    valid_to: date
    open_tasks: int  # not done on the day asked


def expired_plans(db: Database, today: date) -> list[ExpiredPlan]:
    """Plans whose last day in force is before today, with how many of their tasks are still open."""
    open_count = (
        select(func.count())
        .select_from(_state)
        .where(and_(_state.c.plan_id == _plan.c.id, _state.c.done == false()))
        .scalar_subquery()
    )
    statement = (
        select(_plan.c.code, _plan.c.title, _plan.c.region, _plan.c.valid_to, open_count)
        .where(_plan.c.valid_to.is_not(None), _plan.c.valid_to < today)
        .order_by(_plan.c.id)
    )
    with db.engine.connect() as connection:
        return [
            ExpiredPlan(str(c), str(t), str(r), v, int(n or 0))
            for c, t, r, v, n in connection.execute(statement)
        ]


def plan_regions(db: Database) -> dict[str, str]:
    """Each plan's region by code (how a notice names the plan of a task: 福州市任务6)."""
    with db.engine.connect() as connection:
        return {str(c): str(r) for c, r in connection.execute(select(_plan.c.code, _plan.c.region))}
