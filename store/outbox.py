"""The reminder outbox: messages to send, the reminders inside them, and what happened to each delivery.

Every table here is append-only. A message is planned once (its unique key: one digest per unit per day, one
notice per admin per event); its reminders are unique per (unit, item, kind, planned day); its delivery is a
numbered series of events. Claiming a message is adding the next event: the unique (message_id, seq) lets
exactly one of two competing senders win, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select
from sqlmodel import col

from store.bulk import insert_ignoring
from store.db import Database
from store.delivery_events import (
    CLAIMED,
    NOTICE,
    RETRY,
    RETRY_LATER,
    SENT,
    SUMMARY,
    UNCERTAIN,
    append_event,
    append_next_event,
    digest_keys,
    unit_id_named,
    unit_names,
)
from store.due_items import unit_rank
from store.models import (
    CollectiveMember,
    DeliveryEvent,
    Indicator,
    Member,
    Plan,
    ReminderItem,
    ReminderMessage,
    ReminderSweep,
    Task,
    TaskUnit,
    UnitChat,
)
from store.querying import chunks, pk
from store.reminder_chats import Target, unit_targets
from store.task_sections import section_places
from store.views import plan_short_name

LOG_WITHIN = timedelta(days=366)  # `duban reminders log --unit` shows a year
# Recipients without a chat platform: members added on this machine (`duban ask/chat`) and chats bound to the
# console. Only a console process reaches them; any process may record that it cannot.
LOCAL_PLATFORMS = frozenset({"local", "console"})


@dataclass(frozen=True)
class EnqueueResult:
    sweep_id: int
    messages: int  # created by this sweep
    items: int


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
    about_rank: int | None = None  # the late unit's place among the task's units, as the plan lists them
    carried: bool = False  # re-planned from a digest that never went out (not one that went unacknowledged)
    plan_short: str = ""  # the plan as people call it (示范区, 鼓楼方案)
    task_words: str | None = None  # the task's title, else its wording: what a reminder is chasing
    # a plan numbering its items in several lists: the item's list and place in it (四、重点工作, 4)
    task_section: tuple[str, int] | None = None
    task_leader: str | None = None  # 责任领导, named to the supervising office in its escalations
    indicator_rule: str | None = None  # how often its data is asked for: the period a request names


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
    failures: int  # failed or uncertain attempts before this one
    maybe_sent: bool = False  # an earlier attempt may have reached the platform (timeout, or a sender died)


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


def admins(db: Database, role: str = "admin") -> list[Recipient]:
    """Active admins (or the members of another role: leaders) with the chat a notice reaches them in (their
    direct chat)."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(
                pk(Member.id), col(Member.display_name), col(Member.platform), col(Member.platform_user_id)
            )
            .where(col(Member.role) == role, col(Member.removed_at).is_(None))
            .order_by(col(Member.id))
        )
        return [Recipient(i, name, Target(p, u)) for i, name, p, u in rows]


def enqueue_notice(
    db: Database,
    *,
    reason: str,
    day: date,
    body: str,
    at: datetime,
    about_message_id: int | None = None,
    about: str | None = None,
    except_platform: str | None = None,
    role: str = "admin",
) -> int:
    """One notice per admin for one event (reason + about); a repeat of the same event adds nothing.
    except_platform leaves out admins who would be reached only through that platform (it is failing)."""
    about = about or (str(about_message_id) if about_message_id is not None else day.isoformat())
    rows = [
        {
            "key": f"{NOTICE}:{reason}:{about}:{admin.member_id}"[:160],
            "day": day,
            "kind": NOTICE if reason != SUMMARY else SUMMARY,
            "member_id": admin.member_id,
            "catch_up": False,
            "about_message_id": about_message_id,
            "body": body,
            "created_at": at,
        }
        for admin in admins(db, role)
        if admin.target.platform != except_platform
    ]
    with db.engine.begin() as connection:
        return _insert_ignoring(connection, ReminderMessage, rows, ["key"])


def enqueue_unit_notice(
    db: Database, *, reason: str, about: str, unit: str, fallback_member_id: int | None, day: date, body: str,
    at: datetime,
) -> int:  # fmt: skip
    """One notice to a unit about one event, in the unit's reminder chat; a unit with no chat bound hears it
    in fallback_member's direct chat instead (the member who reported). A repeat of the event adds nothing."""
    with db.engine.begin() as connection:
        unit_id = unit_id_named(connection, unit)
        has_chat = unit_id is not None and unit_targets(connection, [unit_id]).get(unit) is not None
        if not has_chat and fallback_member_id is None:
            return 0
        recipient = {"unit_id": unit_id} if has_chat else {"member_id": fallback_member_id}
        row = {
            "key": f"{NOTICE}:{reason}:{about}:unit:{unit_id}"[:160],
            "day": day,
            "kind": NOTICE,
            "catch_up": False,
            "about_message_id": None,
            "body": body,
            "created_at": at,
            **recipient,
        }
        return _insert_ignoring(connection, ReminderMessage, [row], ["key"])


def notice_queued(db: Database, reason: str, about: str) -> bool:
    """Whether a notice for the event (reason + about) is already in the outbox, for any admin."""
    with db.engine.connect() as connection:
        found = connection.execute(
            select(pk(ReminderMessage.id))
            .where(col(ReminderMessage.key).startswith(f"{NOTICE}:{reason}:{about}:", autoescape=True))
            .limit(1)
        ).first()
    return found is not None


def summary_queued(db: Database, day: date) -> bool:
    """Whether the day's overdue summary is already in the outbox."""
    with db.engine.connect() as connection:
        found = connection.execute(
            select(pk(ReminderMessage.id))
            .where(col(ReminderMessage.day) == day, col(ReminderMessage.kind) == SUMMARY)
            .limit(1)
        ).first()
    return found is not None


def claim(
    db: Database,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    since: date,
    until: date,
    limit: int,
    platforms: frozenset[str],
) -> list[MessageView]:
    """Take up to limit messages that are due to be sent: never tried, retry time come, or a claim whose
    holder died (its lease ran out). Each is won by adding the next event; a message another sender took
    first is skipped. Only messages this sender can deliver are taken: their recipient's chat is on one of
    platforms (local recipients always count), or they have none (recorded as undeliverable). A unit bound
    to a platform this process does not have waits for a process that has it."""
    with db.engine.begin() as connection:
        candidates = _claimable(connection, now, since, until, limit, platforms | LOCAL_PLATFORMS)
        won = [
            message_id
            for message_id, seq in candidates
            if append_event(connection, message_id, seq + 1, CLAIMED, now, worker, lease_until=now + lease)
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
        append_next_event(
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


def delivery_log(db: Database, *, unit: str | None = None, limit: int = 200) -> list[LogEntry]:
    """The newest messages, or a unit's digests of the outbox's last year (found by their keys)."""
    with db.engine.connect() as connection:
        statement = select(ReminderMessage).order_by(pk(ReminderMessage.id).desc()).limit(limit)
        if unit is not None:
            unit_id = unit_id_named(connection, unit)
            newest = connection.execute(select(func.max(col(ReminderMessage.day)))).scalar()
            keys = digest_keys(unit_id, newest - LOG_WITHIN, newest) if unit_id and newest else []
            statement = statement.where(col(ReminderMessage.key).in_(keys))
        messages = list(connection.execute(statement))
        units = unit_names(connection, [m.unit_id for m in messages if m.unit_id is not None])
        members = _member_names(connection, [m.member_id for m in messages if m.member_id is not None])
        entries = [_log_entry(connection, m, units, members) for m in messages]
    return entries


# --- internals -------------------------------------------------------------------------------------------


def _insert_ignoring(connection: Connection, model: Any, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; how many rows were new."""
    return insert_ignoring(connection, model.__table__, rows, keys)


def waiting_count(db: Database, *, since: date, until: date) -> int:
    """Reminder messages of these days not yet out: never tried, or to be tried again (a claim whose
    sender died included) — what the next sending window will send."""
    latest = _latest_events()
    event = DeliveryEvent.__table__.alias("event")  # type: ignore[attr-defined]
    statement = (
        select(func.count())
        .select_from(ReminderMessage)
        .outerjoin(latest, latest.c.message_id == pk(ReminderMessage.id))
        .outerjoin(event, and_(event.c.message_id == latest.c.message_id, event.c.seq == latest.c.seq))
        .where(col(ReminderMessage.day) >= since, col(ReminderMessage.day) <= until)
        .where(or_(latest.c.seq.is_(None), event.c.kind.in_([*RETRY_LATER, CLAIMED])))
    )
    with db.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def _latest_events() -> Any:
    """Each message's newest delivery event, as a subquery."""
    return (
        select(col(DeliveryEvent.message_id), func.max(col(DeliveryEvent.seq)).label("seq"))
        .group_by(col(DeliveryEvent.message_id))
        .subquery()
    )


def _claimable(
    connection: Connection, now: datetime, since: date, until: date, limit: int, platforms: frozenset[str]
) -> list[tuple[int, int]]:
    latest = _latest_events()
    event = DeliveryEvent.__table__.alias("event")  # type: ignore[attr-defined]
    chat = UnitChat.__table__.alias("chat")  # type: ignore[attr-defined]
    recipient = Member.__table__.alias("recipient")  # type: ignore[attr-defined]
    newest_chat = (
        select(func.max(col(UnitChat.id)))
        .where(col(UnitChat.unit_id) == col(ReminderMessage.unit_id))
        .correlate(ReminderMessage)
        .scalar_subquery()
    )
    platform = case(
        (col(ReminderMessage.unit_id).is_not(None), case((chat.c.action == "bound", chat.c.platform))),
        else_=case((recipient.c.removed_at.is_(None), recipient.c.platform)),
    )
    statement = (
        select(pk(ReminderMessage.id), func.coalesce(latest.c.seq, 0))
        .select_from(ReminderMessage)
        .outerjoin(latest, latest.c.message_id == pk(ReminderMessage.id))
        .outerjoin(event, and_(event.c.message_id == latest.c.message_id, event.c.seq == latest.c.seq))
        .outerjoin(chat, chat.c.id == newest_chat)
        .outerjoin(recipient, recipient.c.id == col(ReminderMessage.member_id))
        .where(col(ReminderMessage.day) >= since, col(ReminderMessage.day) <= until)
        .where(
            or_(
                latest.c.seq.is_(None),
                and_(event.c.kind.in_(RETRY_LATER), event.c.retry_at <= now),
                and_(event.c.kind == CLAIMED, event.c.lease_until <= now),
            )
        )
        .where(or_(platform.is_(None), platform.in_(sorted(platforms))))
        .order_by(pk(ReminderMessage.id))
        .limit(limit)
    )
    return [(int(i), int(seq)) for i, seq in connection.execute(statement)]


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
        self.units = unit_names(connection, unit_ids)
        plan_ids = {r.plan_id for r in rows}
        self.plans: dict[int, tuple[str, str, str]] = {}
        for chunk in chunks(sorted(plan_ids)):
            for i, code, region, shorts in connection.execute(
                select(pk(Plan.id), col(Plan.code), col(Plan.region), col(Plan.short_names)).where(
                    pk(Plan.id).in_(chunk)
                )
            ):
                self.plans[int(i)] = (code, region, _plan_short(region, shorts))
        self.tasks: dict[int, tuple[int, str | None, str, str | None]] = {}
        for chunk in chunks(sorted({r.task_id for r in rows if r.task_id})):
            for i, number, title, content, leader in connection.execute(
                select(
                    pk(Task.id), col(Task.number), col(Task.title), col(Task.content), col(Task.leader)
                ).where(pk(Task.id).in_(chunk))
            ):
                self.tasks[int(i)] = (number, title, content, leader)
        self.indicators: dict[int, tuple[str, str, str, str | None]] = {}
        for chunk in chunks(sorted({r.indicator_id for r in rows if r.indicator_id})):
            for i, code, name, region, rule in connection.execute(
                select(
                    pk(Indicator.id), col(Indicator.code), col(Indicator.name), col(Indicator.region),
                    col(Indicator.report_rule),
                ).where(pk(Indicator.id).in_(chunk))
            ):  # fmt: skip
                self.indicators[int(i)] = (code, name, region, rule)
        self.ranks = _unit_ranks(connection, {r.task_id for r in rows if r.task_id and r.about_unit_id})
        self.sections = section_places(connection, {r.plan_id for r in rows if r.task_id})

    def view(self, row: Any, *, carried: bool = False) -> ItemView:
        plan, region, short = self.plans[row.plan_id]
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
            indicator_rule=indicator[3] if indicator else None,
            deadline=row.deadline,
            workdays=row.workdays,
            about_unit=self.units.get(row.about_unit_id) if row.about_unit_id else None,
            resent=row.resent_from_id is not None,
            about_rank=self.ranks.get((row.task_id, row.about_unit_id)),
            carried=carried,
            plan_short=short,
            task_words=(task[1] or task[2]) if task else None,
            task_section=self.sections.get((row.plan_id, task[0])) if task else None,
            task_leader=task[3] if task else None,
        )


def _plan_short(region: str, short_names: str) -> str:
    try:
        names = [str(n) for n in json.loads(short_names or "[]")]
    except ValueError:
        names = []
    return plan_short_name(region, names)


def _unit_ranks(connection: Connection, task_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(task, unit) -> the unit's place among the task's units as the plan lists them (collectives expanded
    in place), for the tasks whose late units a digest names."""
    member = CollectiveMember.__table__.alias("member")  # type: ignore[attr-defined]
    links = TaskUnit.__table__  # type: ignore[attr-defined]
    unit = func.coalesce(member.c.member_id, links.c.unit_id)
    found: dict[tuple[int, int], int] = {}
    for chunk in chunks(sorted(set(task_ids))):
        for task_id, unit_id, rank in connection.execute(
            select(links.c.task_id, unit, func.min(unit_rank(links.c.position, member.c.position)))
            .outerjoin(member, member.c.collective_id == links.c.unit_id)
            .where(links.c.task_id.in_(chunk))
            .group_by(links.c.task_id, unit)
        ):
            found[(int(task_id), int(unit_id))] = int(rank)
    return found


def _member_names(connection: Connection, member_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(member_ids))):
        for i, name in connection.execute(
            select(pk(Member.id), col(Member.display_name)).where(pk(Member.id).in_(chunk))
        ):
            found[int(i)] = name
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
    carried = _carried(connection, [r.resent_from_id for r in rows if r.resent_from_id is not None])
    items: dict[int, list[ItemView]] = defaultdict(list)
    for row in rows:
        items[row.message_id].append(names.view(row, carried=row.resent_from_id in carried))
    names_of_units = unit_names(connection, [m.unit_id for m in messages if m.unit_id])
    targets = unit_targets(connection, [m.unit_id for m in messages if m.unit_id])
    members = _member_targets(connection, [m.member_id for m in messages if m.member_id])
    histories = _histories(connection, message_ids)
    return [
        MessageView(
            id=int(m.id),
            key=m.key,
            kind=m.kind,
            day=m.day,
            catch_up=m.catch_up,
            unit=names_of_units.get(m.unit_id) if m.unit_id else None,
            member=members[m.member_id][0] if m.member_id else None,
            body=m.body,
            items=tuple(items[m.id]),
            target=(
                members[m.member_id][1] if m.member_id else targets.get(names_of_units.get(m.unit_id, ""))
            ),
            failures=sum(kind in (RETRY, UNCERTAIN) for kind in histories.get(int(m.id), ())),
            maybe_sent=_maybe_sent(histories.get(int(m.id), ())),
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


def _histories(connection: Connection, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each message's delivery events' kinds, in order."""
    found: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(list(message_ids)):
        for message_id, kind in connection.execute(
            select(col(DeliveryEvent.message_id), col(DeliveryEvent.kind))
            .where(col(DeliveryEvent.message_id).in_(chunk))
            .order_by(col(DeliveryEvent.message_id), col(DeliveryEvent.seq))
        ):
            found[int(message_id)].append(kind)
    return found


def _maybe_sent(kinds: Sequence[str]) -> bool:
    """An attempt whose outcome is unknown: a timeout after the request went out, or a claim taken over
    from a sender that stopped answering (it may have sent before it died)."""
    return UNCERTAIN in kinds or any(a == b == CLAIMED for a, b in itertools.pairwise(kinds))


def _carried(connection: Connection, item_ids: Sequence[int]) -> set[int]:
    """Of these items, the ones whose digest never went out (their re-planning is a carry, not a re-send)."""
    sent = DeliveryEvent.__table__.alias("sent")  # type: ignore[attr-defined]
    found: set[int] = set()
    for chunk in chunks(sorted(set(item_ids))):
        statement = (
            select(pk(ReminderItem.id))
            .where(pk(ReminderItem.id).in_(chunk))
            .where(~select(sent.c.id).where(
                sent.c.message_id == col(ReminderItem.message_id), sent.c.kind == SENT
            ).exists())
        )  # fmt: skip
        found.update(int(i) for i in connection.execute(statement).scalars())
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
