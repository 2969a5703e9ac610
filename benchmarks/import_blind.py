"""Blind questions on an imported plan: the fixture document is imported and applied beside the seed plans,
then each question (written by someone who saw only the document and README) is asked and judged by the
facts a right answer must hold (tests/golden/blind.py's rules).

    .venv/bin/python benchmarks/import_blind.py tests/golden/import_blind1.yaml [--failures]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from golden.blind import judge  # noqa: E402

from bot.conversation.core import Core  # noqa: E402
from bot.conversation.knowledge import Knowledge  # noqa: E402
from bot.conversation.messages import LOCAL_TZ, Inbound  # noqa: E402
from bot.conversation.names import ensure_name_index  # noqa: E402
from seeds.apply import apply_plan_file, apply_seeds  # noqa: E402
from seeds.importer.pipeline import import_file, write_draft  # noqa: E402
from seeds.importer.units import KnownUnit  # noqa: E402
from store.catalog_queries import list_plans, list_units  # noqa: E402
from store.db import Database  # noqa: E402
from store.members import add_member  # noqa: E402


def load_imported(db: Database, document: Path, drafts: Path) -> Path:
    """The seeds, then the document imported and applied as an office would (import → draft → apply)."""
    apply_seeds(db)
    known = [KnownUnit(u.name, u.aliases, u.region, u.kind, bool(u.members)) for u in list_units(db)]
    others = [plan.title for plan in list_plans(db)]
    draft = write_draft(import_file(document, region=None, known=known, other_plans=others), drafts)
    apply_plan_file(db, draft, actor="benchmark", at=datetime(2025, 3, 20, tzinfo=UTC))
    ensure_name_index(db)
    return draft


def run(data: dict[str, Any], folder: Path) -> list[tuple[dict[str, Any], str, tuple[str, ...]]]:
    db = Database(f"sqlite:///{folder / 'import_blind.sqlite3'}")
    load_imported(db, ROOT / data["document"], folder / "drafts")
    core = Core(Knowledge(db))
    at = datetime.combine(data["today"], time(10), LOCAL_TZ)
    results = []
    for question in data["questions"]:
        if question.get("unsure"):
            continue
        asker = f"admin-{question['id']}"  # each question its own asker: no subject carries over
        add_member(
            db, platform="local", user_id=asker, display_name="督办", unit="市市场监管局", role="admin", at=at
        )
        inbound = Inbound("local", asker, asker, str(question["text"]), at, str(question["id"]))
        reply = "\n".join(r.text for r in core.handle(inbound))
        results.append((question, reply, judge(question, reply)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("set", type=Path)
    parser.add_argument("--failures", action="store_true")
    args = parser.parse_args()
    data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        results = run(data, Path(folder))
    passed = sum(1 for _, _, missing in results if not missing)
    print(f"{args.set.name}: {passed}/{len(results)} = {100 * passed / len(results):.1f}%")
    if args.failures:
        for question, reply, missing in results:
            if missing:
                print(
                    f"\n[{question['id']}] {question['text']}\n  missing: {missing}\n  reply: {reply[:300]}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
