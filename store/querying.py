"""Small helpers shared by the store's query modules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement

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
