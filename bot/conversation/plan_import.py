"""A plan document sent in chat by an admin: read and recognised at once, shown as a preview
(识别出 N 项任务、M 项指标、K 个新单位；问题 P 处) with 确认 / 取消, like a report. 确认 loads the
draft into the catalog, as `duban plans apply` does; nothing changes before.

The document and its draft are kept under the imports folder (`<data dir>/imports`), named by the bytes'
sha256, so a redelivered message makes the same draft; the preview is an ordinary pending write (who, when,
from which message), its outcome recorded as any other's.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.conversation import texts
from bot.conversation.messages import CANCEL_DATA, CONFIRM_DATA, Button, Inbound
from bot.conversation.replies import Reply
from store.catalog_queries import list_plans, list_units, live_indicator_codes, live_task_numbers
from store.db import Database
from store.reporting import Author, DuplicateMessage, WriteRequest, create_pending

INCOMING = "incoming"
_SAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]+")
_DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".doc")
IMPORT_TTL = timedelta(minutes=30)  # a plan takes longer to check than a report


def looks_like_plan_document(name: str, content: bytes) -> bool:
    """A Word, PDF or text file by its bytes (or a .doc by name, refused later with its own message)."""
    if content.startswith(b"%PDF-") or name.lower().endswith(_DOCUMENT_SUFFIXES):
        return True
    return content.startswith(b"PK") and b"word/document.xml" in content[:65536]


def wants_import(caption: str) -> bool:
    """导入 / 导入方案 / 方案导入 as the caption: the sender says what the file is for."""
    return "导入" in caption and len(caption) <= 20


def preview_import(db: Database, folder: Path, name: str, content: bytes, author: Author) -> Reply:
    """Read the document, write its draft, and hold it for the sender's 确认."""
    # The readers bring python-docx and pdfplumber: only a document sent for import needs them.
    from seeds.importer.blocks import ImportRefused
    from seeds.importer.pipeline import import_file, write_draft
    from seeds.importer.units import KnownUnit

    digest = hashlib.sha256(content).hexdigest()
    incoming = folder / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / f"{digest[:16]}-{_short_name(name)}"
    if not path.exists():
        path.write_bytes(content)
    known = [KnownUnit(u.name, u.aliases, u.region, u.kind, bool(u.members)) for u in list_units(db)]
    try:
        others = [plan.title for plan in list_plans(db)]
        imported = import_file(path, region=None, known=known, other_plans=others)
    except ImportRefused as exc:
        return Reply("import_refused", str(exc))
    draft = write_draft(imported, folder, stem=f"{imported.seed['plan']['code']}-{digest[:12]}")
    review = [f"{note['where']}：{note['what']}" for note in imported.seed.get("review", [])]
    code = imported.seed["plan"]["code"]
    held = {int(task["number"]) for task in imported.seed.get("tasks", [])}
    measured = {str(indicator["code"]) for indicator in imported.seed.get("indicators", [])}
    dropped = [f"任务{n}" for n in live_task_numbers(db, code) if n not in held]
    dropped += [f"指标{c}" for c in live_indicator_codes(db, code) if c not in measured]
    summary = texts.import_summary(*imported.counts)
    lines = texts.import_preview(imported.draft.plan.name, summary, review, dropped)
    request = WriteRequest("plan_import", imported.seed["plan"]["code"], detail=str(draft))
    try:
        pending = create_pending(db, request, lines, author, IMPORT_TTL)
    except DuplicateMessage:
        return Reply("already", texts.ALREADY_RECORDED)
    buttons = (
        Button(texts.CONFIRM_LABEL, f"{CONFIRM_DATA}:{pending.id}"),
        Button(texts.CANCEL_LABEL, f"{CANCEL_DATA}:{pending.id}"),
    )
    return Reply("preview", pending.preview, buttons)


def apply_import(db: Database, draft: Path, actor: str, at: datetime) -> tuple[bool, str]:
    """确认: the draft loaded into the catalog; the reply says what changed. A draft that no longer
    validates, or a database the bot may not change (the PostgreSQL bot role), is said plainly."""
    from bot.conversation.names import ensure_name_index
    from seeds.apply import apply_plan_file
    from seeds.loader import SeedError

    try:
        applied = apply_plan_file(db, draft, actor=actor, at=at, upgrade=False)
    except SeedError as exc:
        return False, texts.import_invalid(str(exc))
    except OSError as exc:  # the draft was moved or removed since the preview
        return False, texts.import_invalid(f"{draft}：{exc.strerror or exc}")
    except DBAPIError as exc:
        if "permission denied" not in str(exc).lower():
            raise
        return True, texts.import_needs_owner(
            str(draft)
        )  # the bot's PostgreSQL role may not change the catalog
    ensure_name_index(db)
    changes = [texts.catalog_change(c.item, c.field, c.old, c.new) for c in applied.changes]
    return True, texts.import_applied(applied.title, applied.report.created, applied.report.updated, changes)


def author_of(inbound: Inbound, member_id: int | None) -> Author:
    return Author(inbound.platform, inbound.user_id, member_id, inbound.at, inbound.message_id, inbound.text)


def _short_name(name: str) -> str:
    """The sender's file name made safe for a path: one component, at most 120 bytes (a name of 80 CJK
    characters is 240 bytes; file systems allow 255)."""
    safe = _SAFE.sub("_", Path(name.replace("\x00", "")).name).strip("._") or "plan"
    while len(safe.encode("utf-8")) > 120:
        safe = safe[1:]
    return safe
