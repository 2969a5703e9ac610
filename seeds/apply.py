"""Apply the seed catalog to a database (idempotent: a second run creates and updates nothing)."""

from __future__ import annotations

from pathlib import Path

from seeds.loader import load_catalog
from store.catalog import SyncReport, sync_catalog
from store.db import Database


def apply_seeds(db: Database, data_dir: Path | None = None) -> SyncReport:
    """Upgrade the schema, then upsert the catalog; reports and events are never touched."""
    catalog = load_catalog(data_dir)
    db.upgrade()
    return sync_catalog(db, catalog)
