"""The catalog's own ledger (catalog_event): what applying a revised plan changed in items already loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select

from store.db import Database
from store.models import CatalogEvent

_event: Table = CatalogEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CatalogChange:
    plan: str
    item: str
    field: str
    old: str | None
    new: str | None
    source: str
    actor: str
    at: datetime


def change_of(r: Any) -> CatalogChange:
    """The view of a catalog_event row (or of the model about to be written)."""
    return CatalogChange(r.plan_code, r.item, r.field, r.old, r.new, r.source, r.actor, r.recorded_at)


def item_history(db: Database, plan: str, item: str) -> tuple[CatalogChange, ...]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(_event).where(_event.c.plan_code == plan, _event.c.item == item).order_by(_event.c.id)
        ).all()
    return tuple(change_of(r) for r in rows)
