"""One sender per chat platform across processes: a lease row per platform, taken or renewed by one
conditional statement, so of two `duban run` instances exactly one sends on a platform at a time and the
platform's rate limits hold for the bot as a whole. A holder that dies loses its lease when it expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import col

from store.bulk import insert_ignoring
from store.db import Database
from store.models import SenderLease

_TABLE = SenderLease.__table__  # type: ignore[attr-defined]


def hold(db: Database, *, platform: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the platform's lease, or renew it if this holder has it; False while another holder's is valid."""
    with db.engine.begin() as connection:
        row = {"platform": platform, "holder": holder, "acquired_at": now, "expires_at": now + ttl}
        if insert_ignoring(connection, _TABLE, [row], ["platform"]) == 1:
            return True
        taken = connection.execute(
            update(_TABLE)
            .where(
                col(SenderLease.platform) == platform,
                or_(col(SenderLease.holder) == holder, col(SenderLease.expires_at) <= now),
            )
            .values(holder=holder, expires_at=now + ttl)
            .execution_options(preserve_rowcount=True)
        )
        return int(taken.rowcount) == 1


def release(db: Database, *, platform: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean stop), so another instance need not wait for it to expire."""
    with db.engine.begin() as connection:
        connection.execute(
            update(_TABLE)
            .where(and_(col(SenderLease.platform) == platform, col(SenderLease.holder) == holder))
            .values(expires_at=now)
        )
