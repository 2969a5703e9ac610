"""One writer at a time, across processes, for writes that read before they write.

A catalog sync reads an item's terms, then upserts it and records what changed; a name-index build deletes
the whole index and writes it again. Two processes doing either at once (two 确认 pressed together, two
`duban plans apply`) would both read the same "before" and both write: a unit inserted twice, a change
recorded twice, the index's keys colliding. Each takes its lock at the start of its transaction instead:
- PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback;
- SQLite: BEGIN IMMEDIATE, the database's write lock taken before the first read (pysqlite would otherwise
  begin only at the first INSERT, after the reads). The wait is longer than the usual busy timeout: a sync of
  a large plan holds the lock for seconds, and the second caller should wait for it, not fail.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from store.db import SQLITE_BUSY_TIMEOUT_MS

CATALOG_LOCK = 0x6475_6261_6E01  # "duban" + 1: catalog syncs
NAME_INDEX_LOCK = 0x6475_6261_6E02  # "duban" + 2: name-index builds
SQLITE_WRITER_WAIT_MS = 120_000  # how long a second writer waits for the first to commit


def take_write_lock(connection: Connection, key: int, *, wait_ms: int = SQLITE_WRITER_WAIT_MS) -> None:
    """Begin the connection's transaction holding the lock `key` (PostgreSQL) or the write lock (SQLite).
    Call before anything else is read in the transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(key)))
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
