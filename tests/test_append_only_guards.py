"""The ledgers cannot be rewritten by SQL: not by INSERT OR REPLACE on SQLite (through any connection for the
audit ledgers, through duban's own for every ledger), not by TRUNCATE on PostgreSQL, and the bot's own
PostgreSQL role can neither delete, truncate nor disable the guarding triggers, yet does its work."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from store.db import Database
from store.grants import grant_bot_role
from store.ledger import record_indicator_report
from store.members import add_member

AT = datetime(2025, 9, 1, 2, tzinfo=UTC)
AUDIT_LEDGERS = ("indicator_report", "task_event", "member_event", "pending_write", "unit_chat")


def _report(db: Database, value: str, message_id: str) -> None:
    member = add_member(
        db, platform="local", user_id=f"u-{message_id}", display_name="张三",
        unit="鼓楼区市场监督管理局（知识产权局）", role="staff", at=AT,
    )  # fmt: skip
    record_indicator_report(
        db, plan="gulou-strong-county", code="2", value=Decimal(value), as_of=AT.date(), recorded_at=AT,
        platform="local", message_id=message_id, member_id=member.id,
    )  # fmt: skip


def _sqlite_path(db: Database) -> str:
    database = make_url(db.url).database
    assert database is not None
    return database


def test_insert_or_replace_cannot_forge_a_report_through_a_raw_sqlite_connection(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    _report(db, "3120", "m1")
    raw = sqlite3.connect(_sqlite_path(db))  # no pragmas: what a person with the sqlite3 shell would use
    try:
        row = raw.execute("SELECT * FROM indicator_report").fetchone()
        columns = [d[0] for d in raw.execute("SELECT * FROM indicator_report").description]
        forged = dict(zip(columns, row, strict=True)) | {"value": "9999"}
        names, marks = ", ".join(forged), ", ".join("?" for _ in forged)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(
                f"INSERT OR REPLACE INTO indicator_report ({names}) VALUES ({marks})", list(forged.values())
            )
        forged_key = forged | {
            "id": row[0] + 100
        }  # a new id, the same (platform, message_id): REPLACE's other way in
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(
                f"INSERT OR REPLACE INTO indicator_report ({names}) VALUES ({marks})",
                list(forged_key.values()),
            )
        raw.commit()
        assert [r[0] for r in raw.execute("SELECT value FROM indicator_report")] == ["3120"]
    finally:
        raw.close()


def test_replace_through_duban_connections_is_refused_on_every_ledger(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    _report(db, "3120", "m1")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inbound_event (id, platform, event_id, received_at) VALUES (1, 'slack', 'E1', '2025-09-01')"
        ))  # fmt: skip
    for statement in (
        "INSERT OR REPLACE INTO inbound_event (id, platform, event_id, received_at) VALUES (1, 'slack', 'E2', 'x')",
        "REPLACE INTO indicator_report SELECT * FROM indicator_report",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT event_id FROM inbound_event")).scalars().all() == ["E1"]


def test_truncate_is_refused_on_every_ledger(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _report(db, "3120", "m1")
    from store.models import APPEND_ONLY_TABLES

    for table in APPEND_ONLY_TABLES:
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM indicator_report")).scalar_one() == 1


@pytest.fixture
def bot_role(db: Database) -> Iterator[str]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"duban_bot_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    try:
        yield role
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))


def _as_role(db: Database, role: str) -> Database:
    return Database(make_url(db.url).set(username=role, password=None).render_as_string(hide_password=False))


def test_the_bots_role_cannot_delete_truncate_or_disable_the_guards(db: Database, bot_role: str) -> None:
    _report(db, "3120", "m1")
    grant_bot_role(db, bot_role)
    bot = _as_role(db, bot_role)
    try:
        forbidden = [
            "DELETE FROM indicator_report",
            "UPDATE indicator_report SET value = 9999",
            "TRUNCATE indicator_report",
            "ALTER TABLE indicator_report DISABLE TRIGGER ALL",
            "DROP TRIGGER indicator_report_append_only ON indicator_report",
            "SET session_replication_role = replica",  # would skip triggers; superusers only
            "DELETE FROM plan",
            "UPDATE task SET content = 'x'",
            "CREATE TABLE sneaky (id int)",
        ]
        for statement in forbidden:
            with pytest.raises(DBAPIError), bot.engine.begin() as connection:
                connection.execute(text(statement))
        _report(bot, "3200", "m2")  # what the bot is for still works: a report, a member
        with bot.engine.connect() as connection:
            values = (
                connection.execute(text("SELECT value FROM indicator_report ORDER BY id")).scalars().all()
            )
        assert [Decimal(str(v)) for v in values] == [Decimal("3120"), Decimal("3200")]
    finally:
        bot.dispose()


def test_the_bots_role_runs_the_bot(db: Database, bot_role: str, tmp_path: object) -> None:
    """`duban init --bot-role` as the owner, then `duban ask` and a reminder sweep as the bot's role."""
    owner = db.url
    init = subprocess.run(
        [sys.executable, "-m", "bot", "init", "--db", owner, "--bot-role", bot_role],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    assert bot_role in init.stdout
    as_bot = make_url(owner).set(username=bot_role).render_as_string(hide_password=False)
    for command in (
        ["ask", "--today", "2025-08-10", "鼓楼专利授权量进度"],
        ["reminders", "sweep", "--today", "2025-09-01"],
        ["users", "add", "小王", "--name", "小王", "--unit", "鼓楼", "--role", "staff"],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "bot", *command, "--db", as_bot],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, (command, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr


def test_granting_needs_an_existing_role_and_postgresql(db: Database) -> None:
    from store.errors import StoreError

    with pytest.raises(StoreError):
        grant_bot_role(db, "no_such_role_here" if db.engine.dialect.name == "postgresql" else "x")


def test_a_fresh_role_without_grants_cannot_read(db: Database, bot_role: str) -> None:
    bot = _as_role(db, bot_role)
    try:
        with pytest.raises(DBAPIError), bot.engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM indicator_report"))
    finally:
        bot.dispose()
