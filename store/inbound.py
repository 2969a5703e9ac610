"""Which platform deliveries have been seen: the guard that makes a redelivered update a no-op."""

from __future__ import annotations

from datetime import datetime

from store.bulk import insert_ignoring
from store.db import Database
from store.models import InboundEvent


def first_sight(db: Database, *, platform: str, event_id: str, at: datetime) -> bool:
    """Record the event; True only for the first delivery (a concurrent second one loses the unique key)."""
    table = InboundEvent.__table__  # type: ignore[attr-defined]
    row = {"platform": platform, "event_id": event_id[:200], "received_at": at}
    with db.engine.begin() as connection:
        return insert_ignoring(connection, table, [row], ["platform", "event_id"]) == 1
