"""Golden-set evaluation: run every conversation in golden.yaml through the core and score each turn.

A turn passes when the answered intent is the expected one and every listed fact appears in the reply.
Run as a script for the per-intent report:

    .venv/bin/python tests/golden/evaluate.py [--failures] [--set tests/golden/holdout.yaml]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from seeds.apply import apply_seeds
from store.db import Database
from store.ledger import record_indicator_report
from store.members import add_member

GOLDEN = Path(__file__).with_name("golden.yaml")
TARGET_OVERALL = 0.97
TARGET_PER_INTENT = 0.90


@dataclass(frozen=True)
class Turn:
    conversation: str
    text: str
    expected: str
    facts: tuple[str, ...]
    reply: str
    intent: str | None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(fact for fact in self.facts if fact not in self.reply)

    @property
    def passed(self) -> bool:
        return self.intent == self.expected and not self.missing


def load_golden(path: Path = GOLDEN) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def prepare(db: Database, golden: dict[str, Any]) -> None:
    """Seed the database and record the golden set's indicator reports."""
    apply_seeds(db)
    members: dict[tuple[str, str], int] = {}
    for number, report in enumerate(golden.get("reports") or [], 1):
        who = (report["reporter"], report["unit"])
        if who not in members:
            at = datetime.combine(report["as_of"], time(9), LOCAL_TZ)
            view = add_member(
                db, platform="golden", user_id=f"reporter-{number}", display_name=who[0], unit=who[1],
                role="staff", at=at,
            )  # fmt: skip
            members[who] = view.id
        record_indicator_report(
            db,
            plan=report["plan"],
            code=str(report["code"]),
            value=Decimal(str(report["value"])),
            as_of=report["as_of"],
            recorded_at=datetime.combine(report["as_of"], time(17), LOCAL_TZ),
            platform="golden",
            member_id=members[who],
            unit=who[1],
            message_id=f"golden-report-{number}",
        )


def run(core: Core, golden: dict[str, Any]) -> Iterator[Turn]:
    default_today: date = golden["today"]
    for conversation in golden["conversations"]:
        today = conversation.get("today", default_today)
        at = datetime.combine(today, time(10), LOCAL_TZ)
        for index, turn in enumerate(conversation["turns"]):
            text = str(turn["text"])
            inbound = Inbound(
                "golden", conversation["id"], conversation["id"], text, at, f"{conversation['id']}-{index}"
            )
            replies = core.handle(inbound)
            yield Turn(
                conversation=conversation["id"],
                text=text,
                expected=turn["intent"],
                facts=tuple(str(f) for f in turn.get("facts") or ()),
                reply="\n".join(r.text for r in replies),
                intent=replies[0].intent if replies else None,
            )


def evaluate(db_url: str, golden: dict[str, Any] | None = None) -> list[Turn]:
    golden = golden or load_golden()
    db = Database(db_url)
    try:
        prepare(db, golden)
        return list(run(Core(Knowledge(db), public_read=True), golden))
    finally:
        db.dispose()


def accuracy(turns: list[Turn]) -> tuple[float, dict[str, tuple[int, int]]]:
    """Overall accuracy and (passed, total) per expected intent."""
    totals, passed = Counter(t.expected for t in turns), Counter(t.expected for t in turns if t.passed)
    per_intent = {intent: (passed[intent], totals[intent]) for intent in sorted(totals)}
    return sum(passed.values()) / max(1, len(turns)), per_intent


def report(turns: list[Turn], show_failures: bool) -> str:
    overall, per_intent = accuracy(turns)
    lines = [f"{'intent':<20} {'passed':>6} {'total':>6} {'accuracy':>9}"]
    for intent, (ok, total) in per_intent.items():
        lines.append(f"{intent:<20} {ok:>6} {total:>6} {ok / total:>9.1%}")
    lines.append(
        f"{'overall':<20} {sum(p for p, _ in per_intent.values()):>6} {len(turns):>6} {overall:>9.1%}"
    )
    if show_failures:
        for turn in (t for t in turns if not t.passed):
            lines.append(
                f"\n✗ [{turn.conversation}] {turn.text!r}: expected {turn.expected}, got {turn.intent}; "
                f"missing {list(turn.missing)}\n{turn.reply}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="print every failing turn with its reply")
    parser.add_argument("--set", default=str(GOLDEN), help="golden.yaml (default) or holdout.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        turns = evaluate(f"sqlite:///{Path(tmp) / 'golden.sqlite3'}", load_golden(Path(args.set)))
    print(report(turns, args.failures))
    overall, per_intent = accuracy(turns)
    worst = min(ok / total for ok, total in per_intent.values())
    return 0 if overall >= TARGET_OVERALL and worst >= TARGET_PER_INTENT else 1


if __name__ == "__main__":
    sys.exit(main())
