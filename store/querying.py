"""Small helpers shared by the store's query modules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement

CHUNK = 900  # ids per IN (...) list: under SQLite's 999 bound parameters


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def pk(column: Any) -> ColumnElement[int]:
    """A primary key column as what it is once a row exists: an int (the models say int | None)."""
    return cast(ColumnElement[int], column)
