"""Which platform deliveries have been seen: the guard that makes a redelivered update a no-op."""

from __future__ import annotations

from datetime import datetime

from store.bulk import insert_ignoring
from store.db import Database
from store.models import InboundEvent


def first_sight(db: Database, *, platform: str, event_id: str, at: datetime) -> bool:
    """Record the event; True only for the first delivery (a concurrent second one loses the unique key).

    event_id must be unique on the platform, not merely within a chat: Slack's event_id, Telegram's
    update_id (one sequence per bot) or callback query id, or a key the transport qualified with the channel
    (a slash command's trigger, a button's action_ts). Otherwise one chat's delivery hides another's.
    """
    table = InboundEvent.__table__  # type: ignore[attr-defined]
    row = {"platform": platform, "event_id": event_id[:200], "received_at": at}
    with db.engine.begin() as connection:
        return insert_ignoring(connection, table, [row], ["platform", "event_id"]) == 1
