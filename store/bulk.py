"""Many rows into a table in few statements, ignoring rows whose unique key is already there.

The reminder sweep writes tens of thousands of outbox rows on a national-scale day. Row-by-row statements
(or SQLAlchemy's batched INSERT … RETURNING) spend most of that time on round trips and per-row parameter
handling, so the writes here are set-based: SQLite takes one `executemany`, whose rowcount sums the rows
written; PostgreSQL takes one `INSERT … SELECT FROM unnest(arrays)` per slice — a single statement, so its
rowcount is exact (psycopg reports none for an executemany) and a slice costs one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Column, Connection, Table, bindparam, text

PG_SLICE = 20_000  # rows per unnest statement: large enough to amortise a round trip, small enough for memory


def insert_ignoring(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> int:
    """INSERT … ON CONFLICT (keys) DO NOTHING; how many rows were new. Every row has the same columns."""
    if not rows:
        return 0
    return insert_columns(connection, table, {name: [row[name] for row in rows] for name in rows[0]}, keys)


def insert_columns(
    connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]], keys: Sequence[str]
) -> int:
    """insert_ignoring for rows given column by column (equal lengths), as a large writer builds them."""
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    if not count:
        return 0
    values = [_driver_values(connection, table.c[name], columns[name]) for name in names]
    if connection.dialect.name == "postgresql":
        return sum(
            _pg_unnest_insert(connection, table, names, [v[start : start + PG_SLICE] for v in values], keys)
            for start in range(0, count, PG_SLICE)
        )
    statement = (
        f"INSERT INTO {_quoted(table.name)} ({', '.join(map(_quoted, names))}) "
        f"VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT ({', '.join(map(_quoted, keys))}) DO NOTHING"
    )
    # the driver's own executemany with plain tuples: SQLAlchemy's per-row parameter handling would cost
    # more than the insert itself at sweep scale
    return int(connection.exec_driver_sql(statement, list(zip(*values, strict=True))).rowcount)


def _pg_unnest_insert(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    values: Sequence[list[Any]],
    keys: Sequence[str],
) -> int:
    casts = [
        f"CAST(:c{i} AS {table.c[name].type.compile(dialect=connection.dialect)}[])"
        for i, name in enumerate(names)
    ]
    statement = text(
        f"INSERT INTO {_quoted(table.name)} ({', '.join(map(_quoted, names))}) "
        f"SELECT * FROM unnest({', '.join(casts)}) "
        f"ON CONFLICT ({', '.join(map(_quoted, keys))}) DO NOTHING"
    ).bindparams(*(bindparam(f"c{i}") for i in range(len(names))))
    arrays = {f"c{i}": column for i, column in enumerate(values)}
    return int(connection.execute(statement, arrays).rowcount)


def _driver_values(connection: Connection, column: Column[Any], values: Sequence[Any]) -> list[Any]:
    """A column's values as the driver takes them: the column type's own bind processing still applies
    (UTCDateTime refusing a naive datetime, dates as SQLite stores them)."""
    process = cast(Callable[[Any], Any] | None, column.type.bind_processor(connection.dialect))
    return [process(v) for v in values] if process else list(values)


def _quoted(name: str) -> str:
    return f'"{name}"'
