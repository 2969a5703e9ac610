"""The sweep's scratch tables: temporary tables its statements fill step by step, one transaction long.

PostgreSQL drops them at commit (or rollback); SQLite keeps temporary tables with the connection, so they are
dropped when the work is done. Each process's connections have their own, so two sweeps never share them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Integer, MetaData, String, Table

SCRATCH_METADATA = MetaData()


@contextmanager
def scratch(connection: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """The tables created empty for the work inside; gone afterwards."""
    postgres = connection.dialect.name == "postgresql"
    for table in tables:
        table.create(connection, checkfirst=not postgres)  # a SQLite connection may hold a failed run's
    try:
        yield
    finally:
        if not postgres:
            for table in reversed(tables):
                table.drop(connection)


def _scratch_table(name: str, *columns: Column[Any]) -> Table:
    """A temporary table: PostgreSQL drops it at commit, SQLite when the sweep drops it."""
    return Table(name, SCRATCH_METADATA, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


def _planned_columns() -> list[Column[Any]]:
    return [
        Column("unit_id", Integer),
        Column("item", String(160)),
        Column("kind", String(20)),
        Column("day", Date),
        Column("plan_id", Integer),
        Column("task_id", Integer, nullable=True),
        Column("indicator_id", Integer, nullable=True),
        Column("deadline", Date, nullable=True),
        Column("workdays", Integer, nullable=True),
        Column("about_unit_id", Integer, nullable=True),
        Column("resent_from_id", Integer, nullable=True),
        Column("escalate", Boolean),
    ]


RULES = _scratch_table(
    "sweep_due_rule",
    Column("plan_code", String(60), nullable=True),
    Column("kind", String(20)),
    Column("day", Date),
    Column("deadline", Date, nullable=True),
    Column("workdays", Integer, nullable=True),
    Column("escalate", Boolean),
)
DELAYS = _scratch_table("sweep_delay", Column("task_id", Integer, primary_key=True), Column("deadline", Date))
TASKS = _scratch_table(  # each task a rule reaches today, with that rule
    "sweep_task",
    Column("task_id", Integer, primary_key=True),
    Column("plan_id", Integer),
    Column("item", String(160)),
    Column("deadline", Date, nullable=True),
    Column("kind", String(20)),
    Column("day", Date),
    Column("workdays", Integer, nullable=True),
    Column("escalate", Boolean),
)
RECIPIENTS = _scratch_table(  # the units still to report on those tasks
    "sweep_recipient",
    Column("task_id", Integer, primary_key=True),
    Column("unit_id", Integer, primary_key=True),
    Column("rank", Integer),  # its place as the plan lists the task's units (collectives expanded in place)
)
PLANNED = _scratch_table("sweep_planned", *_planned_columns())
RESENDS = _scratch_table("sweep_resend", *_planned_columns())
PLANNED_COLUMNS = [c.name for c in PLANNED.columns]

DIGESTS = _scratch_table(  # the day's digest of each unit with something today, and whether delivery began
    "sweep_digest",
    Column("unit_id", Integer, primary_key=True),
    Column("message_id", Integer),
    Column("started", Boolean),  # then its content is fixed
)
