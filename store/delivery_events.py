"""A reminder message's delivery: a numbered series of append-only events (claimed, sent, retry, …, acked).

Adding the next event is how a sender claims a message and how a unit acknowledges it: the unique
(message_id, seq) lets exactly one of two writers win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import col

from store.bulk import insert_ignoring
from store.models import DeliveryEvent, Unit
from store.querying import chunks, pk

DIGEST, NOTICE, SUMMARY = "digest", "notice", "summary"
CLAIMED, SENT, THROTTLED, RETRY = "claimed", "sent", "throttled", "retry"
FAILED, UNBOUND, ACKED = "failed", "unbound", "acked"
# The platform may have delivered it though its answer never came (a timeout after the request went out):
# tried again later, and where the platform lets us look, looked for first.
UNCERTAIN = "uncertain"
# A digest that could not go out before the next working day's: its reminders went into that day's digest.
CARRIED = "carried"
FINISHED = (SENT, FAILED, UNBOUND, ACKED, CARRIED)
RETRY_LATER = (RETRY, THROTTLED, UNCERTAIN)  # claimable again once their retry_at has come


def digest_key_prefix(day: date) -> str:
    """A digest's unique key is this and its unit's id: it leads with the day, so that a sweep's 30,000
    digests go side by side at the end of the key's index."""
    return f"{DIGEST}:{day.isoformat()}:unit:"


def digest_keys(unit_id: int, first: date, last: date) -> list[str]:
    """The keys a unit's digests of these days can have, including the form written before migration
    0008, "digest:unit:<id>:<day>"."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    current = [f"{digest_key_prefix(day)}{unit_id}" for day in days]
    return current + [f"{DIGEST}:unit:{unit_id}:{day.isoformat()}" for day in days]


def append_event(
    connection: Connection, message_id: int, seq: int, kind: str, at: datetime, worker: str, **fields: Any
) -> bool:
    """Add event number seq; False when another sender added it first."""
    row = {"message_id": message_id, "seq": seq, "kind": kind, "at": at, "worker": worker, **fields}
    return insert_ignoring(connection, DeliveryEvent.__table__, [row], ["message_id", "seq"]) == 1  # type: ignore[attr-defined]


def append_next_event(
    connection: Connection, message_id: int, kind: str, at: datetime, worker: str, **fields: Any
) -> None:
    for _ in range(5):
        seq = connection.execute(
            select(func.coalesce(func.max(col(DeliveryEvent.seq)), 0)).where(
                col(DeliveryEvent.message_id) == message_id
            )
        ).scalar_one()
        if append_event(connection, message_id, int(seq) + 1, kind, at, worker, **fields):
            return
    raise RuntimeError(f"could not append a delivery event to message {message_id}")


def event_kinds(connection: Connection, message_id: int) -> list[str]:
    return list(
        connection.execute(
            select(col(DeliveryEvent.kind))
            .where(col(DeliveryEvent.message_id) == message_id)
            .order_by(col(DeliveryEvent.seq))
        ).scalars()
    )


def unit_id_named(connection: Connection, unit: str) -> int | None:
    found = connection.execute(select(pk(Unit.id)).where(col(Unit.name) == unit)).scalar()
    return int(found) if found is not None else None


def unit_names(connection: Connection, unit_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(unit_ids))):
        for i, name in connection.execute(select(pk(Unit.id), col(Unit.name)).where(pk(Unit.id).in_(chunk))):
            found[int(i)] = name
    return found
