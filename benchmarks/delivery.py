"""Delivering ≥3,000 digests through a fake Telegram Bot API that enforces Telegram's limits and answers 429.

    .venv/bin/python benchmarks/delivery.py [--digests 3000] [--db-dir /tmp]

Two runs, each with its own SQLite database, its own fake server process (tests/fakes/telegram_server.py,
limits: 1 msg/s per chat, 20/min per group, 25/s overall) and the real sender (Deliverer + TelegramPort on
python-telegram-bot) in a child process:
1. a clean run: throughput against the 25 msg/s limit;
2. the sender killed with SIGKILL halfway and started again: the restarted sender takes over the dead one's
   claims when their lease (10 s here) runs out.
Both count what the fake server accepted: lost = digests never delivered, duplicated = delivered twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national  # noqa: E402
from sqlalchemy import text  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.conversation.reminders import ReminderTexts  # noqa: E402
from bot.transports.telegram_port import TelegramPort  # noqa: E402
from schedules.calendar import SHANGHAI, WorkCalendar  # noqa: E402
from schedules.delivery import Deliverer, DeliveryPolicy  # noqa: E402
from schedules.limits import TELEGRAM_LIMITS  # noqa: E402
from schedules.sweep import run_sweep  # noqa: E402
from store.db import Database  # noqa: E402
from store.reminder_chats import Target, bind_unit_chat  # noqa: E402

TOKEN = "123456789:BENCH-token"
DAY = date(2025, 9, 1)  # a Monday: a working day
SERVER = ROOT / "tests" / "fakes" / "telegram_server.py"
LEASE_SECONDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=3000)
    parser.add_argument("--db-dir", default=None)
    sub = parser.add_subparsers(dest="role")
    sender = sub.add_parser("send")
    sender.add_argument("--db", required=True)
    sender.add_argument("--base-url", required=True)
    sender.add_argument("--epoch", type=float, required=True)
    args = parser.parse_args()
    if args.role == "send":
        asyncio.run(_send(args.db, args.base_url, args.epoch))
        return
    folder = Path(args.db_dir or tempfile.mkdtemp(prefix="duban-delivery-"))
    limit = TELEGRAM_LIMITS.overall.count if TELEGRAM_LIMITS.overall else 0
    print(f"at least {args.digests} digests (a swept day of a generated catalog), limit {TELEGRAM_LIMITS}")
    for label, kill in (("clean run", False), ("SIGKILL halfway, restarted", True)):
        result = _run(folder / f"{'kill' if kill else 'clean'}.sqlite3", args.digests, kill=kill)
        throughput = result["delivered"] / result["seconds"]
        print(
            f"{label}: {result['digests']:.0f} digests, "
            f"{result['delivered']} delivered in {result['seconds']:.1f} s = {throughput:.2f} msg/s "
            f"({100 * throughput / limit:.1f} % of {limit}/s); 429 answered {result['rejected']}; "
            f"lost {result['lost']}, duplicated {result['duplicated']}"
            + (
                f"; killed after {result['killed_at']:.1f} s with {result['before_kill']} delivered"
                if kill
                else ""
            )
        )


def _run(path: Path, digests: int, *, kill: bool) -> dict[str, float]:
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    digests = _prepare(url, digests)
    record = path.with_suffix(".jsonl")
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", "--limits", "telegram", "--record", str(record)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline().split()[1])
    base_url = f"http://127.0.0.1:{port}/bot"
    epoch = time.time()
    started = time.perf_counter()
    killed_at, before_kill = 0.0, 0
    try:
        sender = _start_sender(url, base_url, epoch)
        if kill:
            time.sleep(digests / 25 / 2)
            sender.send_signal(signal.SIGKILL)
            sender.wait()
            killed_at, before_kill = time.perf_counter() - started, len(_accepted(record))
            sender = _start_sender(url, base_url, epoch)
        sender.wait()
        seconds = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=10)
    accepted = _accepted(record)
    chats = [row["chat_id"] for row in accepted]
    rejected = int(err.split("rejected")[1].split()[0]) if "rejected" in err else -1
    return {
        "digests": digests,
        "delivered": len(set(chats)),
        "seconds": seconds,
        "lost": digests - len(set(chats)),
        "duplicated": len(chats) - len(set(chats)),
        "rejected": rejected,
        "killed_at": killed_at,
        "before_kill": before_kill,
    }


def _prepare(url: str, digests: int) -> int:
    """A generated catalog swept for DAY, as the bot does, and a private chat for every unit with a digest;
    the catalog is sized for at least `digests` digests that day. Returns how many there are."""
    db = Database(url)
    plans = max(60, digests // 8)
    national.generate(db, plans=plans, tasks_per_plan=50, units=max(digests * 2, 1000), seed=7, today=DAY)
    at = datetime.combine(DAY, clock_time(8), SHANGHAI)
    report = run_sweep(db, now=datetime.combine(DAY, clock_time(9), SHANGHAI), calendar=WorkCalendar(),
                       instance="bench")  # fmt: skip
    assert report is not None and report.digests >= digests, f"only {report and report.digests} digests"
    with db.engine.connect() as connection:
        units = connection.execute(
            text("SELECT unit.name FROM reminder_message JOIN unit ON unit.id = reminder_message.unit_id "
                 "WHERE reminder_message.kind = 'digest' ORDER BY unit.id")
        ).scalars().all()  # fmt: skip
    for chat, unit in enumerate(units, start=1000):
        bind_unit_chat(
            db, unit=unit, target=Target("telegram", str(chat)), member_id=None, actor="bench", at=at
        )
    db.dispose()
    return len(units)


def _start_sender(url: str, base_url: str, epoch: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, "send", "--db", url, "--base-url", base_url, "--epoch", str(epoch)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def _send(url: str, base_url: str, epoch: float) -> None:
    """The sender process: deliver until nothing is left, on a clock that starts at 10:00 of DAY."""
    db = Database(url)
    start = datetime.combine(DAY, clock_time(10), SHANGHAI)

    def clock() -> datetime:
        return start + timedelta(seconds=time.time() - epoch)

    request = HTTPXRequest(connection_pool_size=64)
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        deliverer = Deliverer(
            db, {"telegram": TelegramPort(bot)}, ReminderTexts(), WorkCalendar(), clock=clock,
            worker=f"bench-{os.getpid()}", policy=DeliveryPolicy(lease=timedelta(seconds=LEASE_SECONDS)),
        )  # fmt: skip
        while _unfinished(db):
            stats = await deliverer.deliver_due()
            if not (stats.sent or stats.throttled or stats.retried):
                await asyncio.sleep(0.2)  # waiting for a retry time or a dead sender's lease
    db.dispose()


def _unfinished(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM reminder_message m WHERE NOT EXISTS "
                    "(SELECT 1 FROM delivery_event e WHERE e.message_id = m.id "
                    "AND e.kind IN ('sent', 'failed', 'unbound'))"
                )
            ).scalar_one()
        )


def _accepted(record: Path) -> list[dict[str, object]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


if __name__ == "__main__":
    main()
