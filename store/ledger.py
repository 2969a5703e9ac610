"""The append-only ledgers read as current state: latest indicator values and task completion.

Reports and task events are never updated or deleted; a retraction is a later row that points at the one it
withdraws. Everything here folds those rows into plain views, so callers never reason about retractions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from store.db import Database
from store.errors import StoreError
from store.models import (
    Indicator,
    IndicatorReport,
    Member,
    MemberEvent,
    Plan,
    Task,
    TaskEvent,
    TaskUnit,
    Unit,
)

COMPLETED = "completed"  # one responsible unit reports its part done (unit_id says which)
COMPLETED_ALL = "completed_all"  # an admin marks the whole task done
PROGRESS = "progress"
RETRACTION = "retraction"


_VERSION_QUERY = core_select(
    core_select(func.max(IndicatorReport.id)).scalar_subquery(),
    core_select(func.max(TaskEvent.id)).scalar_subquery(),
    core_select(func.max(MemberEvent.id)).scalar_subquery(),
)


@dataclass(frozen=True)
class ReportView:
    plan: str
    code: str
    value: Decimal
    as_of: date
    reporter: str | None  # member display name
    unit: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class TaskStatusView:
    plan: str
    number: int
    done_units: tuple[str, ...]
    done: bool
    last_progress: str | None
    last_progress_at: datetime | None


def ledger_version(db: Database) -> tuple[int, int, int]:
    """Highest row ids of reports, task events and the member log: changes whenever anything is recorded.

    Asked before every answer, so it is one Core statement on a pooled connection, not an ORM session.
    """
    with db.engine.connect() as connection:
        row = connection.execute(_VERSION_QUERY).one()
    return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def latest_reports(db: Database) -> dict[tuple[str, str], ReportView]:
    """The standing value of every reported indicator: the newest as-of date, then the newest report."""
    with db.session() as session:
        rows = session.exec(select(IndicatorReport).order_by(col(IndicatorReport.id))).all()
        names = _Names(session)
    retracted = {row.retracts_id for row in rows if row.kind == RETRACTION}
    latest: dict[tuple[str, str], ReportView] = {}
    for row in rows:
        if row.kind == RETRACTION or row.id in retracted or row.value is None or row.as_of is None:
            continue
        view = names.report(row)
        key = (view.plan, view.code)
        if key not in latest or (view.as_of, view.recorded_at) >= (
            latest[key].as_of,
            latest[key].recorded_at,
        ):
            latest[key] = view
    return latest


def task_statuses(db: Database) -> dict[tuple[str, int], TaskStatusView]:
    """Completion per task: done when an admin says so or every responsible unit has reported its part."""
    with db.session() as session:
        events = session.exec(select(TaskEvent).order_by(col(TaskEvent.id))).all()
        names = _Names(session)
        units_of = _task_units(session.exec(select(TaskUnit)))
    retracted = {e.refers_to_id for e in events if e.kind == RETRACTION}
    live = [e for e in events if e.id not in retracted and e.kind != RETRACTION]
    by_task: dict[int, list[TaskEvent]] = defaultdict(list)
    for event in live:
        by_task[event.task_id].append(event)
    return {
        names.task_key(task_id): _status(names, task_id, rows, units_of[task_id])
        for task_id, rows in by_task.items()
    }


def record_indicator_report(
    db: Database,
    *,
    plan: str,
    code: str,
    value: Decimal,
    as_of: date,
    recorded_at: datetime,
    platform: str,
    member_id: int | None = None,
    unit: str | None = None,
    message_id: str | None = None,
    message_text: str | None = None,
) -> int:
    """Append one reported value; returns the new row's id."""
    with db.session() as session:
        indicator = session.exec(
            select(Indicator).join(Plan).where(Plan.code == plan, Indicator.code == code)
        ).first()
        if indicator is None:
            raise StoreError(f"no indicator {plan}:{code}")
        row = IndicatorReport(
            indicator_id=indicator.id or 0,
            unit_id=unit_id(session, unit),
            kind="report",
            value=value,
            as_of=as_of,
            member_id=member_id,
            recorded_at=recorded_at,
            platform=platform,
            message_id=message_id,
            message_text=message_text,
        )
        session.add(row)
        session.commit()
        return row.id or 0


def unit_id(session: Session, unit: str | None) -> int | None:
    """The id of a unit by canonical name (store-internal; callers resolve aliases first)."""
    if unit is None:
        return None
    row = session.exec(select(Unit).where(Unit.name == unit)).first()
    if row is None:
        raise StoreError(f"no unit {unit}")
    return row.id


def _task_units(rows: Iterable[TaskUnit]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        found[row.task_id].add(row.unit_id)
    return found


def _status(names: _Names, task_id: int, events: list[TaskEvent], assigned: set[int]) -> TaskStatusView:
    done_ids = {e.unit_id for e in events if e.kind == COMPLETED and e.unit_id is not None}
    progress = [e for e in events if e.kind == PROGRESS]
    plan, number = names.task_key(task_id)
    return TaskStatusView(
        plan=plan,
        number=number,
        done_units=tuple(sorted(names.units[i] for i in done_ids)),
        done=any(e.kind == COMPLETED_ALL for e in events) or (bool(assigned) and assigned <= done_ids),
        last_progress=progress[-1].detail if progress else None,
        last_progress_at=progress[-1].recorded_at if progress else None,
    )


class _Names:
    """Ids to names for the rows of one session."""

    def __init__(self, session: Session) -> None:
        self.units = {u.id: u.name for u in session.exec(select(Unit))}
        self.members = {m.id: m.display_name for m in session.exec(select(Member))}
        plans = {p.id: p.code for p in session.exec(select(Plan))}
        self.indicators = {i.id: (plans[i.plan_id], i.code) for i in session.exec(select(Indicator))}
        self.tasks = {t.id: (plans[t.plan_id], t.number) for t in session.exec(select(Task))}

    def task_key(self, task_id: int) -> tuple[str, int]:
        return self.tasks[task_id]

    def report(self, row: IndicatorReport) -> ReportView:
        plan, code = self.indicators[row.indicator_id]
        return ReportView(
            plan=plan,
            code=code,
            value=row.value or Decimal(0),
            as_of=row.as_of or row.recorded_at.date(),
            reporter=self.members.get(row.member_id) if row.member_id else None,
            unit=self.units.get(row.unit_id) if row.unit_id else None,
            recorded_at=row.recorded_at,
        )
