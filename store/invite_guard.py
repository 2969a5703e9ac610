"""Guessing invite codes: each code sent in chat is recorded with its outcome, and wrong ones lock out.

The numbers, and why:
- 5 wrong codes within 15 minutes lock the sender out of binding for 15 minutes from the fifth. A person
  copying a code makes a typo or two; five in a quarter of an hour is a script. A code is 10 characters of
  32 (about 10^15 codes), so 5 guesses per 15 minutes (480 a day) never finds one, and an honest typist waits
  a quarter of an hour at worst.
- 30 wrong codes from all senders together within a minute pause binding for everyone until that minute has
  passed. A script can switch sender ids (new accounts) to dodge the first limit; an office binds a handful
  of people a day, so 30 wrong codes a minute is only ever an attack. It costs the honest at most a minute
  (and an admin can still add people with `duban users add`).

A refused attempt (during a lock) is recorded as "locked" and is not itself a wrong code, so a lock ends when
it said it would however often the sender tries meanwhile. A success starts the sender's count again.

Every binding takes one lock for its whole transaction (PostgreSQL: an advisory lock; SQLite: BEGIN
IMMEDIATE), so two processes cannot both read "4 wrong codes" and both let a fifth guess through: the count,
the check and the record are one step. Bindings are rare, so waiting in turn costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select
from sqlmodel import col

from store.db import SQLITE_BUSY_TIMEOUT_MS
from store.errors import StoreError
from store.locks import take_write_lock
from store.models import BindAttempt

SENDER_FAILURES = 5
SENDER_WINDOW = timedelta(minutes=15)
SENDER_LOCKOUT = timedelta(minutes=15)
GLOBAL_FAILURES = 30
GLOBAL_WINDOW = timedelta(minutes=1)
BOUND, LOCKED = "bound", "locked"
FAILED = ("unknown", "used", "expired")  # a code that did not bind: each counts as a wrong guess
BIND_LOCK = 0x62696E64  # "bind": the advisory lock key PostgreSQL bindings take in turn


class BindingLocked(StoreError):
    """Binding is refused until `until`: this sender's wrong codes (everyone=False), or everyone's."""

    def __init__(self, until: datetime, *, everyone: bool) -> None:
        self.until = until
        self.everyone = everyone
        super().__init__(f"binding locked until {until.isoformat()}")


@dataclass(frozen=True)
class Sender:
    platform: str
    user_id: str
    at: datetime
    message_id: str | None


def take_binding_lock(connection: Connection) -> None:
    """Begin the binding's transaction holding the lock every binding takes in turn."""
    take_write_lock(connection, BIND_LOCK, wait_ms=SQLITE_BUSY_TIMEOUT_MS)


def lockout(connection: Connection, sender: Sender) -> BindingLocked | None:
    """Why this sender may not bind now, or None."""
    until = _sender_locked_until(connection, sender)
    if until is not None:
        return BindingLocked(until, everyone=False)
    until = _everyone_paused_until(connection, sender.at)
    return BindingLocked(until, everyone=True) if until is not None else None


def record_attempt(connection: Connection, sender: Sender, outcome: str) -> None:
    connection.execute(
        insert(BindAttempt).values(
            platform=sender.platform,
            platform_user_id=sender.user_id[:100],
            outcome=outcome,
            at=sender.at,
            message_id=sender.message_id[:100] if sender.message_id else None,
        )
    )


def _sender_locked_until(connection: Connection, sender: Sender) -> datetime | None:
    """The end of the lock set off by 5 wrong codes within 15 minutes since the sender's last success."""
    rows = connection.execute(
        select(col(BindAttempt.at), col(BindAttempt.outcome))
        .where(
            col(BindAttempt.platform) == sender.platform,
            col(BindAttempt.platform_user_id) == sender.user_id[:100],
            col(BindAttempt.at) > sender.at - SENDER_WINDOW - SENDER_LOCKOUT,
        )
        .order_by(col(BindAttempt.at), col(BindAttempt.id))
    ).all()
    failures: list[datetime] = []
    for at, outcome in rows:
        if outcome == BOUND:
            failures = []
        elif outcome in FAILED:
            failures.append(at)
    ends = [
        failures[i] + SENDER_LOCKOUT
        for i in range(SENDER_FAILURES - 1, len(failures))
        if failures[i] - failures[i - SENDER_FAILURES + 1] <= SENDER_WINDOW
    ]
    return max(ends) if ends and max(ends) > sender.at else None


def _everyone_paused_until(connection: Connection, at: datetime) -> datetime | None:
    """A minute after the oldest of the last 30 wrong codes, when all 30 fell within the last minute."""
    recent = (
        connection.execute(
            select(col(BindAttempt.at))
            .where(col(BindAttempt.at) > at - GLOBAL_WINDOW, col(BindAttempt.outcome).in_(FAILED))
            .order_by(col(BindAttempt.at).desc())
            .limit(GLOBAL_FAILURES)
        )
        .scalars()
        .all()
    )
    return min(recent) + GLOBAL_WINDOW if len(recent) >= GLOBAL_FAILURES else None
