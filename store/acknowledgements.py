"""Whether units acknowledged (收到) the reminders that told them a task is due soon: a due-soon reminder left
unacknowledged marks the task 黄 (behind) in answers and overviews (`schedules.colours`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from store.db import Database
from store.delivery_events import ACKED, SENT
from store.models import DeliveryEvent, ReminderItem
from store.querying import chunks, pk

DUE_SOON_KINDS = ("before_deadline", "due_today")
LOOK_BACK = timedelta(days=14)  # a due-soon reminder older than this is about a deadline long past


def unacknowledged_due_soon(
    db: Database, keys: Iterable[tuple[str, int]], today: date
) -> set[tuple[str, int]]:
    """Of these tasks (plan, number), those whose newest due-soon reminder before today went out and was not
    acknowledged. Read by day first, so the unique (day, unit, item, kind) index bounds the search."""
    wanted = {f"{plan}:task:{number}": (plan, number) for plan, number in keys}
    if not wanted:
        return set()
    newest: dict[str, tuple[int, int]] = {}  # item -> (reminder id, message id)
    with db.engine.connect() as connection:
        for chunk in chunks(sorted(wanted)):
            rows = connection.execute(
                select(pk(ReminderItem.id), col(ReminderItem.item), col(ReminderItem.message_id)).where(
                    col(ReminderItem.day) >= today - LOOK_BACK,
                    col(ReminderItem.day) < today,
                    col(ReminderItem.kind).in_(DUE_SOON_KINDS),
                    col(ReminderItem.item).in_(chunk),
                )
            )
            for reminder_id, item, message_id in rows:
                if item not in newest or reminder_id > newest[item][0]:
                    newest[item] = (int(reminder_id), int(message_id))
        kinds: dict[int, set[str]] = {}
        for chunk in chunks(sorted({m for _, m in newest.values()})):
            for message_id, kind in connection.execute(
                select(col(DeliveryEvent.message_id), col(DeliveryEvent.kind)).where(
                    col(DeliveryEvent.message_id).in_(chunk), col(DeliveryEvent.kind).in_((SENT, ACKED))
                )
            ):
                kinds.setdefault(int(message_id), set()).add(kind)
    return {
        wanted[item]
        for item, (_, message_id) in newest.items()
        if SENT in kinds.get(message_id, set()) and ACKED not in kinds.get(message_id, set())
    }
