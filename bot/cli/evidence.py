"""`duban evidence get|list`: 佐证材料 on the command line, for the office that runs the bot.

The operator of this machine is an admin (as in `duban ask`): every file may be exported. A copy is written
next to nothing it could replace (an existing file is never overwritten), without execute bits, under the
sender's name with the extension of what the file really is, and its hash is checked against the stored one.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bot.cli.settings import Settings
from bot.conversation import texts
from bot.conversation.evidence import download_name
from bot.conversation.messages import LOCAL_PLATFORM
from store.catalog_queries import resolve_plan
from store.db import Database
from store.errors import StoreError
from store.evidence import EvidenceView, find_evidence, list_evidence
from store.evidence_files import FILE_MODE


def get_command(args: argparse.Namespace, db: Database) -> str:
    view = find_evidence(db, args.id)
    if view is None:
        raise StoreError(texts.evidence_unknown(args.id))
    files = Settings.from_env(db_override=args.db).evidence_files()
    try:
        content = files.read(view.sha256)
    except (OSError, ValueError):
        raise StoreError(texts.evidence_damaged(view.id)) from None
    target = _target(args.out, download_name(view))
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        raise StoreError(texts.evidence_exists(str(target))) from None
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    return texts.evidence_exported(view.id, view.name, str(target), view.size, view.sha256)


def list_command(args: argparse.Namespace, db: Database) -> str:
    plan = resolve_plan(db, args.plan).code if args.plan else None
    views = list_evidence(db, plan=plan, task=args.task)
    if args.json:
        return json.dumps([_json(v) for v in views], ensure_ascii=False, indent=2)
    lines = [
        texts.evidence_list_line(v.id, v.name, v.size, v.content_type, _who(v), v.received_at, _what(v))
        for v in views
    ]
    return "\n".join(lines) or texts.EVIDENCE_LIST_EMPTY


def _target(out: str | None, name: str) -> Path:
    """--out a file, or a folder to put the sender's name in; by default the current folder."""
    if out is None:
        return Path.cwd() / name
    path = Path(out).expanduser()
    return path / name if path.is_dir() else path


def _who(view: EvidenceView) -> str:
    name = view.sender or (texts.LOCAL_ADMIN_NAME if view.platform == LOCAL_PLATFORM else None)
    return texts.reporter(name, view.sender_unit)


def _what(view: EvidenceView) -> str:
    subject = f"{view.plan} " + (f"任务{view.task}" if view.task is not None else f"指标{view.indicator}")
    if view.report is not None:
        return texts.evidence_on_report(subject, view.report.kind, view.report.recorded_at)
    return texts.evidence_on_preview(subject, view.pending_outcome)


def _json(view: EvidenceView) -> dict[str, object]:
    return {
        "id": view.id,
        "name": view.name,
        "size": view.size,
        "content_type": view.content_type,
        "sha256": view.sha256,
        "sender": view.sender,
        "unit": view.sender_unit,
        "platform": view.platform,
        "chat_id": view.chat_id,
        "message_id": view.message_id,
        "received_at": view.received_at.isoformat(),
        "plan": view.plan,
        "task": view.task,
        "indicator": view.indicator,
        "report": (
            {"ledger": view.report.ledger, "id": view.report.id, "kind": view.report.kind}
            if view.report is not None
            else None
        ),
        "pending_id": view.target.id if view.target.kind == "pending" else None,
        "pending_outcome": view.pending_outcome,
    }
