"""Apply the seed catalog, or one plan file, to a database (idempotent: a second run changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from seeds.loader import load_catalog, load_plan
from store.catalog import ChangeSource, SyncReport, sync_catalog
from store.catalog_changes import CatalogChange
from store.catalog_queries import list_units
from store.db import Database


def apply_seeds(db: Database, data_dir: Path | None = None) -> SyncReport:
    """Upgrade the schema, then upsert the catalog; reports and events are never touched."""
    catalog = load_catalog(data_dir)
    db.upgrade()
    return sync_catalog(db, catalog)


@dataclass(frozen=True)
class Applied:
    title: str
    report: SyncReport
    changes: tuple[CatalogChange, ...]  # what this run changed in items already loaded, as recorded


def apply_plan_file(db: Database, path: Path, *, actor: str, at: datetime, upgrade: bool = True) -> Applied:
    """A reviewed plan file (an imported draft) loaded as the seeds are; a revised one updates its plan and
    records every changed deadline, unit list or leader in catalog_event. The bot (upgrade=False) leaves the
    schema to `duban init`: its database is current, and Alembic's upgrade is not safe in two threads."""
    if upgrade:
        db.upgrade()
    stored = [name for unit in list_units(db) for name in (unit.name, *unit.aliases)]
    catalog = load_plan(path, stored_units=stored)
    report = sync_catalog(db, catalog, ChangeSource(str(path), actor, at))
    return Applied(catalog.plans[0].title, report, tuple(report.changes))
