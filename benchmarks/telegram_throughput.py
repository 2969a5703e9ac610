"""Messages handled per second end to end through the Telegram transport, in one process.

    .venv/bin/python benchmarks/telegram_throughput.py [--messages 2000] [--users 50] [--db URL]

python-telegram-bot long-polls a fake Bot API (tests/fakes/telegram_server.py, no flood limits) on 127.0.0.1;
each update goes through the real TelegramTransport, Dispatcher (dedup row + core on its worker thread) and
Core on a seeded database, and its reply is sent back with sendMessage. The fake runs on the same event loop,
so its own work is counted too.

1. Throughput: --messages text updates from --users bound users are queued, the transport is started, and
   the clock stops when the fake has received that many replies.
2. Round trip: --round-trips messages sent one at a time (queued, then the reply awaited): p50 / p95.

By default a fresh temporary SQLite database is seeded; --db uses another (seeded if needed, members added).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes.telegram_server import FakeTelegram  # noqa: E402

from bot.conversation.core import Core  # noqa: E402
from bot.conversation.dispatch import Dispatcher  # noqa: E402
from bot.conversation.knowledge import Knowledge  # noqa: E402
from bot.conversation.messages import LOCAL_TZ, Inbound  # noqa: E402
from bot.transports.config import TelegramSettings  # noqa: E402
from bot.transports.telegram_transport import TelegramTransport  # noqa: E402
from seeds.apply import apply_seeds  # noqa: E402
from store.db import Database  # noqa: E402
from store.members import add_member  # noqa: E402

TOKEN = "123456789:BENCH-token"
FIRST_USER = 700_000
QUESTIONS = ("鼓楼专利授权量进度", "市检察院有哪些任务", "任务18谁负责", "/progress 鼓楼专利授权量", "/help")
UNITS = ("鼓楼区人民政府", "仓山区人民政府", "市检察院", "中院", "市监局")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--round-trips", type=int, default=200)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="duban-tg-bench-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = Database(url)
        try:
            apply_seeds(db)
            bind_users(db, args.users)
            asyncio.run(run(db, args))
        finally:
            db.dispose()


def bind_users(db: Database, count: int) -> None:
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(count):
        add_member(
            db, platform="telegram", user_id=str(FIRST_USER + n), display_name=f"用户{n}",
            unit=UNITS[n % len(UNITS)], role="staff", at=joined,
        )  # fmt: skip


async def run(db: Database, args: argparse.Namespace) -> None:
    core = Core(Knowledge(db))
    warm_up(core)
    dispatcher = Dispatcher(core)
    async with FakeTelegram(token=TOKEN) as fake:
        settings = TelegramSettings(TOKEN, base_url=fake.base_url)
        transport = TelegramTransport(settings, dispatcher)
        message_ids = itertools.count(1)
        for n in range(args.messages):
            fake.queue_update(
                update(FIRST_USER + n % args.users, QUESTIONS[n % len(QUESTIONS)], next(message_ids))
            )
        started = time.perf_counter()
        await transport.start()
        try:
            await replies(fake, args.messages, timeout=600)
            seconds = time.perf_counter() - started
            latencies = await round_trips(fake, args.round_trips, args.users, message_ids)
        finally:
            await transport.stop()
            dispatcher.close()
    backend = db.engine.dialect.name
    print(
        f"{args.messages} messages from {args.users} users, {backend}, fake Bot API in-process without limits"
    )
    print(
        f"throughput: {args.messages} replies in {seconds:.2f} s = {args.messages / seconds:.0f} messages/s "
        f"(long polling, start-up included)"
    )
    if latencies:
        print(
            f"round trip one at a time ({len(latencies)} messages): p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p95 {percentile(latencies, 0.95):.1f} ms, mean {statistics.fmean(latencies):.1f} ms"
        )


def warm_up(core: Core) -> None:
    """First-touch costs (the tokenizer, lazy imports) are start-up, not per-message work."""
    now = datetime.now(LOCAL_TZ)
    for n, question in enumerate(QUESTIONS):
        user = str(FIRST_USER)
        core.handle(Inbound("telegram", user, user, question, now, message_id=f"warm-{n}"))


async def round_trips(
    fake: FakeTelegram, count: int, users: int, message_ids: itertools.count[int]
) -> list[float]:
    latencies: list[float] = []
    for n in range(count):
        expected = len(fake.sent) + 1
        begun = time.perf_counter()
        fake.queue_update(update(FIRST_USER + n % users, QUESTIONS[n % len(QUESTIONS)], next(message_ids)))
        await replies(fake, expected, timeout=60)
        latencies.append((time.perf_counter() - begun) * 1000)
    return latencies


async def replies(fake: FakeTelegram, count: int, *, timeout: float) -> None:
    await fake.wait_for(lambda: len(fake.sent) >= count, timeout=timeout)


def update(user: int, text: str, message_id: int) -> dict[str, Any]:
    return {
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "用户"},
            "from": {"id": user, "is_bot": False, "first_name": "用户"},
            "text": text,
        }
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    main()
