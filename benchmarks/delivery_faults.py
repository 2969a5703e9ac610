"""Faults against the reminder sender, counted: for each, how many digests were tried, lost and duplicated.

    .venv/bin/python benchmarks/delivery_faults.py [--digests 600] [--pg postgresql://…] [--only NAME …]

A generated catalog (benchmarks/national.py) is swept for a working day, giving about --digests digests, each
unit with a private Telegram chat (a few on Slack where a case needs it). The real sender — ReminderService,
Deliverer, TelegramPort and SlackPort on python-telegram-bot and slack_sdk — runs in this process against the
fake servers of tests/fakes/, the clock simulated where the case is about time (one scheduler run a
simulated minute) and real where it is about rate limits. What the fakes accepted is the truth: lost = a
digest that never reached its chat by the end, duplicated = one that reached it more than once.

Cases:
  outage       503 from Telegram for 25 simulated minutes from 09:05, then up
  overnight    503 from 17:40 until the window closes; up the next working day
  lost-tg      the answers to 10 sends lost (Telegram took them, the connection dropped)
  lost-slack   the same on Slack
  slow-tg      10 answers held back 6 s (python-telegram-bot's default read timeout is 5 s)
  missing      20 units bound to Slack, the process has only Telegram; later one with Slack runs
  unbound      no unit has a chat: notices the admin receives
  two          two instances at once against Telegram's limits (real time): 429s and duplicates
  db-outage    the database (PostgreSQL behind a proxy, --pg) cut right after a batch was sent, back after
               a few retries
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national  # noqa: E402
from fakes.slack_server import FakeSlack  # noqa: E402
from fakes.tcp_proxy import TcpProxy  # noqa: E402
from fakes.telegram_server import FakeTelegram  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.conversation.reminders import ReminderTexts  # noqa: E402
from bot.transports.slack_port import SlackPort  # noqa: E402
from bot.transports.telegram_port import TelegramPort  # noqa: E402
from schedules.calendar import SHANGHAI, WorkCalendar  # noqa: E402
from schedules.delivery import Deliverer, DeliveryPolicy  # noqa: E402
from schedules.limits import TELEGRAM_LIMITS, TransportLimits  # noqa: E402
from schedules.service import ReminderService  # noqa: E402
from schedules.sweep import run_sweep  # noqa: E402
from store.db import Database  # noqa: E402
from store.members import add_member  # noqa: E402
from store.reminder_chats import Target, bind_unit_chat  # noqa: E402

TOKEN = "123456789:BENCH-token"
DAY = date(2025, 9, 1)  # a Monday
NEXT = date(2025, 9, 2)
JOINED = datetime(2025, 1, 1, tzinfo=UTC)


class Bench:
    """One case's database, fakes and sender."""

    def __init__(self, db: Database, telegram: FakeTelegram, slack: FakeSlack) -> None:
        self.db, self.telegram, self.slack = db, telegram, slack
        self.now = datetime.combine(DAY, clock_time(9, 5), SHANGHAI)
        self.services: dict[str, ReminderService] = {}
        self.clock: Callable[[], datetime] = lambda: self.now

    def chats(self) -> dict[str, Target]:
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT u.name, c.platform, c.chat_id FROM unit_chat c JOIN unit u ON u.id = c.unit_id "
                    "WHERE c.id IN (SELECT max(id) FROM unit_chat GROUP BY unit_id) AND c.action = 'bound'"
                )
            )
            return {name: Target(platform, chat) for name, platform, chat in rows}

    def digests(self, day: date) -> list[str]:
        with self.db.engine.connect() as connection:
            return list(
                connection.execute(
                    text(
                        "SELECT u.name FROM reminder_message m JOIN unit u ON u.id = m.unit_id "
                        "WHERE m.kind = 'digest' AND m.day = :day"
                    ),
                    {"day": day},
                ).scalars()
            )

    def service(
        self,
        worker: str = "w1",
        platforms: tuple[str, ...] = ("telegram", "slack"),
        limits: TransportLimits | None = None,
        sleep: Any = None,
    ) -> ReminderService:
        if worker in self.services:
            return self.services[worker]
        ports: dict[str, Any] = {}
        if "telegram" in platforms:
            ports["telegram"] = TelegramPort(
                Bot(TOKEN, base_url=self.telegram.base_url), limits or TransportLimits()
            )
        if "slack" in platforms:
            ports["slack"] = SlackPort(
                AsyncWebClient(token=self.slack.token, base_url=self.slack.base_url), TransportLimits()
            )

        async def no_wait(_seconds: float) -> None:
            return None

        def deliverer(calendar: WorkCalendar) -> Deliverer:
            real_pacing = limits is not None
            return Deliverer(
                self.db,
                ports,
                ReminderTexts(),
                calendar,
                clock=self.clock,
                worker=worker,
                policy=DeliveryPolicy(),
                sleep=sleep or (asyncio.sleep if real_pacing else no_wait),
            )

        self.services[worker] = ReminderService(self.db, deliverer, clock=self.clock, instance=worker)
        return self.services[worker]

    async def minutes(self, count: int, *workers: str) -> None:
        for _ in range(count):
            for worker in workers or ("w1",):
                try:
                    await self.service(worker).tick()
                except Exception as exc:  # a run that fails is retried by the next, as in `duban run`
                    print(f"    run failed: {type(exc).__name__}", file=sys.stderr)
            self.now += timedelta(minutes=1)

    def received(self, day: date) -> Counter[str]:
        """Unit -> how many of its digests of day reached its chat."""
        chats = {(t.platform, t.chat_id): unit for unit, t in self.chats().items()}
        got: Counter[str] = Counter()
        for message in self.telegram.sent:
            unit = chats.get(("telegram", message.chat_id))
            if unit and message.text.startswith(f"【督办提醒】{unit}（{day}"):
                got[unit] += 1
        for posted in self.slack.posted:
            unit = chats.get(("slack", posted.channel))
            if unit and posted.text.startswith(f"【督办提醒】{unit}（{day}"):
                got[unit] += 1
        return got

    def count(self, *days: date) -> tuple[int, int, int]:
        """(tried, lost, duplicated): a digest counts as delivered if it reached its chat on its own day or
        carried into a later day's digest."""
        tried = lost = duplicated = 0
        chats = self.chats()
        first = [unit for unit in self.digests(days[0]) if unit in chats]  # units without a chat: "unbound"
        later = [self.received(d) for d in days]
        for unit in first:
            tried += 1
            total = sum(r[unit] for r in later)
            lost += total == 0
            duplicated += max(0, later[0][unit] - 1)
        return tried, lost, duplicated


def prepare(path: Path, digests: int) -> None:
    """The generated catalog, unswept, with a Telegram chat for each of the first `digests` units that have a
    digest on DAY (found by sweeping a throwaway copy) and an admin on Slack."""
    db = Database(f"sqlite:///{path}")
    national.generate(
        db, plans=max(60, digests // 8), tasks_per_plan=50, units=max(digests * 2, 1000), seed=7, today=DAY
    )
    db.dispose()
    probe_path = path.with_name("probe.sqlite3")
    shutil.copy(path, probe_path)
    probe = Database(f"sqlite:///{probe_path}")
    run_sweep(
        probe, now=datetime.combine(DAY, clock_time(9), SHANGHAI), calendar=WorkCalendar(), instance="p"
    )
    with probe.engine.connect() as connection:
        units = (
            connection.execute(
                text(
                    "SELECT u.name FROM reminder_message m JOIN unit u ON u.id = m.unit_id "
                    "WHERE m.kind = 'digest' "
                    "ORDER BY u.id"
                )
            )
            .scalars()
            .all()
        )
    probe.dispose()
    db = Database(f"sqlite:///{path}")
    for chat, unit in enumerate(units[:digests], start=1000):
        bind_unit_chat(
            db, unit=unit, target=Target("telegram", str(chat)), member_id=None, actor="b", at=JOINED
        )
    add_member(
        db, platform="slack", user_id="U0ADMIN", display_name="督办", unit=units[0], role="admin", at=JOINED
    )
    db.dispose()


def _open(template: Path, work: Path, pg: str | None) -> Database:
    target = work / f"case-{time.monotonic_ns()}.sqlite3"
    shutil.copy(template, target)
    return Database(f"sqlite:///{target}")


async def case(name: str, db: Database) -> str:
    async with FakeTelegram(token=TOKEN) as telegram:
        with FakeSlack(limits=None) as slack:
            bench = Bench(db, telegram, slack)
            units = list(bench.chats())
            detail = ""
            if name == "outage":
                telegram.outage = 503
                await bench.minutes(25)
                telegram.outage = None
                await bench.minutes(40)
                result = bench.count(DAY)
            elif name == "overnight":
                telegram.outage = 503
                bench.now = datetime.combine(DAY, clock_time(17, 40), SHANGHAI)
                await bench.minutes(25)
                telegram.outage = None
                bench.now = datetime.combine(NEXT, clock_time(9, 5), SHANGHAI)
                await bench.minutes(40)
                result = bench.count(DAY, NEXT)
            elif name in ("lost-tg", "lost-slack"):
                chosen = units[:10]
                if name == "lost-slack":
                    for n, unit in enumerate(chosen):
                        bind_unit_chat(
                            db,
                            unit=unit,
                            target=Target("slack", f"C{n:04d}"),
                            member_id=None,
                            actor="b",
                            at=JOINED,
                        )
                        slack.lose_answers(f"C{n:04d}")
                else:
                    for unit in chosen:
                        telegram.lose_answers(bench.chats()[unit].chat_id)
                await bench.minutes(40)
                result = _only(bench.count(DAY), bench, chosen)
            elif name == "slow-tg":
                chosen = units[:10]
                for unit in chosen:
                    telegram.slow_answers(bench.chats()[unit].chat_id, 6.0)
                await bench.minutes(40)
                result = _only(bench.count(DAY), bench, chosen)
            elif name == "missing":
                chosen = units[:20]
                for n, unit in enumerate(chosen):
                    bind_unit_chat(
                        db,
                        unit=unit,
                        target=Target("slack", f"C{n:04d}"),
                        member_id=None,
                        actor="b",
                        at=JOINED,
                    )
                bench.service("tg", platforms=("telegram",))
                await bench.minutes(20, "tg")
                await bench.minutes(20, "both")
                result = _only(bench.count(DAY), bench, chosen)
            elif name == "unbound":
                for unit, target in bench.chats().items():  # every unit unbinds its chat
                    bind_unit_chat(
                        db, unit=unit, target=target, member_id=None, actor="b", at=JOINED, action="unbound"
                    )
                await bench.minutes(10)
                notices = [m for m in slack.posted if "未绑定" in m.text]
                result = (
                    len(bench.digests(DAY)),
                    len(bench.digests(DAY)),
                    0,
                )  # nowhere to go: recorded unbound
                detail = f"admin notices: {len(notices)}"
            elif name == "two":
                telegram_limited = FakeTelegram(token=TOKEN, limits=TELEGRAM_LIMITS)
                await telegram_limited.start()
                try:
                    bench.telegram = telegram_limited
                    epoch = time.monotonic()
                    start = datetime.combine(DAY, clock_time(10), SHANGHAI)
                    bench.clock = lambda: start + timedelta(seconds=time.monotonic() - epoch)
                    for worker in ("w1", "w2"):
                        bench.service(worker, limits=TELEGRAM_LIMITS)
                    began = time.monotonic()
                    await asyncio.gather(bench.service("w1").tick(), bench.service("w2").tick())
                    while (time.monotonic() - began) < 120 and sum(bench.received(DAY).values()) < len(units):
                        await asyncio.gather(bench.service("w1").tick(), bench.service("w2").tick())
                    elapsed = time.monotonic() - began
                    result = bench.count(DAY)
                    rate = result[0] / elapsed
                    detail = f"429 answers: {telegram_limited.rejected}; {rate:.1f} digests/s (limit 25/s)"
                finally:
                    await telegram_limited.stop()
            else:
                raise SystemExit(f"unknown case {name}")
            return _row(name, result, detail)


def _only(result: tuple[int, int, int], bench: Bench, units: list[str]) -> tuple[int, int, int]:
    got = bench.received(DAY)
    return len(units), sum(got[u] == 0 for u in units), sum(max(0, got[u] - 1) for u in units)


def _row(name: str, result: tuple[int, int, int], detail: str) -> str:
    tried, lost, duplicated = result
    return f"{name:<11} {tried:>6} {lost:>6} {duplicated:>11}  {detail}"


async def db_outage(pg: str, template_digests: int) -> str:
    url = make_url(pg)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench_faults CASCADE"))
            connection.execute(text("CREATE SCHEMA bench_faults"))
        db.dispose()
        scoped = url.set(host="127.0.0.1", port=proxy.port).update_query_dict(
            {"options": "-csearch_path=bench_faults"}
        )
        db = Database(scoped.render_as_string(hide_password=False))
        national.generate(
            db,
            plans=max(60, template_digests // 8),
            tasks_per_plan=50,
            units=max(template_digests * 2, 1000),
            seed=7,
            today=DAY,
        )
        run_sweep(
            db, now=datetime.combine(DAY, clock_time(9), SHANGHAI), calendar=WorkCalendar(), instance="prep"
        )
        with db.engine.connect() as connection:
            units = (
                connection.execute(
                    text(
                        "SELECT u.name FROM reminder_message m JOIN unit u ON u.id = m.unit_id "
                        "WHERE m.kind = 'digest'"
                    )
                )
                .scalars()
                .all()[:template_digests]
            )
        for chat, unit in enumerate(units, start=1000):
            bind_unit_chat(
                db, unit=unit, target=Target("telegram", str(chat)), member_id=None, actor="b", at=JOINED
            )
        retries = Counter[str]()
        async with FakeTelegram(token=TOKEN) as telegram:
            with FakeSlack(limits=None) as slack:
                bench = Bench(db, telegram, slack)

                async def back_after_three(_seconds: float) -> None:
                    retries["n"] += 1
                    if retries["n"] == 3:
                        proxy.restore()
                    await asyncio.sleep(0.05)

                real = TelegramPort(Bot(TOKEN, base_url=telegram.base_url), TransportLimits())

                class Cutting:
                    limits = TransportLimits()

                    async def send(self, message: Any) -> Any:
                        result = await real.send(message)
                        if len(telegram.sent) >= 5 and not retries["cut"]:
                            retries["cut"] = 1  # once: the database goes away right after these sends
                            proxy.cut()
                        return result

                def deliverer(calendar: WorkCalendar) -> Deliverer:
                    return Deliverer(
                        db,
                        {"telegram": Cutting()},
                        ReminderTexts(),
                        calendar,
                        clock=bench.clock,
                        worker="w1",
                        sleep=back_after_three,
                    )

                bench.services["w1"] = ReminderService(db, deliverer, clock=bench.clock, instance="w1")
                await bench.minutes(20)
                result = bench.count(DAY)
        with Database(pg).engine.begin() as connection:
            connection.execute(text("DROP SCHEMA bench_faults CASCADE"))
        return _row(
            "db-outage", result, f"recording retried {retries['n']} times while the database was away"
        )


CASES = ("outage", "overnight", "lost-tg", "lost-slack", "slow-tg", "missing", "unbound", "two")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=600)
    parser.add_argument("--pg", help="PostgreSQL URL for the db-outage case")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    wanted = args.only or [*CASES, *(["db-outage"] if args.pg else [])]
    with tempfile.TemporaryDirectory() as work:
        template = Path(work) / "template.sqlite3"
        prepare(template, args.digests)
        print(f"{'case':<11} {'tried':>6} {'lost':>6} {'duplicated':>11}  detail")
        for name in wanted:
            if name == "db-outage":
                print(asyncio.run(db_outage(args.pg, min(args.digests, 200))), flush=True)
                continue
            db = _open(template, Path(work), None)
            print(asyncio.run(case(name, db)), flush=True)
            db.dispose()


if __name__ == "__main__":
    main()
