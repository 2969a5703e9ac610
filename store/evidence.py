"""佐证材料 rows: who sent which file, when, through which message, and the report it belongs to.

A file is attached either to a ledger row (a report already recorded) or to a pending write (a report still
waiting for 确认). A pending write that is confirmed becomes exactly one ledger row carrying the pending
write's own (platform, message_id) — written in the same transaction as its outcome (store/reporting.decide),
unique per ledger — so evidence follows its report through that key without a row of its own: nothing to
write at 确认, no window in which the report exists and its evidence does not yet point at it. (A pending
write made from a message without an id is matched by its sender and the moment it was decided, which its
ledger row records as its own time.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.db import Database
from store.errors import StoreError
from store.ledger import COMPLETED, COMPLETED_ALL, DELAY_REQUESTED, PROGRESS, RETRACTION, unit_id
from store.models import (
    Evidence,
    Indicator,
    IndicatorReport,
    Member,
    PendingOutcome,
    PendingWrite,
    Plan,
    Task,
    TaskEvent,
    Unit,
)
from store.querying import is_row_id

Ledger = Literal["task", "indicator"]
Attached = Literal["task", "indicator", "pending"]
REPORT_KINDS = (COMPLETED, COMPLETED_ALL, PROGRESS, DELAY_REQUESTED)  # task events a file can back up
_INDICATOR_WRITES = frozenset({"indicator_value", "indicator_retraction"})  # the indicator ledger's
MAX_NAME = 120
_TABLES: dict[Ledger, Any] = {"task": TaskEvent, "indicator": IndicatorReport}  # Any: one query for either


class DuplicateEvidence(StoreError):
    """This platform message's file was stored already (a redelivery): nothing new was written."""


@dataclass(frozen=True)
class Received:
    """A file as checked and stored: its hash, size, detected type and the name it was sent under."""

    sha256: str
    size: int
    content_type: str
    name: str


@dataclass(frozen=True)
class Sender:
    platform: str
    user_id: str
    member_id: int | None  # None: the local operator
    unit: str | None  # the sender's unit when sending (canonical name)
    chat_id: str
    message_id: str | None
    at: datetime


@dataclass(frozen=True)
class Target:
    kind: Attached
    id: int


@dataclass(frozen=True)
class ReportRef:
    """The ledger row evidence belongs to."""

    ledger: Ledger
    id: int
    kind: str
    recorded_at: datetime
    unit: str | None


@dataclass(frozen=True)
class EvidenceView:
    id: int
    sha256: str
    size: int
    content_type: str
    name: str
    sender: str | None  # the member's display name; None for the local operator
    sender_unit: str | None
    platform: str
    chat_id: str
    message_id: str | None
    received_at: datetime
    target: Target  # what it was attached to when it came
    report: ReportRef | None  # the ledger row it belongs to now (a confirmed pending write's too)
    pending_outcome: str | None  # attached to a pending write: how it ended (None: still undecided)
    plan: str | None  # what the report is about
    task: int | None
    indicator: str | None
    report_unit: str | None  # the unit the report speaks for


def clean_name(name: str) -> str:
    """The name a file is listed under: its last path part, no control, format or direction characters
    (U+202E would show "gpj.exe" as "exe.jpg"), at most MAX_NAME characters."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in last if c.isprintable() and not _directional(c)).strip(" .")
    return kept[:MAX_NAME] or "未命名"


def _directional(char: str) -> bool:
    return "\u200b" <= char <= "\u200f" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def record_evidence(db: Database, received: Received, sender: Sender, target: Target) -> int:
    """Append one evidence row; DuplicateEvidence when this platform message has one already."""
    with db.session() as session:
        row = Evidence(
            sha256=received.sha256,
            size=received.size,
            content_type=received.content_type,
            original_name=clean_name(received.name),
            member_id=sender.member_id,
            unit_id=unit_id(session, sender.unit),
            platform=sender.platform,
            platform_user_id=sender.user_id,
            chat_id=sender.chat_id,
            message_id=sender.message_id,
            received_at=sender.at,
            pending_id=target.id if target.kind == "pending" else None,
            task_event_id=target.id if target.kind == "task" else None,
            indicator_report_id=target.id if target.kind == "indicator" else None,
        )
        session.add(row)
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise DuplicateEvidence("already stored") from exc
        return int(row.id or 0)


def evidence_by_message(db: Database, platform: str, message_id: str | None) -> EvidenceView | None:
    """The evidence a platform message brought, if it was stored already."""
    if message_id is None:
        return None
    with db.session() as session:
        row = session.exec(
            select(Evidence).where(Evidence.platform == platform, Evidence.message_id == message_id)
        ).first()
        return _views(session, [row])[0] if row is not None else None


def find_evidence(db: Database, evidence_id: int) -> EvidenceView | None:
    if not is_row_id(evidence_id):
        return None
    with db.session() as session:
        row = session.get(Evidence, evidence_id)
        return _views(session, [row])[0] if row is not None else None


def list_evidence(db: Database, *, plan: str | None = None, task: int | None = None) -> list[EvidenceView]:
    """Every evidence row, oldest first, or those about one plan (and one of its tasks)."""
    with db.session() as session:
        views = _views(session, session.exec(select(Evidence).order_by(col(Evidence.id))).all())
    return [v for v in views if (plan is None or v.plan == plan) and (task is None or v.task == task)]


def evidence_of_reports(
    db: Database, rows: Iterable[tuple[Ledger, int]]
) -> dict[tuple[Ledger, int], list[EvidenceView]]:
    """The evidence of each ledger row (attached to it, or to the pending write it was confirmed from)."""
    wanted = list(rows)
    task_ids = [i for ledger, i in wanted if ledger == "task"]
    report_ids = [i for ledger, i in wanted if ledger == "indicator"]
    found: dict[tuple[Ledger, int], list[EvidenceView]] = {}
    with db.session() as session:
        direct = session.exec(
            select(Evidence).where(
                col(Evidence.task_event_id).in_(task_ids) | col(Evidence.indicator_report_id).in_(report_ids)
            )
        ).all()
        pendings = _pending_ids(session, "task", task_ids) | _pending_ids(session, "indicator", report_ids)
        through = session.exec(select(Evidence).where(col(Evidence.pending_id).in_(list(pendings)))).all()
        unique = {int(r.id or 0): r for r in (*direct, *through)}
        views = _views(session, [unique[i] for i in sorted(unique)])
    for view in views:
        if view.report is not None:
            found.setdefault((view.report.ledger, view.report.id), []).append(view)
    return found


def recent_report(
    db: Database, *, platform: str, member_id: int | None, since: datetime, until: datetime
) -> ReportRef | None:
    """The sender's newest recorded report between two moments: a completion, progress note, delay request
    or indicator value that no retraction has withdrawn."""
    with db.session() as session:
        withdrawn = select(TaskEvent.refers_to_id).where(
            TaskEvent.kind == RETRACTION, col(TaskEvent.refers_to_id).is_not(None)
        )
        event = session.exec(
            _sent_by(select(TaskEvent), TaskEvent, platform, member_id, since, until).where(
                col(TaskEvent.kind).in_(REPORT_KINDS), col(TaskEvent.id).not_in(withdrawn)
            )
        ).first()
        gone = select(IndicatorReport.retracts_id).where(
            IndicatorReport.kind == RETRACTION, col(IndicatorReport.retracts_id).is_not(None)
        )
        report = session.exec(
            _sent_by(select(IndicatorReport), IndicatorReport, platform, member_id, since, until).where(
                IndicatorReport.kind != RETRACTION, col(IndicatorReport.id).not_in(gone)
            )
        ).first()
        refs = [_ref(session, "task", event), _ref(session, "indicator", report)]
    found = [r for r in refs if r is not None]
    return max(found, key=lambda r: (r.recorded_at, r.ledger == "indicator"), default=None)


def _sent_by(statement, table, platform: str, member_id: int | None, since: datetime, until: datetime):  # type: ignore[no-untyped-def]
    """Rows of one sender in a span, newest first: a member by id; the local operator by platform."""
    recorded = col(table.recorded_at)
    statement = statement.where(recorded >= since, recorded <= until)
    statement = statement.order_by(recorded.desc(), col(table.id).desc()).limit(1)
    if member_id is None:
        return statement.where(col(table.member_id).is_(None), table.platform == platform)
    return statement.where(table.member_id == member_id)


def _ref(session: Session, ledger: Ledger, row: TaskEvent | IndicatorReport | None) -> ReportRef | None:
    if row is None:
        return None
    unit = session.get(Unit, row.unit_id).name if row.unit_id else None  # type: ignore[union-attr]
    return ReportRef(ledger, int(row.id or 0), row.kind, row.recorded_at, unit)


# ---- resolving rows to views --------------------------------------------------------------------------


def _pending_ids(session: Session, ledger: Ledger, row_ids: Sequence[int]) -> set[int]:
    """The confirmed pending writes these ledger rows were made from."""
    if not row_ids:
        return set()
    table = _TABLES[ledger]
    rows: Sequence[TaskEvent | IndicatorReport] = session.exec(
        select(table).where(col(table.id).in_(list(row_ids)))
    ).all()
    keyed = {(r.platform, r.message_id) for r in rows if r.message_id is not None}
    stamped = {(r.platform, r.member_id, r.recorded_at) for r in rows if r.message_id is None}
    found: set[int] = set()
    candidates = select(PendingWrite, PendingOutcome).join(
        PendingOutcome, col(PendingOutcome.pending_id) == col(PendingWrite.id)
    )
    candidates = candidates.where(PendingOutcome.outcome == "confirmed")
    if keyed:
        for pending, _ in session.exec(
            candidates.where(col(PendingWrite.message_id).in_([m for _, m in keyed]))
        ).all():
            if (pending.platform, pending.message_id) in keyed and _ledger_of(pending) == ledger:
                found.add(int(pending.id or 0))
    if stamped:
        for pending, outcome in session.exec(candidates.where(col(PendingWrite.message_id).is_(None))).all():
            stamp = (pending.platform, pending.member_id, outcome.decided_at)
            if stamp in stamped and _ledger_of(pending) == ledger:
                found.add(int(pending.id or 0))
    return found


def _ledger_of(pending: PendingWrite) -> Ledger:
    return "indicator" if pending.kind in _INDICATOR_WRITES else "task"


def _views(session: Session, rows: Sequence[Evidence]) -> list[EvidenceView]:
    members = _names(session, Member, Member.display_name, {r.member_id for r in rows})
    units = _names(session, Unit, Unit.name, {r.unit_id for r in rows})
    return [_view(session, row, members, units) for row in rows]


def _names(session: Session, table, name, ids: set[int | None]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {int(i): str(n) for i, n in session.exec(select(table.id, name).where(col(table.id).in_(wanted)))}


def _view(session: Session, row: Evidence, members: dict[int, str], units: dict[int, str]) -> EvidenceView:
    target, report, outcome, subject = _attachment(session, row)
    return EvidenceView(
        id=int(row.id or 0),
        sha256=row.sha256,
        size=row.size,
        content_type=row.content_type,
        name=row.original_name,
        sender=members.get(row.member_id) if row.member_id else None,
        sender_unit=units.get(row.unit_id) if row.unit_id else None,
        platform=row.platform,
        chat_id=row.chat_id,
        message_id=row.message_id,
        received_at=row.received_at,
        target=target,
        report=report,
        pending_outcome=outcome,
        plan=subject[0],
        task=subject[1],
        indicator=subject[2],
        report_unit=report.unit if report is not None else subject[3],
    )


_Subject = tuple[str | None, int | None, str | None, str | None]  # plan, task, indicator, unit


def _attachment(session: Session, row: Evidence) -> tuple[Target, ReportRef | None, str | None, _Subject]:
    if row.task_event_id is not None:
        event = session.get(TaskEvent, row.task_event_id)
        return Target("task", row.task_event_id), _ref(session, "task", event), None, _subject(session, event)
    if row.indicator_report_id is not None:
        report = session.get(IndicatorReport, row.indicator_report_id)
        ref = _ref(session, "indicator", report)
        return Target("indicator", row.indicator_report_id), ref, None, _subject(session, report)
    pending = session.get(PendingWrite, row.pending_id or 0)
    if pending is None:  # a row the database would not have let in
        raise StoreError(f"evidence {row.id} is attached to nothing")
    decided = session.exec(select(PendingOutcome).where(PendingOutcome.pending_id == pending.id)).first()
    outcome = decided.outcome if decided is not None else None
    ledger_row = _confirmed_row(session, pending, decided) if outcome == "confirmed" else None
    ref = _ref(session, _ledger_of(pending), ledger_row)
    return Target("pending", int(pending.id or 0)), ref, outcome, _payload_subject(pending)


def _confirmed_row(
    session: Session, pending: PendingWrite, decided: PendingOutcome | None
) -> TaskEvent | IndicatorReport | None:
    """The ledger row a confirmed pending write became: the one carrying its message (see the module)."""
    table = _TABLES[_ledger_of(pending)]
    statement = select(table).where(table.platform == pending.platform)
    if pending.message_id is not None:
        return session.exec(statement.where(table.message_id == pending.message_id)).first()
    if decided is None:
        return None
    return session.exec(
        statement.where(
            col(table.message_id).is_(None),
            table.member_id == pending.member_id,
            table.recorded_at == decided.decided_at,
        )
    ).first()


def _subject(session: Session, row: TaskEvent | IndicatorReport | None) -> _Subject:
    if isinstance(row, TaskEvent):
        task = session.get(Task, row.task_id)
        plan = session.get(Plan, task.plan_id) if task is not None else None
        return (plan.code if plan else None, task.number if task else None, None, None)
    if isinstance(row, IndicatorReport):
        indicator = session.get(Indicator, row.indicator_id)
        plan = session.get(Plan, indicator.plan_id) if indicator is not None else None
        return (plan.code if plan else None, None, indicator.code if indicator else None, None)
    return (None, None, None, None)


def _payload_subject(pending: PendingWrite) -> _Subject:
    try:
        payload = json.loads(pending.payload)
    except ValueError:
        return (None, None, None, None)
    number = payload.get("number")
    plan, code, unit = payload.get("plan"), payload.get("code"), payload.get("unit")
    return (plan, int(number) if number is not None else None, code, unit)
