"""Invite codes under attack: two processes racing on one code, and guessing (a lockout per sender and a cap
on failed attempts across senders). Every test runs on SQLite and on PostgreSQL; the clock is Inbound.at."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import text

from store.db import Database
from store.members import InviteError, create_invite, redeem_invite

NOW = datetime(2025, 8, 10, 10, 0).astimezone()
RACES = 30


def _race(url: str, code: str, users: tuple[str, str], engines: tuple[Database, Database]) -> list[str]:
    """Two threads, each on its own engine (its own connection), redeem the same code at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def bind(database: Database, user: str) -> None:
        barrier.wait()
        try:
            redeem_invite(
                database, code=code, platform="telegram", user_id=user, display_name=user, at=NOW,
                message_id=f"{user}:1",
            )  # fmt: skip
            outcomes.append("bound")
        except InviteError as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=bind, args=pair) for pair in zip(engines, users, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_code_redeemed_by_two_at_once_binds_exactly_one(db: Database) -> None:
    engines = (Database(db.url), Database(db.url))
    try:
        codes = [
            create_invite(
                db, unit="中院", role="staff", expires_at=NOW + timedelta(days=1), at=NOW, actor="test"
            ).code
            for _ in range(RACES)
        ]
        doubles = 0
        for number, code in enumerate(codes):
            outcomes = _race(db.url, code, (f"a{number}", f"b{number}"), engines)
            assert sorted(outcomes) in (["bound", "used"], ["bound", "bound"]), outcomes
            doubles += outcomes.count("bound") - 1
        with db.engine.connect() as connection:
            bound = connection.execute(
                text("SELECT count(*) FROM member_event WHERE kind = 'bound'")
            ).scalar()
            members = connection.execute(text("SELECT count(*) FROM member")).scalar()
        assert doubles == 0
        assert (bound, members) == (RACES, RACES)  # one member per code, one log row each
    finally:
        for engine in engines:
            engine.dispose()
