"""Rows into a table unless their unique key is already there: the outbox's claims, notices and the inbound
ledger all rely on it to let exactly one of two writers win."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_ignoring(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> int:
    """INSERT … ON CONFLICT (keys) DO NOTHING, row by row (a handful at most); how many rows were new."""
    # The dialect module is the connection's own, already loaded by the engine; importing both would load
    # PostgreSQL's for every SQLite user.
    dialect = importlib.import_module(f"sqlalchemy.dialects.{connection.dialect.name}")
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    statement = statement.execution_options(preserve_rowcount=True)  # else rowcount may read -1
    return sum(int(connection.execute(statement.values(dict(row))).rowcount) for row in rows)
