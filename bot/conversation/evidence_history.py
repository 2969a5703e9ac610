"""The 📎 lines a report's history shows under it: each 佐证材料 attached to it (or to its preview)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation import texts
from store.db import Database
from store.evidence import evidence_of_reports
from store.history import HistoryEntry


def evidence_notes(db: Database, entries: Iterable[HistoryEntry]) -> dict[tuple[str, int], str]:
    """(ledger, row id) -> the lines to append under that row's history line ("" for none)."""
    found = evidence_of_reports(db, [(e.ledger, e.id) for e in entries])
    return {
        key: "".join("\n" + texts.evidence_history_line(v.id, v.name, v.size, v.content_type) for v in views)
        for key, views in found.items()
    }
