"""`duban run` with both webhooks (Telegram's, Slack's HTTP events) against what anyone who can reach their
ports may send (issue 15): a flood of idle connections, then bodies of 50 MiB.

The process is started as an operator would start it, configured by its environment, against the fake Bot API
and Web API servers, with its open-file limit set to 1,024 (the usual default; this machine's may be higher),
so that a flood of 1,100 connections is more than it could hold. For each webhook in turn:

- the flood: N connections (default 1,100) that send a request line and then nothing, all kept open;
- during it, a real update (a signed event) from a bound user: was it answered (HTTP 200 and the bot's reply
  at the fake), and how long after it was sent;
- the flood's sockets closed: how long until a real update is answered again (tried every 0.2 s);
- 150 connections that send a stranger's headers (a guessed Telegram secret; a fresh Slack timestamp with a
  signature that will not match) and 10 bytes of a 1,000-byte body, then nothing: how long until a real
  update is answered while they are held open;
- then three bodies of 50 MiB with the right secret (Content-Length, streamed as fast as the server takes
  them), one whose headers go first, and one chunked: the answer, how much of the body the client got into
  its socket before the answer (or the reset) came, and the process's RSS before and after.

    .venv/bin/python benchmarks/webhook_flood.py [--connections 1100] [--nofile 1024] [--repo PATH]

`--repo` runs another checkout's code (e.g. the commit before the fix) with this script and these fakes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from fakes.slack_events import dm, dm_event, envelope  # noqa: E402
from fakes.slack_server import DEFAULT_TOKEN, FakeSlack  # noqa: E402
from fakes.telegram_server import FakeTelegram  # noqa: E402

from seeds.apply import apply_seeds  # noqa: E402
from store.db import Database  # noqa: E402
from store.members import add_member  # noqa: E402

TOKEN = "123456789:FLOOD-bench-token"
SECRET = "flood-bench-secret"
SIGNING = "floodBenchSigning0123456789abcdef"
TELEGRAM_USER = 777
SLACK_USER = "U0FLOOD01"
HOOK = "/telegram"
EVENTS = "/slack/events"
QUESTION = "市检察院有哪些任务"
MIB = 1024 * 1024


class Bot:
    """`python -m bot run` in a process of its own, its log read as it comes."""

    def __init__(self, repo: Path, env: dict[str, str], nofile: int, cwd: Path) -> None:
        self.repo, self.env, self.nofile, self.cwd = repo, env, nofile, cwd
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._changed = asyncio.Event()

    async def start(self) -> None:
        def limit() -> None:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, hard))

        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=self.cwd, env=self.env, preexec_fn=limit,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace"))
            self._changed.set()
        self._changed.set()  # ended: log_line looks once more, then gives up

    async def log_line(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines:
                    if found := re.search(pattern, line):
                        return found
                assert self.process is not None
                if self.process.stderr is not None and self.process.stderr.at_eof():
                    raise RuntimeError("duban run ended:\n" + "".join(self.lines[-30:]))
                self._changed.clear()
                await self._changed.wait()

    def rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]

    async def stop(self) -> int | None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode


# ---- HTTP on raw sockets ----------------------------------------------------------------------------------


def request_head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def status_of(reader: asyncio.StreamReader) -> int | None:
    line = await reader.readline()
    return int(line.split()[1]) if line.startswith(b"HTTP/") else None


async def exchange(port: int, data: bytes, timeout: float) -> int | None:
    """The status of the answer to these bytes on a new connection; None when none came in time."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(data)
                await writer.drain()
                return await status_of(reader)
            finally:
                writer.close()
    except (TimeoutError, OSError):
        return None


class Flood:
    """Idle connections: a request line each, then nothing; `closed` counts those the server closed."""

    def __init__(self) -> None:
        self.tried = self.accepted = self.closed = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.watchers: list[asyncio.Task[None]] = []

    async def open(self, port: int, path: str, count: int) -> None:
        async def one() -> None:
            self.tried += 1
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
                writer.write(f"POST {path} HTTP/1.1\r\n".encode())
            except (TimeoutError, OSError):
                return
            self.accepted += 1
            self.writers.append(writer)
            self.watchers.append(asyncio.create_task(self._watch(reader)))

        gate = asyncio.Semaphore(100)  # connect 100 at a time, as fast as they complete

        async def gated() -> None:
            async with gate:
                await one()

        await asyncio.gather(*(gated() for _ in range(count)))

    async def _watch(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            await reader.read()
        self.closed += 1

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for watcher in self.watchers:
            watcher.cancel()


# ---- the two webhooks -------------------------------------------------------------------------------------


class Target:
    name: str
    port: int
    path: str

    def real(self) -> bytes:  # a request that the bot must answer
        raise NotImplementedError

    def answers(self) -> int:  # replies the fake has received so far
        raise NotImplementedError

    def oversize(self, length: int | None) -> bytes:  # headers accepted up to the body
        raise NotImplementedError

    def stranger(self, length: int) -> bytes:  # the headers a stranger can send (no secret of ours)
        raise NotImplementedError

    async def answered(self, before: int, timeout: float) -> float | None:
        """Seconds until the fake has a reply beyond `before`, or None."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.answers() > before:
                return time.monotonic() - start
            await asyncio.sleep(0.02)
        return None


class TelegramTarget(Target):
    name, path = "Telegram webhook", HOOK

    def __init__(self, fake: FakeTelegram, port: int) -> None:
        self.fake, self.port, self.count = fake, port, 0

    def real(self) -> bytes:
        self.count += 1
        message = {
            "message_id": self.count, "date": int(time.time()), "text": QUESTION,
            "chat": {"id": TELEGRAM_USER, "type": "private", "first_name": "王五"},
            "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "王五"},
        }  # fmt: skip
        body = json.dumps({"update_id": 100 + self.count, "message": message}).encode()
        return self._head(len(body)) + body

    def _head(self, length: int | None) -> bytes:
        size = {"Content-Length": str(length)} if length is not None else {"Transfer-Encoding": "chunked"}
        secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return request_head(HOOK, {"Content-Type": "application/json", **secret, **size})

    def oversize(self, length: int | None) -> bytes:
        return self._head(length)

    def stranger(self, length: int) -> bytes:
        guess = {"X-Telegram-Bot-Api-Secret-Token": "a-guess", "Content-Length": str(length)}
        return request_head(HOOK, {"Content-Type": "application/json", **guess})

    def answers(self) -> int:
        return sum(1 for m in self.fake.sent if m.chat_id == str(TELEGRAM_USER))


class SlackTarget(Target):
    name, path = "Slack events", EVENTS

    def __init__(self, fake: FakeSlack, port: int) -> None:
        self.fake, self.port, self.count = fake, port, 0

    def real(self) -> bytes:
        self.count += 1
        body = json.dumps(envelope(dm_event(SLACK_USER, QUESTION, self.count), f"EvFLOOD{self.count:05d}"))
        return self._head(len(body), body.encode()) + body.encode()

    def _head(self, length: int | None, body: bytes = b"") -> bytes:
        stamp = str(int(time.time()))
        digest = hmac.new(SIGNING.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        size = {"Content-Length": str(length)} if length is not None else {"Transfer-Encoding": "chunked"}
        return request_head(EVENTS, {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                                     "X-Slack-Signature": f"v0={digest}", **size})  # fmt: skip

    def oversize(self, length: int | None) -> bytes:
        return self._head(length)  # signed over nothing: the size is what is refused first, or not

    def stranger(self, length: int) -> bytes:
        return self._head(length)  # a fresh timestamp and a signature that will not match: read, then 401

    def answers(self) -> int:
        return len(self.fake.sent(dm(SLACK_USER)))


async def real_request(target: Target, timeout: float) -> tuple[int | None, float | None]:
    before = target.answers()
    status = await exchange(target.port, target.real(), timeout)
    return status, (await target.answered(before, timeout) if status == 200 else None)


async def flood_round(target: Target, count: int, wait: float) -> list[str]:
    flood = Flood()
    start = time.monotonic()
    await flood.open(target.port, target.path, count)
    opened_in = time.monotonic() - start
    status, reply = await real_request(target, wait)
    closed_during = flood.closed
    await flood.close()
    closed_at = time.monotonic()
    recovered: float | None = None
    while time.monotonic() - closed_at < 120:
        _, reply_after = await real_request(target, 2)
        if reply_after is not None:
            recovered = time.monotonic() - closed_at
            break
        await asyncio.sleep(0.2)
    during = (
        f"answered (HTTP 200, reply {reply:.2f} s after sending)"
        if reply is not None
        else f"NOT answered within {wait:.0f} s (HTTP status {status})"
    )
    after = f"answered again after {recovered:.2f} s" if recovered is not None else "NOT answered in 120 s"
    return [
        f"{target.name}: flood of idle connections: {flood.tried} tried, {flood.accepted} accepted "
        f"(connected) in {opened_in:.1f} s, {closed_during} closed by the server while the flood lasted",
        f"{target.name}: a real update during the flood: {during}",
        f"{target.name}: after the flood's sockets closed: {after}",
    ]


async def send_oversize(target: Target, size: int, *, chunked: bool = False, wait: bool = False) -> str:
    """Stream a body of `size` bytes (by Content-Length or chunked) as fast as the server takes it, until it
    answers or closes the connection; with `wait`, first wait up to 2 s for an answer to the headers alone."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", target.port), 10)
    except (TimeoutError, OSError) as exc:
        return f"not connected ({type(exc).__name__})"
    writer.write(target.oversize(None if chunked else size))
    answer = asyncio.create_task(status_of(reader))
    if wait:
        await asyncio.wait([answer], timeout=2)
    piece = b"x" * (64 * 1024)
    sent = 0
    start = time.monotonic()
    with contextlib.suppress(OSError):  # the server closed the connection: the rest was never read
        while sent < size and not answer.done() and time.monotonic() - start < 60:
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
            sent += len(piece)
        if chunked and not answer.done():
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    try:
        status: int | str | None = await asyncio.wait_for(answer, 30)
    except TimeoutError:
        status = "none in 30 s"
    except OSError:
        status = "connection reset by the server"
    writer.close()
    kind = "chunked" if chunked else "by Content-Length" + (", headers first" if wait else "")
    return f"{size // MIB} MiB {kind}: answer {status}, {sent / MIB:.2f} MiB of body written to the socket"


async def slow_round(target: Target, count: int) -> list[str]:
    """`count` connections that send a stranger's headers and 10 bytes of a 1,000-byte body, then nothing,
    kept open: requests in progress until the body timeout, which the cap does not close for a newcomer."""
    writers: list[asyncio.StreamWriter] = []
    for _ in range(count):
        with contextlib.suppress(TimeoutError, OSError):
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", target.port), 5)
            writer.write(target.stranger(1000) + b"x" * 10)
            writers.append(writer)
    start = time.monotonic()
    answered: float | None = None
    refused = 0
    while time.monotonic() - start < 120:
        _, reply = await real_request(target, 2)
        if reply is not None:
            answered = time.monotonic() - start
            break
        refused += 1
        await asyncio.sleep(0.2)
    for writer in writers:
        writer.close()
    outcome = (
        f"first real update answered {answered:.1f} s after they were opened ({refused} tries refused before)"
        if answered is not None
        else "no real update answered in 120 s"
    )
    return [f"{target.name}: {len(writers)} slow-body connections kept open: {outcome}"]


async def oversize_round(bot: Bot, target: Target, bodies: int, mib: int) -> list[str]:
    before = bot.rss_mb()
    results = [await send_oversize(target, mib * MIB) for _ in range(bodies)]
    results.append(await send_oversize(target, mib * MIB, wait=True))
    results.append(await send_oversize(target, mib * MIB, chunked=True))
    after = bot.rss_mb()
    status, reply = await real_request(target, 30)
    return [
        *(f"{target.name}: {result}" for result in results),
        f"{target.name}: RSS before the oversize bodies {before:.1f} MB, after {after:.1f} MB",
        f"{target.name}: a real update afterwards: "
        + ("answered" if reply is not None else f"NOT answered ({status})"),
    ]


# ---- setup -------------------------------------------------------------------------------------------------


def prepared_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'duban.sqlite3'}"
    database = Database(url)
    apply_seeds(database)
    joined = datetime.now(UTC) - timedelta(days=1)
    for platform, user in (("telegram", str(TELEGRAM_USER)), ("slack", SLACK_USER)):
        add_member(database, platform=platform, user_id=user, display_name="王五", unit="鼓楼区人民政府",
                   role="staff", at=joined)  # fmt: skip
    database.dispose()
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def code_version(repo: Path) -> str:
    try:
        found = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%h %s"], capture_output=True,
                               text=True, check=True)  # fmt: skip
        return found.stdout.strip()[:80]
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"


async def run(args: argparse.Namespace) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this side holds the flood's sockets
    repo = Path(args.repo).resolve()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(limits=None, users={SLACK_USER: "王五"}) as slack:
        async with FakeTelegram(token=TOKEN) as telegram:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
            (Path(tmp) / "empty.env").write_text("")
            env.update(
                PYTHONPATH=str(repo),
                DUBAN_HOME=str(Path(tmp) / "home"),
                DUBAN_DB=prepared_database(Path(tmp)),
                DUBAN_ENV_FILE=str(Path(tmp) / "empty.env"),
                DUBAN_TELEGRAM_TOKEN=TOKEN,
                DUBAN_TELEGRAM_BASE_URL=telegram.base_url,
                DUBAN_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK}",
                DUBAN_TELEGRAM_WEBHOOK_SECRET=SECRET,
                DUBAN_TELEGRAM_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
                DUBAN_SLACK_BOT_TOKEN=DEFAULT_TOKEN,
                DUBAN_SLACK_SIGNING_SECRET=SIGNING,
                DUBAN_SLACK_BASE_URL=slack.base_url,
                DUBAN_SLACK_LISTEN="127.0.0.1:0",
            )
            bot = Bot(repo, env, args.nofile, Path(tmp))
            print(f"duban run at {repo} ({code_version(repo)}), RLIMIT_NOFILE {args.nofile}", flush=True)
            await bot.start()
            try:
                events = (await bot.log_line(r"receiving HTTP events at (\S+)"))[1]
                await bot.log_line("Telegram 已连接")
                await bot.log_line("Slack 已连接")
                slack_port = int(events.rsplit(":", 1)[1].split("/")[0])
                targets: list[Target] = [TelegramTarget(telegram, port), SlackTarget(slack, slack_port)]
                for target in targets:
                    status, reply = await real_request(target, 30)
                    shown = f"reply after {reply:.2f} s" if reply is not None else "NOT answered"
                    print(
                        f"{target.name}: before anything, a real update: HTTP {status}, {shown}", flush=True
                    )
                steps: list[Callable[[], Awaitable[list[str]]]] = []
                for target in targets:
                    steps.append(lambda t=target: flood_round(t, args.connections, args.wait))  # type: ignore[misc]
                for target in targets:
                    steps.append(lambda t=target: slow_round(t, args.slow))  # type: ignore[misc]
                for target in targets:
                    steps.append(lambda t=target: oversize_round(bot, t, args.bodies, args.mib))  # type: ignore[misc]
                for step in steps:
                    for line in await step():
                        print(line, flush=True)
            finally:
                code = await bot.stop()
            tracebacks = sum(1 for line in bot.lines if line.startswith("Traceback"))
            print(f"duban run exited with status {code}; tracebacks in its log: {tracebacks}")
            if tracebacks and args.show_log:
                first = next(n for n, line in enumerate(bot.lines) if line.startswith("Traceback"))
                print("  first traceback:\n" + "".join(bot.lines[max(0, first - 2) : first + 25]))
            warnings = [line.strip() for line in bot.lines if "WARNING" in line or "ERROR" in line]
            for line in warnings[: args.show_log]:
                print("  log:", line[:200])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--connections", type=int, default=1100, help="idle connections in each flood")
    parser.add_argument("--nofile", type=int, default=1024, help="duban run's open-file limit")
    parser.add_argument(
        "--wait", type=float, default=30.0, help="seconds a real update may take to be answered"
    )
    parser.add_argument("--slow", type=int, default=150, help="slow-body connections (over the cap)")
    parser.add_argument("--bodies", type=int, default=3, help="oversize bodies by Content-Length")
    parser.add_argument("--mib", type=int, default=50, help="size of each oversize body")
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose duban runs")
    parser.add_argument("--show-log", type=int, default=10, help="warning and error lines of its log to show")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
