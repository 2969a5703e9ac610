"""Admin-edited working-day overrides: append-only, the newest row per day is in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import col

from store.db import Database
from store.models import CalendarOverride


@dataclass(frozen=True)
class OverrideView:
    day: date
    workday: bool
    note: str
    actor: str
    recorded_at: datetime


def calendar_overrides(db: Database) -> dict[date, bool]:
    return {view.day: view.workday for view in list_overrides(db)}


def list_overrides(db: Database) -> list[OverrideView]:
    """The override in force for each day, oldest day first."""
    with db.engine.connect() as connection:
        rows = connection.execute(select(CalendarOverride).order_by(col(CalendarOverride.id)))
        latest = {
            row.day: OverrideView(row.day, row.workday, row.note, row.actor, row.recorded_at) for row in rows
        }
    return [latest[day] for day in sorted(latest)]


def set_override(db: Database, *, day: date, workday: bool, note: str, actor: str, at: datetime) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            CalendarOverride.__table__.insert().values(  # type: ignore[attr-defined]
                day=day, workday=workday, note=note[:200], actor=actor, recorded_at=at
            )
        )
