"""The question path at national scale: cold start, resident memory, per-message latency by kind of question,
a confirmed report followed by a question, reply lengths and numbered options.

    .venv/bin/python benchmarks/questions_national.py --db sqlite:////tmp/national.sqlite3 \\
        [--per-kind 20] [--today 2026-11-22] [--cold-runs 3] [--skip-cold] [--skip-run]
    .venv/bin/python benchmarks/questions_national.py --seeds      # the same on the two-plan seed database

The database (benchmarks/national.py's, or the seeds with --seeds) is copied to a temporary file first: the
write round confirms reports, and `duban run` sweeps reminders into the copy. Questions are drawn from the
database itself (its regions, units, plans, tasks and indicator names, by a fixed random seed), so the same
script measures two plans and three thousand. Every message goes through `Core.handle` as a chat message
would; each kind of question is asked by fresh users, then followed up, after one warm-up round of each kind
about other names (as latency.py warms up: SQL statements compiled, the database's pages read once). Prints,
per kind: messages, p50, p99 and max milliseconds, the longest reply in characters and the most numbered
options offered.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import text

from bot.conversation.messages import LOCAL_ADMIN, LOCAL_PLATFORM, LOCAL_TZ, Inbound
from store.db import Database

TELEGRAM_LIMIT = 4096
COLD_QUESTION = "专利授权量进度"


@dataclass
class Figures:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    longest: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    options: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """Names drawn from the database, for questions."""

    regions: list[str]
    units: list[str]
    plan_titles: list[str]
    tasks: list[tuple[str, int, str]]  # (plan region, number, content)
    indicators: list[str]  # distinct indicator names


def sample(db: Database, rng: random.Random, count: int) -> Sample:
    with db.engine.connect() as connection:

        def column(sql: str) -> list[str]:
            return [str(v) for v in connection.execute(text(sql)).scalars()]

        regions = column("SELECT DISTINCT region FROM plan ORDER BY region")
        units = column("SELECT name FROM unit WHERE kind != 'collective' ORDER BY id")
        titles = column("SELECT title FROM plan ORDER BY id")
        names = column("SELECT DISTINCT name FROM indicator ORDER BY name")
        task_count = int(connection.execute(text("SELECT count(*) FROM task")).scalar_one())
        task_ids = [rng.randrange(1, task_count + 1) for _ in range(count)]
        rows = connection.execute(
            text(
                "SELECT p.region, t.number, t.content FROM task t JOIN plan p ON p.id = t.plan_id "
                f"WHERE t.id IN ({','.join(str(i) for i in task_ids)})"
            )
        ).all()
    return Sample(
        regions=rng.sample(regions, min(count, len(regions))),
        units=rng.sample(units, min(count, len(units))),
        plan_titles=rng.sample(titles, min(count, len(titles))),
        tasks=[(str(r), int(n), str(c)) for r, n, c in rows],
        indicators=names,
    )


def conversations(s: Sample, rng: random.Random, per_kind: int) -> dict[str, list[list[str]]]:
    """Each kind of question as short conversations: the first message asks, the rest follow up."""

    def pick(items: list, n: int = per_kind) -> list:
        return [items[i % len(items)] for i in range(n)] if items else []

    indicator = lambda: rng.choice(s.indicators)  # noqa: E731
    region_task = [(r, n) for r, n, _ in s.tasks]
    return {
        "indicator progress": [[f"{r}{indicator()}进度"] for r in pick(s.regions)],
        "indicator, no region": [[f"{indicator()}进度"] for _ in range(per_kind)],
        "unit tasks": [[f"{u}有哪些任务"] for u in pick(s.units)],
        "task detail": [[f"{r}任务{n}是什么"] for r, n in pick(region_task)],
        "task by wording": [[c.split("，")[0]] for _, _, c in pick(s.tasks)],
        "overdue": [["逾期任务"] if i % 2 == 0 else [f"{u}逾期的任务"] for i, u in enumerate(pick(s.units))],
        "due window": [[w] for w in pick(["下个月到期的任务", "本季度到期的任务", "年底前到期的任务"])],
        "overview": [["总体情况"] if i % 2 == 0 else [f"{r}总体情况"] for i, r in enumerate(pick(s.regions))],
        "indicator list": [[f"{r}有哪些指标"] for r in pick(s.regions)],
        "document search": [[q] for q in pick(["知识产权法院什么时候设立", "领导小组组长是谁"])],
        "follow-ups": [
            [f"{r}{indicator()}进度", f"那{indicator()}呢", "谁负责", "逾期任务", "更多", "更多"]
            for r in pick(s.regions, max(1, per_kind // 4))
        ],
    }


def ask_all(core: object, convs: dict[str, list[list[str]]], at: datetime, figures: Figures) -> None:
    handle: Callable = core.handle  # type: ignore[attr-defined]
    for kind, talks in convs.items():
        for index, talk in enumerate(talks):
            user = f"{kind}-{index}"
            for turn, words in enumerate(talk):
                inbound = Inbound("bench", user, user, words, at, f"{user}-{turn}")
                start = time.perf_counter()
                try:
                    [reply] = handle(inbound)
                except Exception as exc:  # a failure is a figure too (the old design failed on some)
                    figures.errors[kind] = f"{type(exc).__name__}: {exc}"[:80]
                    continue
                figures.timings[kind].append((time.perf_counter() - start) * 1000)
                figures.longest[kind] = max(figures.longest[kind], len(reply.text))
                memory = core._conversations.get(("bench", user))  # type: ignore[attr-defined]
                options = len(memory.options) if memory is not None else 0
                figures.options[kind] = max(figures.options[kind], options)


def write_then_ask(
    core: object, s: Sample, at: datetime, rounds: int, figures: Figures, prefix: str = "w"
) -> None:
    """The local admin reports a task done, confirms, and asks about it at once."""
    handle: Callable = core.handle  # type: ignore[attr-defined]
    for index, (region, number, _) in enumerate(s.tasks[:rounds]):
        for turn, (kind, words) in enumerate(
            (
                ("report (preview)", f"{region}任务{number}已完成"),
                ("confirm (write)", "确认"),
                ("question after write", f"{region}任务{number}是什么"),
            )
        ):
            inbound = Inbound(LOCAL_PLATFORM, LOCAL_ADMIN, LOCAL_ADMIN, words, at, f"{prefix}-{index}-{turn}")
            start = time.perf_counter()
            [reply] = handle(inbound)
            figures.timings[kind].append((time.perf_counter() - start) * 1000)
            figures.longest[kind] = max(figures.longest[kind], len(reply.text))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start(url: str, today: date, runs: int, env: dict[str, str]) -> None:
    duban = str(Path(sys.executable).with_name("duban"))
    command = [duban, "ask", "--db", url, "--today", today.isoformat(), COLD_QUESTION]
    subprocess.run(command, env=env, check=True, capture_output=True)  # untimed: .pyc files exist after it
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("duban ask failed")
    print(
        f"cold start `duban ask {COLD_QUESTION}`: median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}; {runs} runs), peak RSS {max(peaks):.0f} MiB"
    )


def run_rss(url: str, today: date, env: dict[str, str], settle: float) -> None:
    """`duban run` on the console: RSS once it has started and settled, then after answering a question."""
    duban = str(Path(sys.executable).with_name("duban"))
    child = subprocess.Popen(
        [duban, "run", "--db", url, "--today", today.isoformat()],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    started = time.perf_counter()
    child.stdout.readline()  # the welcome line: the core is built
    ready = time.perf_counter() - started
    time.sleep(settle)
    idle = rss_mib(child.pid)
    child.stdin.write(f"{COLD_QUESTION}\n")
    child.stdin.flush()
    time.sleep(settle)
    answered = rss_mib(child.pid)
    child.stdin.close()
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
    print(
        f"`duban run` (console): ready in {ready:.2f} s; RSS {idle:.0f} MiB idle after {settle:.0f} s, "
        f"{answered:.0f} MiB after a question"
    )


def report(figures: Figures) -> None:
    print(f"{'kind':<24} {'msgs':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'longest':>8} {'options':>8}")
    for kind, values in figures.timings.items():
        if not values:
            continue
        print(
            f"{kind:<24} {len(values):>5} {percentile(values, 0.5):>8.2f} {percentile(values, 0.99):>8.2f} "
            f"{max(values):>8.2f} {figures.longest[kind]:>8} {figures.options[kind]:>8}"
        )
    for kind, error in figures.errors.items():
        print(f"{kind:<24} failed: {error}")
    over = [k for k, n in figures.longest.items() if n > TELEGRAM_LIMIT]
    print(f"replies over {TELEGRAM_LIMIT} characters: {', '.join(over) if over else 'none'}")


def seeded_copy(folder: Path) -> str:
    from seeds.apply import apply_seeds

    url = f"sqlite:///{folder / 'seeds.sqlite3'}"
    db = Database(url)
    apply_seeds(db)
    db.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", help="a SQLite URL (copied first) or a PostgreSQL URL (written to)")
    parser.add_argument("--seeds", action="store_true", help="measure the two-plan seed database instead")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 22))
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds `duban run` idles before RSS")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--skip-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DUBAN_HOME": folder}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.seeds:
            url = seeded_copy(Path(folder))
        elif args.db and args.db.startswith("sqlite:///"):
            copy = Path(folder) / "copy.sqlite3"
            shutil.copyfile(args.db.removeprefix("sqlite:///"), copy)
            url = f"sqlite:///{copy}"
        elif args.db:
            url = args.db
        else:
            raise SystemExit("--db URL or --seeds")
        db = Database(url)
        with db.engine.connect() as connection:
            counts = {
                t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("plan", "task", "unit", "indicator")
            }
        print(f"database: {', '.join(f'{n:,} {t}s' for t, n in counts.items())}; today {args.today}")
        if not args.skip_cold:
            cold_start(url, args.today, args.cold_runs, env)
        if not args.skip_run:
            run_rss(url, args.today, env, args.settle)
        from bot.conversation.core import Core
        from bot.conversation.knowledge import Knowledge

        start = time.perf_counter()
        core = Core(Knowledge(db), public_read=True)
        gc.freeze()  # as `duban run` does once started (bot/cli/run.py)
        print(
            f"in process: Core(Knowledge(db)) {time.perf_counter() - start:.2f} s, "
            f"RSS {rss_mib(os.getpid()):.0f} MiB"
        )
        at = datetime.combine(args.today, clock_time(10), LOCAL_TZ)
        warm = random.Random(2)  # a long-running bot has run every kind of query before: other names, once
        warm_sample = sample(db, warm, 3)
        ask_all(core, conversations(warm_sample, warm, 2), at, Figures())
        write_then_ask(core, warm_sample, at, 2, Figures(), prefix="warm")
        rng = random.Random(1)
        drawn = sample(db, rng, max(args.per_kind, 10))
        figures = Figures()
        ask_all(core, conversations(drawn, rng, args.per_kind), at, figures)
        write_then_ask(core, drawn, at, max(3, args.per_kind // 2), figures)
        report(figures)
        print(f"in process after the questions: RSS {rss_mib(os.getpid()):.0f} MiB")
        db.dispose()


if __name__ == "__main__":
    main()
