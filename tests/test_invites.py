"""Invite codes under attack: two processes racing on one code, and guessing (a lockout per sender and a cap
on failed attempts across senders). Every test runs on SQLite and on PostgreSQL; the clock is Inbound.at."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import Inbound
from store.db import Database
from store.members import InviteError, create_invite, find_member, redeem_invite

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


# ---- guessing: a lockout per sender, a cap across senders --------------------------------------------------


class Binder:
    """People sending invite codes to one core; each message has its own id and the time the test gives."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.core = Core(Knowledge(db))
        self.count = 0

    def send(self, user: str, code: str, at: datetime, core: Core | None = None) -> str:
        self.count += 1
        inbound = Inbound(
            "telegram", user, user, f"绑定 {code}", at, f"{user}:{self.count}", display_name=user
        )
        [reply] = (core or self.core).handle(inbound)
        return reply.text

    def invite(self) -> str:
        return create_invite(
            self.db, unit="中院", role="staff", expires_at=NOW + timedelta(days=7), at=NOW, actor="test"
        ).code


WRONG = texts.INVITE_PROBLEMS["unknown"]


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_five_wrong_codes_lock_the_sender_out_even_with_the_right_code(db: Database) -> None:
    binder = Binder(db)
    code = binder.invite()
    for n in range(4):  # typos happen: four wrong codes are only answered as wrong
        assert binder.send("guesser", f"WRONG{n}AAAA", NOW + _minutes(n)) == WRONG
    fifth = binder.send("guesser", "WRONG4AAAA", NOW + _minutes(4))
    assert fifth == f"{WRONG}\n{texts.bind_locked(15)}"
    # During the lockout the right code is refused too, and the sender is told how long is left.
    assert binder.send("guesser", code, NOW + _minutes(5)) == texts.bind_locked(14)
    assert binder.send("guesser", code, NOW + _minutes(18) + timedelta(seconds=30)) == texts.bind_locked(1)
    assert find_member(db, platform="telegram", user_id="guesser") is None
    # Someone else is not locked out by it.
    other = binder.invite()
    assert binder.send("bystander", other, NOW + _minutes(6)).startswith("绑定成功")
    # Fifteen minutes after the fifth wrong code the right one binds.
    assert binder.send("guesser", code, NOW + _minutes(19)).startswith("绑定成功")


def test_the_lockout_holds_in_another_process(db: Database) -> None:
    binder = Binder(db)
    code = binder.invite()
    for n in range(5):
        binder.send("guesser", f"WRONG{n}AAAA", NOW + _minutes(n))
    elsewhere = Database(db.url)  # another process: its own engine, its own core, nothing shared in memory
    try:
        refused = binder.send("guesser", code, NOW + _minutes(10), core=Core(Knowledge(elsewhere)))
    finally:
        elsewhere.dispose()
    assert refused == texts.bind_locked(9)  # the fifth wrong code came at minute 4: locked until 19
    assert find_member(db, platform="telegram", user_id="guesser") is None


def test_wrong_codes_spread_out_or_before_a_success_do_not_lock(db: Database) -> None:
    binder = Binder(db)
    for n in range(4):
        assert binder.send("slow", f"WRONG{n}AAAA", NOW + _minutes(n)) == WRONG
    # The fifth comes more than 15 minutes after the first: only four fall within any 15 minutes.
    assert binder.send("slow", "WRONG4AAAA", NOW + _minutes(15) + timedelta(seconds=1)) == WRONG
    # A success starts the count again: four more wrong codes right after it lock nothing.
    assert binder.send("slow", binder.invite(), NOW + _minutes(16)).startswith("绑定成功")
    for n in range(4):
        assert binder.send("slow", f"AGAIN{n}AAAA", NOW + _minutes(17 + n)) == WRONG
    assert binder.send("slow", binder.invite(), NOW + _minutes(22)).startswith("绑定成功")


def test_many_wrong_codes_from_many_senders_pause_binding_for_a_minute(db: Database) -> None:
    binder = Binder(db)
    code = binder.invite()
    for n in range(29):  # 30 senders, one wrong code each, within one minute: a scripted attack
        assert binder.send(f"bot{n}", f"WRONG{n:02d}AAA", NOW + timedelta(seconds=n)) == WRONG
    thirtieth = binder.send("bot29", "WRONG29AAA", NOW + timedelta(seconds=29))
    assert thirtieth == f"{WRONG}\n{texts.bind_paused(1)}"
    at = NOW + timedelta(seconds=40)
    assert binder.send("honest", code, at) == texts.bind_paused(1)
    assert binder.send("bot99", "WRONG99AAA", at) == texts.bind_paused(1)  # and not counted as a guess
    assert find_member(db, platform="telegram", user_id="honest") is None
    # A minute after the first of those 30 wrong codes the window has room again.
    assert binder.send("honest", code, NOW + timedelta(seconds=60)).startswith("绑定成功")


def test_a_bare_bind_command_is_not_a_wrong_code(db: Database) -> None:
    binder = Binder(db)
    for n in range(6):
        binder.count += 1
        inbound = Inbound("telegram", "u", "u", "绑定", NOW + _minutes(n), f"u:{binder.count}")
        assert binder.core.handle(inbound)[0].text == texts.BIND_USAGE
    assert binder.send("u", binder.invite(), NOW + _minutes(7)).startswith("绑定成功")


def test_bind_attempts_are_append_only_and_the_migration_goes_both_ways(db: Database) -> None:
    binder = Binder(db)
    binder.send("u", "WRONG0AAAA", NOW)
    for statement in ("UPDATE bind_attempt SET outcome = 'bound'", "DELETE FROM bind_attempt"):
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text(statement))
    db.downgrade("0008")
    db.upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM bind_attempt")).scalar() == 0
