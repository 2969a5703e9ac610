"""Writes that come from chat: reports waiting for 确认, the ledger rows they become, and retractions.

Every row names its author (member, platform, message) and nothing is updated or deleted: a pending write is
decided by an outcome row, a report is withdrawn by a retraction row. A platform message id is unique per
ledger, so a message delivered twice (Slack retries) is recorded once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.db import Database
from store.errors import StoreError
from store.ledger import (
    COMPLETED,
    COMPLETED_ALL,
    COMPLETION_APPROVED,
    COMPLETION_RETURNED,
    DELAY_APPROVED,
    DELAY_REJECTED,
    DELAY_REQUESTED,
    PROGRESS,
    RETRACTION,
    unit_id,
)
from store.models import (
    Indicator,
    IndicatorReport,
    PendingOutcome,
    PendingWrite,
    Plan,
    Task,
    TaskEvent,
    TaskState,
)
from store.querying import is_row_id
from store.task_state import refresh_task_states

REPORT = "report"  # an indicator value

WriteKind = Literal[
    "task_completed",  # one responsible unit's part (unit says which)
    "task_completed_all",  # an admin marks the whole task done
    "task_progress",
    "delay_requested",
    "delay_approved",
    "delay_rejected",
    "indicator_value",
    "task_retraction",
    "plan_import",  # an admin's plan document, checked in a preview; 确认 loads its draft into the catalog
    "indicator_retraction",
    "completion_approved",  # 办结审核: an admin's verdict on one unit's completion report (refers_to)
    "completion_returned",  # … sent back, with the reason in detail
]
_TASK_EVENT_KIND: dict[WriteKind, str] = {
    "task_completed": COMPLETED,
    "task_completed_all": COMPLETED_ALL,
    "task_progress": PROGRESS,
    "delay_requested": DELAY_REQUESTED,
    "delay_approved": DELAY_APPROVED,
    "delay_rejected": DELAY_REJECTED,
    "task_retraction": RETRACTION,
    "completion_approved": COMPLETION_APPROVED,
    "completion_returned": COMPLETION_RETURNED,
}
# Writes whose 确认 changes the catalog (the caller applies them) rather than appending a ledger row.
CATALOG_WRITES = frozenset({"plan_import"})
# refused: the sender was no longer allowed the write at 确认 (moved to another unit, made a viewer, removed)
Outcome = Literal["confirmed", "cancelled", "superseded", "expired", "refused"]


class DuplicateMessage(StoreError):
    """This platform message was already recorded (a redelivery): nothing new was written."""


@dataclass(frozen=True)
class WriteRequest:
    """One write, fully resolved to catalog keys; serialised into a pending write until confirmed."""

    kind: WriteKind
    plan: str
    number: int | None = None  # task writes
    code: str | None = None  # indicator writes
    unit: str | None = None  # the unit the write speaks for
    value: Decimal | None = None
    as_of: date | None = None
    detail: str | None = None  # progress note, delay reason
    new_deadline: date | None = None
    refers_to: int | None = None  # the row a retraction withdraws or a delay decision answers

    def to_json(self) -> str:
        raw = {k: v for k, v in asdict(self).items() if v is not None}
        return json.dumps(raw, default=str, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> WriteRequest:
        raw = json.loads(text)
        for name in ("as_of", "new_deadline"):
            if name in raw:
                raw[name] = date.fromisoformat(raw[name])
        if "value" in raw:
            raw["value"] = Decimal(raw["value"])
        return cls(**raw)


@dataclass(frozen=True)
class Author:
    """Who wrote, when, and through which message."""

    platform: str
    user_id: str
    member_id: int | None  # None for the local operator of `duban ask`
    at: datetime
    message_id: str | None = None
    message_text: str | None = None


@dataclass(frozen=True)
class PendingView:
    id: int
    request: WriteRequest
    preview: str
    author: Author
    expires_at: datetime
    outcome: str | None  # None while undecided


def record(db: Database, request: WriteRequest, author: Author) -> int:
    """Append one write now (no confirmation step); returns the new row's id."""
    with db.session() as session:
        row = _row(session, request, author)
        session.add(row)
        _keep_state(session, row)
        _commit_once(session)
        return int(row.id or 0)


def create_pending(
    db: Database, request: WriteRequest, preview: str, author: Author, ttl: timedelta
) -> PendingView:
    """Hold a write for the sender's 确认; an older undecided one of theirs is superseded.

    The same message delivered again returns the pending write it already made.
    """
    existing = _pending_for_message(db, author)
    if existing is not None:
        return existing
    with db.session() as session:
        for older in _undecided(session, author.platform, author.user_id):
            session.add(_outcome(older, "superseded", author))
        row = PendingWrite(
            platform=author.platform,
            platform_user_id=author.user_id,
            member_id=author.member_id,
            kind=request.kind,
            payload=request.to_json(),
            preview=preview,
            created_at=author.at,
            expires_at=author.at + ttl,
            message_id=author.message_id,
            message_text=author.message_text,
        )
        session.add(row)
        _commit_once(session)
        return _pending_view(row, None)


def latest_pending(db: Database, platform: str, user_id: str) -> PendingView | None:
    """The sender's newest undecided pending write, expired or not (the caller tells them which)."""
    with db.session() as session:
        rows = _undecided(session, platform, user_id)
        return _pending_view(rows[-1], None) if rows else None


def find_pending(db: Database, pending_id: int) -> PendingView | None:
    if not is_row_id(pending_id):
        return None
    with db.session() as session:
        row = session.get(PendingWrite, pending_id)
        if row is None:
            return None
        decided = session.exec(select(PendingOutcome).where(PendingOutcome.pending_id == pending_id)).first()
        return _pending_view(row, decided.outcome if decided else None)


def decide(db: Database, pending: PendingView, outcome: Outcome, author: Author) -> int | None:
    """Close a pending write; when confirmed, append its row in the same transaction.

    Returns the new ledger row's id (None when cancelled). Raises DuplicateMessage when the pending write
    was already decided, e.g. a confirm button pressed twice or on two devices.
    """
    with db.session() as session:
        decided = PendingOutcome(
            pending_id=pending.id,
            outcome=outcome,
            decided_at=author.at,
            platform=author.platform,
            message_id=author.message_id,
        )
        session.add(decided)
        row = None
        if outcome == "confirmed" and pending.request.kind not in CATALOG_WRITES:
            # The ledger row speaks for the original message; it takes effect when confirmed.
            row = _row(session, pending.request, _at(pending.author, author.at))
            session.add(row)
            _keep_state(session, row)
        _commit_once(session)
        return int(row.id or 0) if row is not None else None


def _keep_state(session: Session, row: TaskEvent | IndicatorReport) -> None:
    """A task event changes its task's state row, in the same transaction (a duplicate rolls both back)."""
    if isinstance(row, TaskEvent):
        try:
            session.flush()
        except IntegrityError as exc:
            session.rollback()
            raise DuplicateMessage("already recorded") from exc
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # two writes to one task at once (two parts approved together) would each recompute its state
            # from a snapshot without the other's event, the later overwriting the earlier: take the task's
            # state row first, so the second waits and then reads the first's event
            connection.execute(
                select(TaskState.task_id).where(TaskState.task_id == row.task_id).with_for_update()
            )
        refresh_task_states(connection, [row.task_id])


def _at(author: Author, at: datetime) -> Author:
    return replace(author, at=at)


def _row(session: Session, request: WriteRequest, author: Author) -> TaskEvent | IndicatorReport:
    if request.kind in ("indicator_value", "indicator_retraction"):
        return _report_row(session, request, author)
    return _task_event_row(session, request, author)


def _task_event_row(session: Session, request: WriteRequest, author: Author) -> TaskEvent:
    task = session.exec(
        select(Task).join(Plan).where(Plan.code == request.plan, Task.number == request.number)
    ).first()
    if task is None:
        raise StoreError(f"no task {request.plan}:{request.number}")
    return TaskEvent(
        task_id=task.id or 0,
        unit_id=unit_id(session, request.unit),
        kind=_TASK_EVENT_KIND[request.kind],
        detail=request.detail,
        new_deadline=request.new_deadline,
        refers_to_id=request.refers_to,
        member_id=author.member_id,
        recorded_at=author.at,
        platform=author.platform,
        message_id=author.message_id,
        message_text=author.message_text,
    )


def _report_row(session: Session, request: WriteRequest, author: Author) -> IndicatorReport:
    indicator = session.exec(
        select(Indicator).join(Plan).where(Plan.code == request.plan, Indicator.code == request.code)
    ).first()
    if indicator is None:
        raise StoreError(f"no indicator {request.plan}:{request.code}")
    retraction = request.kind == "indicator_retraction"
    return IndicatorReport(
        indicator_id=indicator.id or 0,
        unit_id=unit_id(session, request.unit),
        kind=RETRACTION if retraction else REPORT,
        value=request.value,
        as_of=request.as_of,
        retracts_id=request.refers_to,
        member_id=author.member_id,
        recorded_at=author.at,
        platform=author.platform,
        message_id=author.message_id,
        message_text=author.message_text,
    )


def _commit_once(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DuplicateMessage("already recorded") from exc


def _pending_for_message(db: Database, author: Author) -> PendingView | None:
    if author.message_id is None:
        return None
    with db.session() as session:
        # The sender too, not only the message id: should two people's messages ever share an id, the second
        # must never be shown the first one's preview and buttons (its insert then fails as a duplicate).
        row = session.exec(
            select(PendingWrite).where(
                PendingWrite.platform == author.platform,
                PendingWrite.message_id == author.message_id,
                PendingWrite.platform_user_id == author.user_id,
            )
        ).first()
    return find_pending(db, row.id or 0) if row is not None else None


def _undecided(session: Session, platform: str, user_id: str) -> list[PendingWrite]:
    decided = select(PendingOutcome.pending_id)
    return list(
        session.exec(
            select(PendingWrite)
            .where(
                PendingWrite.platform == platform,
                PendingWrite.platform_user_id == user_id,
                col(PendingWrite.id).not_in(decided),
            )
            .order_by(col(PendingWrite.id))
        )
    )


def _outcome(row: PendingWrite, outcome: Outcome, author: Author) -> PendingOutcome:
    return PendingOutcome(
        pending_id=row.id or 0,
        outcome=outcome,
        decided_at=author.at,
        platform=author.platform,
        message_id=None,  # decided as a side effect of a newer report, not by a message of its own
    )


def _pending_view(row: PendingWrite, outcome: str | None) -> PendingView:
    author = Author(
        platform=row.platform,
        user_id=row.platform_user_id,
        member_id=row.member_id,
        at=row.created_at,
        message_id=row.message_id,
        message_text=row.message_text,
    )
    return PendingView(
        id=row.id or 0,
        request=WriteRequest.from_json(row.payload),
        preview=row.preview,
        author=author,
        expires_at=row.expires_at,
        outcome=outcome,
    )
