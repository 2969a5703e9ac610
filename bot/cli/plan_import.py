"""`duban plans import FILE` and `duban plans apply DRAFT.yaml`: any plan in, reviewed before it counts.

Import reads and recognises, and writes a draft in the seed format (or prints it as JSON and writes
nothing); nothing in the database changes until an office has checked the draft and applied it.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.admin import cli_actor
from bot.cli.settings import Settings
from bot.conversation import texts
from store.catalog_queries import list_plans, list_units
from store.db import Database
from store.errors import StoreError


def import_command(args: argparse.Namespace, db: Database) -> str:
    # The readers bring python-docx and pdfplumber: only this command needs them.
    from seeds.importer.blocks import ImportRefused
    from seeds.importer.pipeline import import_file, write_draft
    from seeds.importer.units import KnownUnit

    known = [KnownUnit(u.name, u.aliases, u.region, u.kind, bool(u.members)) for u in list_units(db)]
    try:
        others = [plan.title for plan in list_plans(db)]
        imported = import_file(Path(args.file), region=args.region, known=known, other_plans=others)
    except ImportRefused as exc:
        raise StoreError(str(exc)) from exc
    if args.json:
        return json.dumps(imported.draft.to_json_dict(), ensure_ascii=False, indent=2)
    folder = Path(args.out) if args.out else Settings.from_env(db_override=args.db).data_dir / "imports"
    try:
        path = write_draft(imported, folder)
    except OSError as exc:
        raise StoreError(f"无法写入草稿目录 {folder}：{exc.strerror or exc}") from exc
    review = [f"{note['where']}：{note['what']}" for note in imported.seed.get("review", [])]
    return texts.import_written(texts.import_summary(*imported.counts), str(path), review)


def apply_command(args: argparse.Namespace, db: Database) -> str:
    """Validate the draft as a seed file (errors name file, line, record and field), then load it."""
    from seeds.apply import apply_plan_file
    from seeds.loader import SeedError

    path = Path(args.draft)
    try:
        result = apply_plan_file(db, path, actor=cli_actor(), at=datetime.now(UTC))
    except SeedError as exc:
        raise StoreError(str(exc)) from exc
    from bot.conversation.names import ensure_name_index

    ensure_name_index(db)
    changes = [texts.catalog_change(c.item, c.field, c.old, c.new) for c in result.changes]
    return texts.import_applied(result.title, result.report.created, result.report.updated, changes)
