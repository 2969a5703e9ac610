"""The ledgers as a record of events: who reported what, when, and what was withdrawn or decided later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlmodel import Session, col, select

from store.db import Database
from store.ledger import RETRACTION, REVIEW_VERDICTS, Names
from store.models import Indicator, IndicatorReport, Plan, Task, TaskEvent

Ledger = Literal["task", "indicator"]


@dataclass(frozen=True)
class HistoryEntry:
    ledger: Ledger
    id: int
    # tasks: completed, completed_all, progress, delay_*, retraction; indicators: report, retraction
    kind: str
    plan: str
    task: int | None
    indicator: str | None  # indicator code
    recorded_at: datetime
    reporter: str | None  # member display name; None for the local operator
    unit: str | None
    platform: str
    detail: str | None = None
    value: Decimal | None = None
    as_of: date | None = None
    new_deadline: date | None = None
    refers_to: int | None = None
    retracted: bool = False  # withdrawn by a later retraction row


def task_history(db: Database, plan: str, number: int) -> list[HistoryEntry]:
    """Every event of one task, oldest first."""
    with db.session() as session:
        names = Names(session)
        rows = session.exec(
            select(TaskEvent)
            .join(Task)
            .join(Plan)
            .where(Plan.code == plan, Task.number == number)
            .order_by(col(TaskEvent.id))
        ).all()
    return _task_entries(names, rows)


def indicator_history(db: Database, plan: str, code: str) -> list[HistoryEntry]:
    """Every report and retraction of one indicator, oldest first."""
    with db.session() as session:
        names = Names(session)
        rows = session.exec(
            select(IndicatorReport)
            .join(Indicator)
            .join(Plan)
            .where(Plan.code == plan, Indicator.code == code)
            .order_by(col(IndicatorReport.id))
        ).all()
    return _report_entries(names, rows)


def last_write_by(
    db: Database, *, platform: str, member_id: int | None, since: datetime, with_retractions: bool = False
) -> HistoryEntry | None:
    """The sender's newest report of any kind since a moment (delay decisions excluded, and retractions
    unless asked for: a retraction is newest means 撤销 must not reach past it)."""
    with db.session() as session:
        names = Names(session)
        events = session.exec(_by_sender(select(TaskEvent), TaskEvent, platform, member_id, since)).all()
        reports = session.exec(
            _by_sender(select(IndicatorReport), IndicatorReport, platform, member_id, since)
        ).all()
        retracted = _retracted_ids(session)
    skipped = _NOT_REPORTS - {RETRACTION} if with_retractions else _NOT_REPORTS
    candidates = [
        *(e for e in _task_entries(names, events, retracted["task"]) if e.kind not in skipped),
        *(e for e in _report_entries(names, reports, retracted["indicator"]) if e.kind not in skipped),
    ]
    return max(candidates, key=lambda e: e.recorded_at, default=None)


_NOT_REPORTS = frozenset({RETRACTION, "delay_approved", "delay_rejected", *REVIEW_VERDICTS})


def _by_sender(statement, table, platform: str, member_id: int | None, since: datetime):  # type: ignore[no-untyped-def]
    """Rows of one sender: a member by id; the local operator (no member) by platform."""
    statement = statement.where(col(table.recorded_at) >= since).order_by(col(table.id))
    if member_id is None:
        return statement.where(col(table.member_id).is_(None), table.platform == platform)
    return statement.where(table.member_id == member_id)


def _retracted_ids(session: Session) -> dict[Ledger, set[int]]:
    tasks = session.exec(select(TaskEvent.refers_to_id).where(TaskEvent.kind == RETRACTION)).all()
    reports = session.exec(
        select(IndicatorReport.retracts_id).where(IndicatorReport.kind == RETRACTION)
    ).all()
    return {"task": {i for i in tasks if i}, "indicator": {i for i in reports if i}}


def _task_entries(
    names: Names, rows: Sequence[TaskEvent], retracted: set[int] | None = None
) -> list[HistoryEntry]:
    gone = retracted if retracted is not None else {r.refers_to_id for r in rows if r.kind == RETRACTION}
    entries = []
    for row in rows:
        plan, number = names.task_key(row.task_id)
        entries.append(
            HistoryEntry(
                ledger="task",
                id=int(row.id or 0),
                kind=row.kind,
                plan=plan,
                task=number,
                indicator=None,
                recorded_at=row.recorded_at,
                reporter=names.member(row.member_id),
                unit=names.unit(row.unit_id),
                platform=row.platform,
                detail=row.detail,
                new_deadline=row.new_deadline,
                refers_to=row.refers_to_id,
                retracted=row.id in gone,
            )
        )
    return entries


def _report_entries(
    names: Names, rows: Sequence[IndicatorReport], retracted: set[int] | None = None
) -> list[HistoryEntry]:
    gone = retracted if retracted is not None else {r.retracts_id for r in rows if r.kind == RETRACTION}
    entries = []
    for row in rows:
        plan, code = names.indicators[row.indicator_id]
        entries.append(
            HistoryEntry(
                ledger="indicator",
                id=int(row.id or 0),
                kind=row.kind,
                plan=plan,
                task=None,
                indicator=code,
                recorded_at=row.recorded_at,
                reporter=names.member(row.member_id),
                unit=names.unit(row.unit_id),
                platform=row.platform,
                value=row.value,
                as_of=row.as_of,
                refers_to=row.retracts_id,
                retracted=row.id in gone,
            )
        )
    return entries
