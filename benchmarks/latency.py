"""Per-message latency of the conversation core over the golden set, one process, SQLite.

Each golden conversation is replayed (so follow-ups, choices and paging are included) after a warm-up pass;
prints p50 / p90 / p99 / max in milliseconds.

    .venv/bin/python benchmarks/latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from golden.evaluate import load_golden, prepare

from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from store.db import Database


def replay(core: Core, golden: dict, round_number: int) -> list[float]:
    timings: list[float] = []
    for conversation in golden["conversations"]:
        today = conversation.get("today", golden["today"])
        at = datetime.combine(today, clock_time(10), LOCAL_TZ)
        user = f"{conversation['id']}-{round_number}"
        for index, turn in enumerate(conversation["turns"]):
            inbound = Inbound("bench", user, user, str(turn["text"]), at, f"{user}-{index}")
            start = time.perf_counter()
            core.handle(inbound)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    golden = load_golden()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        prepare(db, golden)
        core = Core(Knowledge(db), public_read=True)
        replay(core, golden, -1)  # warm-up: first-touch caches, lazy imports
        timings = [t for n in range(args.rounds) for t in replay(core, golden, n)]
        db.dispose()
    print(f"messages: {len(timings)} ({args.rounds} rounds of the golden set)")
    for label, share in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99)):
        print(f"{label}: {percentile(timings, share):.3f} ms")
    print(f"max: {max(timings):.3f} ms  mean: {statistics.fmean(timings):.3f} ms")


if __name__ == "__main__":
    main()
