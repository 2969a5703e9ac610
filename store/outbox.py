"""The reminder outbox: messages to send, the reminders inside them, and what happened to each delivery.

Every table here is append-only. A message is planned once (its unique key: one digest per unit per day, one
notice per admin per event); its reminders are unique per (unit, item, kind, planned day); its delivery is a
numbered series of events. Claiming a message is adding the next event: the unique (message_id, seq) lets
exactly one of two competing senders win, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import Connection, Table, and_, func, or_, select, tuple_
from sqlmodel import col

from store.bulk import insert_columns, insert_ignoring
from store.db import Database
from store.models import (
    DeliveryEvent,
    Indicator,
    Member,
    Plan,
    ReminderItem,
    ReminderMessage,
    ReminderSweep,
    Task,
    Unit,
    UnitChat,
)
from store.reminder_sources import chunks, completions, pk

DIGEST, NOTICE, SUMMARY = "digest", "notice", "summary"
CLAIMED, SENT, THROTTLED, RETRY = "claimed", "sent", "throttled", "retry"
FAILED, UNBOUND, ACKED = "failed", "unbound", "acked"
BLOCKED = "blocked"  # unit_chat action: the platform refused the chat; reminders need a new binding
FINISHED = (SENT, FAILED, UNBOUND, ACKED)
WHOLE_TABLE_ABOVE = 2000  # names to look up: above this, read the unit table whole
AckResult = Literal["acked", "already", "unknown", "not_yours", "not_sent"]


@dataclass(frozen=True)
class OutboxItem:
    """One planned reminder, by names, as the sweep hands it over."""

    unit: str  # the recipient
    item: str  # "<plan>:task:<n>", "<plan>:indicator:<code>", with "@<late unit>" for an escalation
    kind: str
    day: date  # the working day it was planned for
    plan: str
    task: int | None = None
    indicator: str | None = None
    deadline: date | None = None
    workdays: int | None = None
    about_unit: str | None = None
    resent_from_id: int | None = None
    ref: int | None = None  # the task's or indicator's id when the planner had it from the store


class PlannedItem(Protocol):
    """What the outbox needs of a planned reminder: an OutboxItem, or the planner's own Reminder handed over
    as it is (a national-scale day has tens of thousands; copying each into an OutboxItem cost a quarter of
    a second)."""

    @property
    def unit(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def plan(self) -> str: ...
    @property
    def task(self) -> int | None: ...
    @property
    def indicator(self) -> str | None: ...
    @property
    def deadline(self) -> date | None: ...
    @property
    def workdays(self) -> int | None: ...
    @property
    def about_unit(self) -> str | None: ...
    @property
    def resent_from_id(self) -> int | None: ...
    @property
    def ref(self) -> int | None: ...


@dataclass(frozen=True)
class OutboxDigest:
    unit: str
    day: date
    catch_up: bool
    items: tuple[PlannedItem, ...]


@dataclass(frozen=True)
class SweepRecord:
    day: date
    covered_from: date
    covered_to: date
    instance: str
    at: datetime


@dataclass(frozen=True)
class EnqueueResult:
    sweep_id: int
    messages: int  # created by this sweep
    items: int


@dataclass(frozen=True)
class Target:
    platform: str
    chat_id: str
    is_group: bool = False

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


@dataclass(frozen=True)
class ItemView:
    id: int
    kind: str
    day: date
    plan: str
    plan_region: str
    task: int | None
    task_title: str | None
    indicator: str | None
    indicator_name: str | None
    indicator_region: str | None
    deadline: date | None
    workdays: int | None
    about_unit: str | None
    resent: bool


@dataclass(frozen=True)
class MessageView:
    id: int
    key: str
    kind: str
    day: date
    catch_up: bool
    unit: str | None  # recipient unit (digests)
    member: str | None  # recipient admin's name (notices, summaries)
    body: str | None
    items: tuple[ItemView, ...]
    target: Target | None
    failures: int  # failed attempts before this one


@dataclass(frozen=True)
class Recipient:
    member_id: int
    name: str
    target: Target


@dataclass(frozen=True)
class LogEntry:
    message_id: int
    day: date
    kind: str
    recipient: str
    status: str  # the newest event's kind, or "pending"
    at: datetime | None
    target: str | None
    detail: str | None
    items: int
    catch_up: bool


def last_covered_day(db: Database) -> date | None:
    with db.engine.connect() as connection:
        found: date | None = connection.execute(select(func.max(col(ReminderSweep.covered_to)))).scalar()
    return found


def enqueue_digests(db: Database, sweep: SweepRecord, digests: Sequence[OutboxDigest]) -> EnqueueResult:
    """Record the sweep and add each digest unless that unit's message for the day is already on its way.

    Re-running a sweep (a restart, a second instance) adds nothing twice: the message key and the item key
    are unique and conflicts are ignored."""
    with db.engine.begin() as connection:
        sweep_id = _insert_sweep(connection, sweep, len(digests), sum(len(d.items) for d in digests))
        ids = _Ids(connection, digests)
        rows = [_message_row(ids.unit[d.unit], d, sweep_id, sweep.at) for d in digests]
        created = _insert_ignoring(connection, ReminderMessage, rows, ["key"])
        message_ids = _digest_ids(connection, {d.day for d in digests})
        started = _digests_with_events(connection, {d.day for d in digests})
        still_open = [(message_ids[(ids.unit[d.unit], d.day)], ids.unit[d.unit], d) for d in digests]
        items = _item_columns(
            ids, ((m, u, item) for m, u, d in still_open if m not in started for item in d.items)
        )
        added = insert_columns(connection, _ITEM_TABLE, items, ["unit_id", "item", "kind", "day"])
    return EnqueueResult(sweep_id, created, added)


def admins(db: Database) -> list[Recipient]:
    """Active admins with the chat a notice reaches them in (their direct chat)."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(
                pk(Member.id), col(Member.display_name), col(Member.platform), col(Member.platform_user_id)
            )
            .where(col(Member.role) == "admin", col(Member.removed_at).is_(None))
            .order_by(col(Member.id))
        )
        return [Recipient(i, name, Target(p, u)) for i, name, p, u in rows]


def enqueue_notice(
    db: Database, *, reason: str, day: date, body: str, at: datetime, about_message_id: int | None = None
) -> int:
    """One notice per admin for one event (reason + about); a repeat of the same event adds nothing."""
    about = about_message_id if about_message_id is not None else day.isoformat()
    rows = [
        {
            "key": f"{NOTICE}:{reason}:{about}:{admin.member_id}",
            "day": day,
            "kind": NOTICE if reason != SUMMARY else SUMMARY,
            "member_id": admin.member_id,
            "catch_up": False,
            "about_message_id": about_message_id,
            "body": body,
            "created_at": at,
        }
        for admin in admins(db)
    ]
    with db.engine.begin() as connection:
        return _insert_ignoring(connection, ReminderMessage, rows, ["key"])


def claim(
    db: Database, *, now: datetime, worker: str, lease: timedelta, since: date, until: date, limit: int
) -> list[MessageView]:
    """Take up to limit messages that are due to be sent: never tried, retry time come, or a claim whose
    holder died (its lease ran out). Each is won by adding the next event; a message another sender took
    first is skipped."""
    with db.engine.begin() as connection:
        candidates = _claimable(connection, now, since, until, limit)
        won = [
            message_id
            for message_id, seq in candidates
            if _append(connection, message_id, seq + 1, CLAIMED, now, worker, lease_until=now + lease)
        ]
    with db.engine.connect() as connection:
        return _views(connection, won)


def record_delivery(
    db: Database,
    message_id: int,
    kind: str,
    *,
    at: datetime,
    worker: str,
    target: Target | None = None,
    detail: str | None = None,
    retry_at: datetime | None = None,
    platform_message_id: str | None = None,
) -> None:
    """Add what became of a claimed message: sent, throttled, retry, failed or unbound."""
    with db.engine.begin() as connection:
        _append_next(
            connection,
            message_id,
            kind,
            at,
            worker,
            target=str(target) if target else None,
            detail=detail,
            retry_at=retry_at,
            platform_message_id=platform_message_id,
        )


def acknowledge_message(
    db: Database,
    message_id: int,
    *,
    member_id: int | None,
    unit: str | None,
    at: datetime,
    platform: str,
    inbound_message_id: str | None,
) -> AckResult:
    """收到: the member's unit confirms it read the digest; only that unit's members (or admins) may."""
    with db.engine.begin() as connection:
        row = connection.execute(
            select(col(ReminderMessage.unit_id), col(ReminderMessage.member_id)).where(
                pk(ReminderMessage.id) == message_id
            )
        ).first()
        if row is None:
            return "unknown"
        kinds = _event_kinds(connection, message_id)
        if ACKED in kinds:
            return "already"
        if SENT not in kinds:
            return "not_sent"
        if unit is not None and row.unit_id is not None and _unit_id(connection, unit) != row.unit_id:
            return "not_yours"
        worker = f"{platform}:{member_id}"
        _append_next(
            connection,
            message_id,
            ACKED,
            at,
            worker,
            member_id=member_id,
            inbound_message_id=inbound_message_id,
        )
    return "acked"


def latest_unacknowledged(db: Database, unit: str) -> int | None:
    """The unit's newest digest that was sent and not yet acknowledged."""
    with db.engine.connect() as connection:
        unit_id = _unit_id(connection, unit)
        ids = connection.execute(
            select(pk(ReminderMessage.id))
            .where(col(ReminderMessage.unit_id) == unit_id, col(ReminderMessage.kind) == DIGEST)
            .order_by(pk(ReminderMessage.id).desc())
            .limit(20)
        ).scalars()
        for message_id in ids:
            kinds = _event_kinds(connection, message_id)
            if SENT in kinds and ACKED not in kinds:
                return int(message_id)
    return None


def unacknowledged_items(db: Database, day: date) -> list[tuple[int, OutboxItem]]:
    """The reminders of day's digests that were sent but never acknowledged, not themselves re-sends, and
    still open (the unit has not since reported the task done): each with its item id."""
    with db.engine.connect() as connection:
        messages = connection.execute(
            select(pk(ReminderMessage.id)).where(
                col(ReminderMessage.day) == day, col(ReminderMessage.kind) == DIGEST
            )
        ).scalars()
        kinds = _event_kinds_of(connection, list(messages))
        unread = [m for m, found in kinds.items() if _unread(found)]
        rows = _item_rows(connection, unread)
        names = _Names(connection, rows)
        done_units, done_all = completions(connection, [r.task_id for r in rows if r.task_id is not None])
    return [
        (int(r.id), names.outbox_item(r))
        for r in rows
        if r.resent_from_id is None
        and not (
            r.task_id is not None
            and (r.task_id in done_all or (r.about_unit_id or r.unit_id) in done_units[r.task_id])
        )
    ]


def delivery_log(db: Database, *, unit: str | None = None, limit: int = 200) -> list[LogEntry]:
    with db.engine.connect() as connection:
        statement = select(ReminderMessage).order_by(pk(ReminderMessage.id).desc()).limit(limit)
        if unit is not None:
            statement = statement.where(col(ReminderMessage.unit_id) == _unit_id(connection, unit))
        messages = list(connection.execute(statement))
        units = _unit_names(connection, [m.unit_id for m in messages if m.unit_id is not None])
        members = _member_names(connection, [m.member_id for m in messages if m.member_id is not None])
        entries = [_log_entry(connection, m, units, members) for m in messages]
    return entries


def bind_unit_chat(
    db: Database,
    *,
    unit: str,
    target: Target,
    member_id: int | None,
    actor: str,
    at: datetime,
    message_id: str | None = None,
    action: Literal["bound", "unbound"] = "bound",
) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            UnitChat.__table__.insert().values(  # type: ignore[attr-defined]
                unit_id=_unit_id(connection, unit),
                action=action,
                platform=target.platform,
                chat_id=target.chat_id,
                is_group=target.is_group,
                member_id=member_id,
                actor=actor,
                recorded_at=at,
                message_id=message_id,
            )
        )


def mark_chat_unreachable(db: Database, target: Target, *, at: datetime, detail: str) -> list[str]:
    """The platform refused the chat (blocked, kicked, never started): every unit whose reminders went there
    loses it until someone binds a chat again; their digests are then reported as unbound. Returns them."""
    with db.engine.begin() as connection:
        current = _unit_targets(connection, None)
        units = sorted(name for name, bound in current.items() if bound == target)
        ids = _ids_by_name(connection, units)
        for name in units:
            connection.execute(
                UnitChat.__table__.insert().values(  # type: ignore[attr-defined]
                    unit_id=ids[name],
                    action=BLOCKED,
                    platform=target.platform,
                    chat_id=target.chat_id,
                    is_group=target.is_group,
                    member_id=None,
                    actor=f"platform:{detail}"[:200],
                    recorded_at=at,
                    message_id=None,
                )
            )
    return units


def unit_chats(db: Database) -> dict[str, Target]:
    """Each unit's reminder chat in force (units whose newest row is an unbinding have none)."""
    with db.engine.connect() as connection:
        return {
            name: target for name, target in _unit_targets(connection, None).items() if target is not None
        }


# --- internals -------------------------------------------------------------------------------------------


def _digest_key(unit_id: int, day: date) -> str:
    return f"{DIGEST}:unit:{unit_id}:{day.isoformat()}"


def _insert_sweep(
    connection: Connection, sweep: SweepRecord, planned_messages: int, planned_items: int
) -> int:
    result = connection.execute(
        ReminderSweep.__table__.insert().values(  # type: ignore[attr-defined]
            day=sweep.day,
            covered_from=sweep.covered_from,
            covered_to=sweep.covered_to,
            instance=sweep.instance,
            started_at=sweep.at,
            messages=planned_messages,
            items=planned_items,
        )
    )
    return int((result.inserted_primary_key or (0,))[0])


def _message_row(unit_id: int, digest: OutboxDigest, sweep_id: int, at: datetime) -> dict[str, Any]:
    return {
        "key": _digest_key(unit_id, digest.day),
        "day": digest.day,
        "kind": DIGEST,
        "unit_id": unit_id,
        "catch_up": digest.catch_up,
        "sweep_id": sweep_id,
        "created_at": at,
    }


class _Ids:
    """Ids of the units, plans, tasks and indicators a batch of digests names. Items planned from the store
    carry their task or indicator id (ref); only items without one are looked up."""

    def __init__(self, connection: Connection, digests: Sequence[OutboxDigest]) -> None:
        items = [i for d in digests for i in d.items]
        wanted_units = {d.unit for d in digests} | {i.about_unit for i in items if i.about_unit}
        self.unit = _ids_by_name(connection, wanted_units)
        self.plan = {code: int(i) for i, code in connection.execute(select(pk(Plan.id), col(Plan.code)))}
        self.task = _task_ids(
            connection, self.plan, {(i.plan, i.task) for i in items if i.task is not None and i.ref is None}
        )
        self.indicator: dict[tuple[str, str], int] = {}
        plan_codes = {v: k for k, v in self.plan.items()}
        if any(i.indicator and i.ref is None for i in items):
            for i, plan_id, code in connection.execute(
                select(pk(Indicator.id), col(Indicator.plan_id), col(Indicator.code))
            ):
                self.indicator[(plan_codes[plan_id], code)] = int(i)

    def task_id(self, item: PlannedItem) -> int | None:
        if item.task is None:
            return None
        return item.ref if item.ref is not None else self.task[(item.plan, item.task)]

    def indicator_id(self, item: PlannedItem) -> int | None:
        if item.indicator is None:
            return None
        return item.ref if item.ref is not None else self.indicator[(item.plan, item.indicator)]


def _ids_by_name(connection: Connection, names: Iterable[str]) -> dict[str, int]:
    wanted = set(names)
    if len(wanted) > WHOLE_TABLE_ABOVE:  # one scan beats dozens of IN (...) statements
        every = connection.execute(select(pk(Unit.id), col(Unit.name)))
        return {name: int(i) for i, name in every if name in wanted}
    found: dict[str, int] = {}
    for chunk in chunks(sorted(wanted)):
        for i, name in connection.execute(
            select(pk(Unit.id), col(Unit.name)).where(col(Unit.name).in_(chunk))
        ):
            found[name] = int(i)
    return found


def _task_ids(
    connection: Connection, plans: Mapping[str, int], wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """Task ids by (plan, number), looked up as (plan_id, number) pairs, 400 pairs per statement."""
    codes = {plan_id: code for code, plan_id in plans.items()}
    pairs = sorted((plans[plan], number) for plan, number in wanted)
    found: dict[tuple[str, int], int] = {}
    for start in range(0, len(pairs), 400):
        statement = select(pk(Task.id), col(Task.plan_id), col(Task.number)).where(
            tuple_(col(Task.plan_id), col(Task.number)).in_(pairs[start : start + 400])
        )
        for i, plan_id, number in connection.execute(statement):
            found[(codes[plan_id], number)] = int(i)
    return found


def _item_columns(ids: _Ids, rows: Iterable[tuple[int, int, PlannedItem]]) -> dict[str, list[Any]]:
    """The reminder_item rows, column by column, from (message id, unit id, item) triples."""
    columns: dict[str, list[Any]] = {name: [] for name in _ITEM_COLUMNS}
    adds = [columns[name].append for name in _ITEM_COLUMNS]
    (message, unit, text, kind, day, plan, task, indicator, deadline, workdays, about, resent) = adds
    for message_id, unit_id, item in rows:
        message(message_id)
        unit(unit_id)
        text(item.item)
        kind(item.kind)
        day(item.day)
        plan(ids.plan[item.plan])
        task(ids.task_id(item))
        indicator(ids.indicator_id(item))
        deadline(item.deadline)
        workdays(item.workdays)
        about(ids.unit[item.about_unit] if item.about_unit else None)
        resent(item.resent_from_id)
    return columns


_ITEM_TABLE: Table = ReminderItem.__table__  # type: ignore[attr-defined]
_ITEM_COLUMNS = (
    "message_id", "unit_id", "item", "kind", "day", "plan_id", "task_id", "indicator_id", "deadline",
    "workdays", "about_unit_id", "resent_from_id",
)  # fmt: skip


def _insert_ignoring(connection: Connection, model: Any, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; how many rows were new."""
    return insert_ignoring(connection, model.__table__, rows, keys)


def _digest_ids(connection: Connection, days: Iterable[date]) -> dict[tuple[int, date], int]:
    """The digest message of each (unit id, day), this sweep's or an earlier one's (day is indexed)."""
    statement = select(pk(ReminderMessage.id), col(ReminderMessage.unit_id), col(ReminderMessage.day)).where(
        col(ReminderMessage.day).in_(sorted(set(days))), col(ReminderMessage.kind) == DIGEST
    )
    return {(int(unit_id or 0), day): int(i) for i, unit_id, day in connection.execute(statement)}


def _digests_with_events(connection: Connection, days: Iterable[date]) -> set[int]:
    """Digests of these days whose delivery has begun: their content is fixed."""
    statement = (
        select(col(DeliveryEvent.message_id))
        .join(ReminderMessage, pk(ReminderMessage.id) == col(DeliveryEvent.message_id))
        .where(col(ReminderMessage.day).in_(sorted(set(days))), col(ReminderMessage.kind) == DIGEST)
        .distinct()
    )
    return set(connection.execute(statement).scalars())


def _latest_events() -> Any:
    """Each message's newest delivery event, as a subquery."""
    return (
        select(col(DeliveryEvent.message_id), func.max(col(DeliveryEvent.seq)).label("seq"))
        .group_by(col(DeliveryEvent.message_id))
        .subquery()
    )


def _claimable(
    connection: Connection, now: datetime, since: date, until: date, limit: int
) -> list[tuple[int, int]]:
    latest = _latest_events()
    event = DeliveryEvent.__table__.alias("event")  # type: ignore[attr-defined]
    statement = (
        select(pk(ReminderMessage.id), func.coalesce(latest.c.seq, 0))
        .select_from(ReminderMessage)
        .outerjoin(latest, latest.c.message_id == pk(ReminderMessage.id))
        .outerjoin(event, and_(event.c.message_id == latest.c.message_id, event.c.seq == latest.c.seq))
        .where(col(ReminderMessage.day) >= since, col(ReminderMessage.day) <= until)
        .where(
            or_(
                latest.c.seq.is_(None),
                and_(event.c.kind.in_((RETRY, THROTTLED)), event.c.retry_at <= now),
                and_(event.c.kind == CLAIMED, event.c.lease_until <= now),
            )
        )
        .order_by(pk(ReminderMessage.id))
        .limit(limit)
    )
    return [(int(i), int(seq)) for i, seq in connection.execute(statement)]


def _append(
    connection: Connection, message_id: int, seq: int, kind: str, at: datetime, worker: str, **fields: Any
) -> bool:
    """Add event number seq; False when another sender added it first."""
    row = {"message_id": message_id, "seq": seq, "kind": kind, "at": at, "worker": worker, **fields}
    return _insert_ignoring(connection, DeliveryEvent, [row], ["message_id", "seq"]) == 1


def _append_next(
    connection: Connection, message_id: int, kind: str, at: datetime, worker: str, **fields: Any
) -> None:
    for _ in range(5):
        seq = connection.execute(
            select(func.coalesce(func.max(col(DeliveryEvent.seq)), 0)).where(
                col(DeliveryEvent.message_id) == message_id
            )
        ).scalar_one()
        if _append(connection, message_id, int(seq) + 1, kind, at, worker, **fields):
            return
    raise RuntimeError(f"could not append a delivery event to message {message_id}")


def _event_kinds(connection: Connection, message_id: int) -> list[str]:
    return list(
        connection.execute(
            select(col(DeliveryEvent.kind))
            .where(col(DeliveryEvent.message_id) == message_id)
            .order_by(col(DeliveryEvent.seq))
        ).scalars()
    )


def _event_kinds_of(connection: Connection, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each message's event kinds in order, in one query per chunk rather than one per message."""
    found: dict[int, list[str]] = {int(m): [] for m in message_ids}
    for chunk in chunks(message_ids):
        for message_id, kind in connection.execute(
            select(col(DeliveryEvent.message_id), col(DeliveryEvent.kind))
            .where(col(DeliveryEvent.message_id).in_(chunk))
            .order_by(col(DeliveryEvent.message_id), col(DeliveryEvent.seq))
        ):
            found[int(message_id)].append(kind)
    return found


def _unread(kinds: Sequence[str]) -> bool:
    return SENT in kinds and ACKED not in kinds


def _unit_id(connection: Connection, unit: str) -> int | None:
    found = connection.execute(select(pk(Unit.id)).where(col(Unit.name) == unit)).scalar()
    return int(found) if found is not None else None


def _item_rows(connection: Connection, message_ids: Sequence[int]) -> list[Any]:
    rows: list[Any] = []
    for chunk in chunks(list(message_ids)):
        rows.extend(
            connection.execute(
                select(ReminderItem)
                .where(col(ReminderItem.message_id).in_(chunk))
                .order_by(pk(ReminderItem.id))
            )
        )
    return rows


class _Names:
    """Names for the ids in a set of item rows."""

    def __init__(self, connection: Connection, rows: Sequence[Any]) -> None:
        unit_ids = {r.unit_id for r in rows if r.unit_id} | {r.about_unit_id for r in rows if r.about_unit_id}
        self.units = _unit_names(connection, unit_ids)
        self.plans = {
            int(i): (code, region)
            for i, code, region in connection.execute(select(pk(Plan.id), col(Plan.code), col(Plan.region)))
        }
        self.tasks: dict[int, tuple[int, str | None]] = {}
        for chunk in chunks(sorted({r.task_id for r in rows if r.task_id})):
            for i, number, title in connection.execute(
                select(pk(Task.id), col(Task.number), col(Task.title)).where(pk(Task.id).in_(chunk))
            ):
                self.tasks[int(i)] = (number, title)
        self.indicators: dict[int, tuple[str, str, str]] = {}
        for chunk in chunks(sorted({r.indicator_id for r in rows if r.indicator_id})):
            for i, code, name, region in connection.execute(
                select(
                    pk(Indicator.id), col(Indicator.code), col(Indicator.name), col(Indicator.region)
                ).where(pk(Indicator.id).in_(chunk))
            ):
                self.indicators[int(i)] = (code, name, region)

    def view(self, row: Any) -> ItemView:
        plan, region = self.plans[row.plan_id]
        task = self.tasks.get(row.task_id) if row.task_id else None
        indicator = self.indicators.get(row.indicator_id) if row.indicator_id else None
        return ItemView(
            id=int(row.id),
            kind=row.kind,
            day=row.day,
            plan=plan,
            plan_region=region,
            task=task[0] if task else None,
            task_title=task[1] if task else None,
            indicator=indicator[0] if indicator else None,
            indicator_name=indicator[1] if indicator else None,
            indicator_region=indicator[2] if indicator else None,
            deadline=row.deadline,
            workdays=row.workdays,
            about_unit=self.units.get(row.about_unit_id) if row.about_unit_id else None,
            resent=row.resent_from_id is not None,
        )

    def outbox_item(self, row: Any) -> OutboxItem:
        view = self.view(row)
        return OutboxItem(
            unit=self.units[row.unit_id],
            item=row.item,
            kind=row.kind,
            day=row.day,
            plan=view.plan,
            task=view.task,
            indicator=view.indicator,
            deadline=row.deadline,
            workdays=row.workdays,
            about_unit=view.about_unit,
            ref=row.task_id if row.task_id is not None else row.indicator_id,
        )


def _unit_names(connection: Connection, unit_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(unit_ids))):
        for i, name in connection.execute(select(pk(Unit.id), col(Unit.name)).where(pk(Unit.id).in_(chunk))):
            found[int(i)] = name
    return found


def _member_names(connection: Connection, member_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(member_ids))):
        for i, name in connection.execute(
            select(pk(Member.id), col(Member.display_name)).where(pk(Member.id).in_(chunk))
        ):
            found[int(i)] = name
    return found


def _unit_targets(connection: Connection, unit_ids: Sequence[int] | None) -> dict[str, Target | None]:
    """Unit name -> its chat in force (None after an unbinding)."""
    statement = select(UnitChat).order_by(pk(UnitChat.id))
    if unit_ids is not None:
        statement = statement.where(col(UnitChat.unit_id).in_(unit_ids))
    rows = list(connection.execute(statement))
    names = _unit_names(connection, [r.unit_id for r in rows])
    found: dict[str, Target | None] = {}
    for row in rows:
        found[names[row.unit_id]] = (
            Target(row.platform, row.chat_id, row.is_group) if row.action == "bound" else None
        )
    return found


def _views(connection: Connection, message_ids: Sequence[int]) -> list[MessageView]:
    if not message_ids:
        return []
    messages = list(
        connection.execute(
            select(ReminderMessage)
            .where(pk(ReminderMessage.id).in_(message_ids))
            .order_by(pk(ReminderMessage.id))
        )
    )
    rows = _item_rows(connection, message_ids)
    names = _Names(connection, rows)
    items: dict[int, list[ItemView]] = defaultdict(list)
    for row in rows:
        items[row.message_id].append(names.view(row))
    unit_names = _unit_names(connection, [m.unit_id for m in messages if m.unit_id])
    targets = _unit_targets(connection, [m.unit_id for m in messages if m.unit_id])
    members = _member_targets(connection, [m.member_id for m in messages if m.member_id])
    failures = _failures(connection, message_ids)
    return [
        MessageView(
            id=int(m.id),
            key=m.key,
            kind=m.kind,
            day=m.day,
            catch_up=m.catch_up,
            unit=unit_names.get(m.unit_id) if m.unit_id else None,
            member=members[m.member_id][0] if m.member_id else None,
            body=m.body,
            items=tuple(items[m.id]),
            target=(members[m.member_id][1] if m.member_id else targets.get(unit_names.get(m.unit_id, ""))),
            failures=failures.get(int(m.id), 0),
        )
        for m in messages
    ]


def _member_targets(
    connection: Connection, member_ids: Sequence[int]
) -> dict[int, tuple[str, Target | None]]:
    found: dict[int, tuple[str, Target | None]] = {}
    for chunk in chunks(sorted(set(member_ids))):
        for row in connection.execute(select(Member).where(pk(Member.id).in_(chunk))):
            target = Target(row.platform, row.platform_user_id) if row.removed_at is None else None
            found[int(row.id)] = (row.display_name, target)
    return found


def _failures(connection: Connection, message_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in chunks(list(message_ids)):
        for message_id, count in connection.execute(
            select(col(DeliveryEvent.message_id), func.count())
            .where(col(DeliveryEvent.message_id).in_(chunk), col(DeliveryEvent.kind) == RETRY)
            .group_by(col(DeliveryEvent.message_id))
        ):
            found[int(message_id)] = int(count)
    return found


def _log_entry(
    connection: Connection, message: Any, units: Mapping[int, str], members: Mapping[int, str]
) -> LogEntry:
    event = connection.execute(
        select(DeliveryEvent)
        .where(col(DeliveryEvent.message_id) == message.id)
        .order_by(col(DeliveryEvent.seq).desc())
        .limit(1)
    ).first()
    sent = connection.execute(
        select(col(DeliveryEvent.target)).where(
            col(DeliveryEvent.message_id) == message.id, col(DeliveryEvent.target).is_not(None)
        )
    ).scalar()
    count = connection.execute(
        select(func.count()).select_from(ReminderItem).where(col(ReminderItem.message_id) == message.id)
    ).scalar_one()
    recipient = units.get(message.unit_id) if message.unit_id else members.get(message.member_id, "?")
    return LogEntry(
        message_id=int(message.id),
        day=message.day,
        kind=message.kind,
        recipient=recipient or "?",
        status=event.kind if event else "pending",
        at=event.at if event else None,
        target=sent,
        detail=event.detail if event and event.kind != SENT else None,
        items=int(count),
        catch_up=message.catch_up,
    )
