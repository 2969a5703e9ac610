"""Blind question sets: questions written from the plan documents alone, scored by the facts a right answer
must contain. The writer never saw the parser, the answers or earlier sets (issue 16: the accuracy figure is a
fresh set's first run).

A set (tests/golden/blind*.yaml) holds `today`, indicator `reports` (named as in the document's table),
task `completions` and `conversations` of turns. A turn passes when its reply contains every `facts` string,
at least one string of each `any_of` group and none of `absent`; a `not_stated` turn must also say that the
plan does not state it. Turns marked `unsure` are left out. Facts are matched after the same light
normalisation on both sides: an ISO date also matches 2025年8月31日, and thousands separators are ignored.

    .venv/bin/python tests/golden/blind.py tests/golden/blind1.yaml [--failures] [--category CAT]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.conversation.core import Core  # noqa: E402
from bot.conversation.knowledge import Knowledge  # noqa: E402
from bot.conversation.messages import LOCAL_TZ, Inbound  # noqa: E402
from nlu.normalize import normalize  # noqa: E402
from seeds.apply import apply_seeds  # noqa: E402
from store.catalog_queries import list_indicators, list_units  # noqa: E402
from store.db import Database  # noqa: E402
from store.ledger import record_indicator_report  # noqa: E402
from store.members import add_member  # noqa: E402
from store.reporting import Author, WriteRequest, record  # noqa: E402

PLANS = {"fuzhou": "fuzhou-protection", "gulou": "gulou-strong-county"}
# How a reply says the plan does not answer the question.
NOT_STATED = (
    "未载明",
    "没有载明",
    "未明确",
    "没有明确",
    "未提及",
    "没有提到",
    "未规定",
    "没有规定",
    "未列出",
    "没有列出",
)


@dataclass(frozen=True)
class Result:
    conversation: str
    category: str
    text: str
    reply: str
    missing: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.missing


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # A writer may quote dates ('2025-09-15'); YAML then gives strings.
    data["today"] = _day(data["today"])
    for report in data.get("reports") or ():
        report["as_of"] = _day(report["as_of"])
    for done in data.get("completions") or ():
        done["date"] = _day(done["date"])
    for conversation in data["conversations"]:
        if conversation.get("today"):
            conversation["today"] = _day(conversation["today"])
    return data


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _indicator_key(db: Database, plan: str, name: str) -> str:
    wanted = normalize(name).replace(" ", "")
    views = [v for v in list_indicators(db, plan=PLANS[plan])]
    for view in views:
        if normalize(view.name).replace(" ", "") == wanted:
            return view.code
    for view in views:
        if wanted in normalize(view.name).replace(" ", "") or normalize(view.name).replace(" ", "") in wanted:
            return view.code
    raise SystemExit(f"no indicator named {name!r} in {plan}")


def _unit(db: Database, name: str) -> str:
    """The store's unit for a name as a writer copied it from a document: the name, an alias, or the
    document's own short form (区市场监督管理局 in the 鼓楼 plan is 鼓楼区市场监督管理局)."""
    units = list_units(db)
    name = normalize(name)  # (知识产权局) as typed is （知识产权局）
    for unit in units:
        if name in {normalize(n) for n in (unit.name, *unit.aliases)}:
            return unit.name
    endings = [u.name for u in units if normalize(u.name).endswith(name)]
    if len(endings) == 1:
        return endings[0]
    raise SystemExit(f"no unit named {name!r}")


def prepare(db: Database, data: dict[str, Any]) -> None:
    apply_seeds(db)
    for row in [*(data.get("reports") or ()), *(data.get("completions") or ())]:
        row["unit"] = _unit(db, str(row["unit"]))
    members: dict[tuple[str, str], int] = {}
    for number, report in enumerate(data.get("reports") or [], 1):
        who = (str(report["reporter"]), str(report["unit"]))
        at = datetime.combine(report["as_of"], time(9), LOCAL_TZ)
        if who not in members:
            members[who] = add_member(
                db, platform="blind", user_id=f"reporter-{number}", display_name=who[0], unit=who[1],
                role="staff", at=at,
            ).id  # fmt: skip
        record_indicator_report(
            db, plan=PLANS[report["plan"]], code=_indicator_key(db, report["plan"], str(report["indicator"])),
            value=Decimal(str(report["value"])), as_of=report["as_of"],
            recorded_at=datetime.combine(report["as_of"], time(17), LOCAL_TZ), platform="blind",
            member_id=members[who], unit=who[1], message_id=f"blind-report-{number}",
        )  # fmt: skip
    for number, done in enumerate(data.get("completions") or [], 1):
        at = datetime.combine(done["date"], time(16), LOCAL_TZ)
        reported = record(
            db,
            WriteRequest("task_completed", PLANS["fuzhou"], number=int(done["task"]), unit=str(done["unit"])),
            Author("blind", f"completer-{number}", None, at, message_id=f"blind-done-{number}"),
        )
        record(  # 办结审核: a part done is a part approved
            db,
            WriteRequest(
                "completion_approved", PLANS["fuzhou"], number=int(done["task"]), refers_to=reported
            ),
            Author("blind", f"reviewer-{number}", None, at, message_id=f"blind-approved-{number}"),
        )


def _user(db: Database, conversation: dict[str, Any]) -> str:
    """Each conversation its own asker, so no subject carries from one to the next: a staff member of the
    named unit, or an admin of the supervising office."""
    user = conversation.get("user") or {}
    unit = str(user.get("unit") or "市市场监管局（知识产权局）")
    role = str(user.get("role") or ("staff" if conversation.get("user") else "admin"))
    user_id = f"{role}-{conversation['id']}"
    add_member(
        db, platform="local", user_id=user_id, display_name=f"{unit}{role}", unit=unit, role=role,
        at=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    return user_id


def _canonical(text: str) -> str:
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    return re.sub(
        r"(\d{4})年(\d{1,2})月(\d{1,2})日", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text
    )


def _holds(have: str, fact: str) -> bool:
    """Whether the reply holds the fact as a whole number: 任务2 is not in 任务21, nor 60 in 160."""
    wanted = _canonical(fact)
    pattern = ("(?<![0-9])" if wanted[:1].isdigit() else "") + re.escape(wanted)
    return re.search(pattern + ("(?![0-9])" if wanted[-1:].isdigit() else ""), have) is not None


def judge(turn: dict[str, Any], reply: str) -> tuple[str, ...]:
    have = _canonical(reply)
    missing = [f for f in (str(x) for x in turn.get("facts") or ()) if not _holds(have, f)]
    for group in turn.get("any_of") or ():
        if not any(_holds(have, str(option)) for option in group):
            missing.append("one of " + "/".join(str(o) for o in group))
    missing += [f"absent {a}" for a in (str(x) for x in turn.get("absent") or ()) if _holds(have, a)]
    if turn.get("not_stated") and not any(marker in reply for marker in NOT_STATED):
        missing.append("says the plan does not state it")
    return tuple(missing)


def run(db_url: str, data: dict[str, Any]) -> list[Result]:
    db = Database(db_url)
    try:
        prepare(db, data)
        core = Core(Knowledge(db))
        results: list[Result] = []
        for conversation in data["conversations"]:
            user = _user(db, conversation)
            today: date = conversation.get("today") or data["today"]
            at = datetime.combine(today, time(10), LOCAL_TZ)
            for index, turn in enumerate(conversation["turns"]):
                inbound = Inbound("local", user, user, str(turn["text"]), at, f"{conversation['id']}-{index}")
                reply = "\n".join(r.text for r in core.handle(inbound))
                if turn.get("unsure"):
                    continue
                results.append(
                    Result(
                        conversation["id"],
                        str(conversation.get("category") or "?"),
                        str(turn["text"]),
                        reply,
                        judge(turn, reply),
                    )
                )
        return results
    finally:
        db.dispose()


def report(results: list[Result], *, failures: bool, category: str | None = None) -> str:
    totals = Counter(r.category for r in results)
    passed = Counter(r.category for r in results if r.passed)
    lines = [f"{'category':<12} {'passed':>6} {'total':>6} {'accuracy':>9}"]
    for name in sorted(totals):
        lines.append(f"{name:<12} {passed[name]:>6} {totals[name]:>6} {passed[name] / totals[name]:>9.1%}")
    overall = sum(passed.values()) / max(1, len(results))
    lines.append(f"{'overall':<12} {sum(passed.values()):>6} {len(results):>6} {overall:>9.1%}")
    if failures:
        for r in results:
            if not r.passed and (category is None or r.category == category):
                lines.append(
                    f"\n✗ [{r.conversation} {r.category}] {r.text}\n  missing: {list(r.missing)}\n  {r.reply[:600]}"
                )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--category")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = run(f"sqlite:///{Path(tmp) / 'blind.sqlite3'}", load(args.set))
    print(report(results, failures=args.failures, category=args.category))
    return 0


if __name__ == "__main__":
    sys.exit(main())
