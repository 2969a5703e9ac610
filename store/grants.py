"""PostgreSQL privileges for the bot's own role: it owns nothing, may read everything, append to the ledgers
and change only the few tables that hold current state. So the bot — or anyone who gets its credentials —
can neither delete nor truncate a ledger row, nor disable the triggers that guard them (only an owner can)."""

from __future__ import annotations

import re

from sqlalchemy import text

from store.db import Database
from store.errors import StoreError
from store.models import APPEND_ONLY_TABLES, MUTABLE_TABLES

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_bot_role(db: Database, role: str) -> list[str]:
    """Grant the bot role what it needs (run as the tables' owner, after every upgrade); the statements."""
    if db.engine.dialect.name != "postgresql":
        raise StoreError("只有 PostgreSQL 需要为机器人单独授权（SQLite 没有角色）。")
    if not _ROLE.fullmatch(role):
        raise StoreError(f"角色名不合规：{role}（小写字母、数字、下划线）")
    with db.engine.begin() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if exists is None:
            raise StoreError(
                f"PostgreSQL 中没有角色 {role}，请先由管理员创建：CREATE ROLE {role} LOGIN PASSWORD '…'"
            )
        database, schema = connection.execute(text("SELECT current_database(), current_schema()")).one()
        tables = set(connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars())  # fmt: skip
        statements = _statements(str(database), str(schema), role, tables)
        for statement in statements:
            connection.execute(text(statement))
    return statements


def _statements(database: str, schema: str, role: str, tables: set[str]) -> list[str]:
    # The sweep plans in temporary tables; everything else is in the schema the tables live in.
    found = [
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {role}',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
    ]
    found += [f'GRANT INSERT ON "{schema}".{t} TO {role}' for t in APPEND_ONLY_TABLES if t in tables]
    found += [f'GRANT INSERT, UPDATE ON "{schema}".{t} TO {role}' for t in MUTABLE_TABLES if t in tables]
    return found
