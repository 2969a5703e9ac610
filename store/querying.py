"""Small helpers shared by the store's query modules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, or_

CHUNK = 900  # ids per IN (...) list: under SQLite's 999 bound parameters
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER on PostgreSQL: a larger one in a query is an error, not "no row"


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def is_row_id(value: int) -> bool:
    """Whether value could be a row's id (a button's data is whatever a client sends back)."""
    return 0 < value <= MAX_ROW_ID


def pk(column: Any) -> ColumnElement[int]:
    """A primary key column as what it is once a row exists: an int (the models say int | None)."""
    return cast(ColumnElement[int], column)


def keyed(plan: ColumnElement[Any], key: ColumnElement[Any], pairs: Sequence[tuple[Any, Any]]) -> Any:
    """Rows by (plan, key) pairs as one plan at a time: `(a, b) IN (…)` makes SQLite scan the table, while
    `plan = ? AND key IN (…)` per plan uses the (plan, key) index."""
    grouped: dict[Any, list[Any]] = {}
    for plan_value, key_value in pairs:
        grouped.setdefault(plan_value, []).append(key_value)
    return or_(*(and_(plan == p, key.in_(keys)) for p, keys in grouped.items()))
