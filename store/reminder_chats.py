"""Where each unit's reminders go (the chat it bound) and a unit's 收到 for a digest it was sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, select
from sqlmodel import col

from store.db import Database
from store.delivery_events import (
    ACKED,
    CLAIMED,
    SENT,
    append_next_event,
    digest_keys,
    event_kinds,
    unit_id_named,
    unit_names,
)
from store.models import ReminderMessage, Unit, UnitChat
from store.querying import chunks, is_row_id, pk

BLOCKED = "blocked"  # unit_chat action: the platform refused the chat; reminders need a new binding
WHOLE_TABLE_ABOVE = 2000  # names to look up: above this, read the unit table whole
ACK_WITHIN = timedelta(days=31)  # 收到 acknowledges the newest unread digest of the last month
AckResult = Literal["acked", "already", "unknown", "not_yours", "admins_only", "not_sent"]


@dataclass(frozen=True)
class Target:
    platform: str
    chat_id: str
    is_group: bool = False

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


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
                unit_id=unit_id_named(connection, unit),
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
        current = unit_targets(connection, None)
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
        return {name: target for name, target in unit_targets(connection, None).items() if target is not None}


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
    """收到: the member's unit confirms it read the digest; only that unit's members (or admins) may.

    `unit` is None for an admin, who may acknowledge anything; anyone else only a digest to their own unit.
    """
    if not is_row_id(message_id):
        return "unknown"
    with db.engine.begin() as connection:
        row = connection.execute(
            select(col(ReminderMessage.unit_id), col(ReminderMessage.member_id)).where(
                pk(ReminderMessage.id) == message_id
            )
        ).first()
        if row is None:
            return "unknown"
        kinds = event_kinds(connection, message_id)
        if ACKED in kinds:
            return "already"
        # A claimed message is on its way or there: its 收到 button can be pressed before the sender has
        # recorded the platform's answer (a press proves the message arrived).
        if SENT not in kinds and CLAIMED not in kinds:
            return "not_sent"
        if unit is not None and row.unit_id is None:
            return "admins_only"  # a notice or summary to the admins names no unit: no staff may ack it
        if unit is not None and unit_id_named(connection, unit) != row.unit_id:
            return "not_yours"
        worker = f"{platform}:{member_id}"
        append_next_event(
            connection,
            message_id,
            ACKED,
            at,
            worker,
            member_id=member_id,
            inbound_message_id=inbound_message_id,
        )
    return "acked"


def latest_unacknowledged(db: Database, unit: str, *, today: date) -> int | None:
    """The unit's newest digest of the last few weeks that was sent and not yet acknowledged."""
    with db.engine.connect() as connection:
        unit_id = unit_id_named(connection, unit)
        if unit_id is None:
            return None
        keys = digest_keys(unit_id, today - ACK_WITHIN, today)
        ids = connection.execute(
            select(pk(ReminderMessage.id))
            .where(col(ReminderMessage.key).in_(keys))
            .order_by(pk(ReminderMessage.id).desc())
            .limit(20)
        ).scalars()
        for message_id in ids:
            kinds = event_kinds(connection, message_id)
            if SENT in kinds and ACKED not in kinds:
                return int(message_id)
    return None


def unit_targets(connection: Connection, unit_ids: Sequence[int] | None) -> dict[str, Target | None]:
    """Unit name -> its chat in force (None after an unbinding)."""
    statement = select(UnitChat).order_by(pk(UnitChat.id))
    if unit_ids is not None:
        statement = statement.where(col(UnitChat.unit_id).in_(unit_ids))
    rows = list(connection.execute(statement))
    names = unit_names(connection, [r.unit_id for r in rows])
    found: dict[str, Target | None] = {}
    for row in rows:
        found[names[row.unit_id]] = (
            Target(row.platform, row.chat_id, row.is_group) if row.action == "bound" else None
        )
    return found


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


def waiting_by_platform(db: Database, *, available: frozenset[str]) -> dict[str, list[str]]:
    """Units whose reminder chat is on a chat platform not in available (their reminders wait for a process
    that has it), by platform. Console and local chats are not chat platforms."""
    waiting: dict[str, list[str]] = {}
    for unit, target in sorted(unit_chats(db).items()):
        if target.platform not in available and target.platform not in ("console", "local"):
            waiting.setdefault(target.platform, []).append(unit)
    return waiting
