"""`duban run`: every configured chat transport plus the reminder scheduler, in one process.

With no transport configured the console is the transport: questions on stdin, answers and reminders as
they fall due on stdout. SIGINT and SIGTERM stop it cleanly: the reminder run in progress finishes the
batch it claimed, transports finish the replies they are sending, then the process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.cli.days import parse_day
from bot.cli.settings import Settings
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.dispatch import Dispatcher
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_ADMIN, LOCAL_PLATFORM, LOCAL_TZ, Inbound
from bot.conversation.reminders import ReminderTexts
from bot.transports.base import Transport
from bot.transports.console_transport import ConsolePort
from schedules.calendar import WorkCalendar, next_window_opening
from schedules.delivery import Deliverer, DeliveryPolicy
from schedules.port import Port
from schedules.service import ReminderService, install_sweep_job, make_scheduler
from store.calendar_overrides import calendar_overrides
from store.db import Database
from store.errors import StoreError
from store.outbox import waiting_count
from store.reminder_chats import waiting_by_platform

log = logging.getLogger("duban")
Clock = Callable[[], datetime]


def run_command(args: argparse.Namespace, db: Database) -> int:
    settings = Settings.from_env(db_override=args.db)
    clock = _clock_for(args.today)
    if not db.is_initialised():
        raise StoreError(texts.NOT_INITIALISED)
    db.upgrade()  # a newer duban may bring migrations; upgrading an up-to-date schema does nothing
    configure_logging(settings)
    return asyncio.run(serve(settings, db, clock=clock))


def now() -> datetime:
    return datetime.now(LOCAL_TZ)


def _clock_for(today: str | None) -> Clock:
    """The real clock, or one whose day is fixed (a demonstration on a day when deadlines are interesting):
    the time of day still runs, so the sending window and the scheduler behave as they would that day."""
    if today is None:
        return now
    day = parse_day(today, texts.BAD_TODAY, "--today")
    return lambda: datetime.combine(day, now().timetz())


@dataclass
class ConsoleIO:
    """The console transport's ends: lines come from read (None at end of input), text goes to write."""

    read: Callable[[], str | None] = field(default_factory=lambda: _read_stdin)
    write: Callable[[str], None] = field(default_factory=lambda: _print)


async def serve(
    settings: Settings,
    db: Database,
    *,
    clock: Clock = now,
    console: ConsoleIO | None = None,
    stop: asyncio.Event | None = None,
    transports: Sequence[Transport] | None = None,
) -> int:
    """Run until stop is set (SIGINT/SIGTERM set it), or the console's input ends."""
    stop = stop or asyncio.Event()
    knowledge = Knowledge(db, evidence=settings.evidence_files(), imports=settings.imports_folder())
    dispatcher = Dispatcher(Core(knowledge, public_read=settings.public_read))
    # What start-up built (modules, the plans, the lexicon) lives as long as the process: left to the garbage
    # collector, each full collection walks it again (about 45 ms, a long pause for a message waiting).
    gc.freeze()
    chosen = list(transports) if transports is not None else build_transports(settings, dispatcher, clock)
    console = _stopping_when_closed(console or ConsoleIO(), stop) if not chosen else None
    _warn_of_waiting_units(db, chosen)
    service = _reminder_service(db, chosen, console, clock)
    scheduler = make_scheduler()
    # The scheduler ticks in wall-clock time; what a run sweeps is decided by `clock` (tests move it).
    install_sweep_job(scheduler, service, first_run=datetime.now(LOCAL_TZ))
    signals = _on_signals(stop)
    started: list[Transport] = []
    try:
        for transport in chosen:
            await _start(transport, settings)
            started.append(transport)
            log.info(texts.transport_started(transport.platform, _mode(settings, transport.platform)))
        scheduler.start()
        notice = _window_notice(db, clock) if console else None
        console_task = _start_console(dispatcher, console, clock, stop, notice) if console else None
        await stop.wait()
        if console_task is not None:
            console_task.cancel()
    finally:
        await _shut_down(scheduler, service, started, dispatcher)
        for signum in signals:
            asyncio.get_running_loop().remove_signal_handler(signum)
    return 0


def _warn_of_waiting_units(db: Database, transports: Sequence[Transport]) -> None:
    """Units bound to a platform this process does not serve: their reminders wait in the outbox."""
    waiting = waiting_by_platform(db, available=frozenset(t.platform for t in transports))
    if waiting:
        log.warning(texts.waiting_for_platforms(waiting))


async def _start(transport: Transport, settings: Settings) -> None:
    """A transport that cannot start (wrong token, platform unreachable) stops `duban run` with a message
    saying which one and why, its secrets masked; not a traceback."""
    try:
        await transport.start()
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        for secret in secrets_of(settings):
            detail = detail.replace(secret, "***")
        raise StoreError(texts.transport_failed(transport.platform, detail)) from None


def build_transports(settings: Settings, dispatcher: Dispatcher, clock: Clock) -> list[Transport]:
    """The transports the settings configure; their libraries load only when they are used."""
    chosen: list[Transport] = []
    if settings.telegram is not None:
        from bot.transports.telegram_transport import TelegramTransport

        chosen.append(
            TelegramTransport(settings.telegram, dispatcher, limits=settings.telegram_limits, clock=clock)
        )
    if settings.slack is not None:
        from bot.transports.slack_transport import SlackTransport

        chosen.append(SlackTransport(settings.slack, dispatcher, limits=settings.slack_limits, clock=clock))
    return chosen


def _reminder_service(
    db: Database, transports: Sequence[Transport], console: ConsoleIO | None, clock: Clock
) -> ReminderService:
    instance = f"{socket.gethostname()}-{os.getpid()}"
    ports: dict[str, Port] = {t.platform: t.port for t in transports}
    console_port = ConsolePort(console.write) if console is not None else None

    def deliverer_for(calendar: WorkCalendar) -> Deliverer:
        return Deliverer(db, ports, ReminderTexts(), calendar, clock, instance, console=console_port)

    return ReminderService(db, deliverer_for, clock=clock, instance=instance)


def _stopping_when_closed(console: ConsoleIO, stop: asyncio.Event) -> ConsoleIO:
    """Console output that has gone away (the terminal closed, a `| head` read enough) stops the bot
    quietly; the reminder being printed stays unsent and goes out at the next start."""

    def write(text: str) -> None:
        try:
            console.write(text)
        except BrokenPipeError:
            if not stop.is_set():
                log.info(texts.CONSOLE_CLOSED)
            stop.set()
            raise

    return ConsoleIO(console.read, write)


def _start_console(
    dispatcher: Dispatcher, console: ConsoleIO, clock: Clock, stop: asyncio.Event, notice: str | None = None
) -> asyncio.Task[None]:
    return asyncio.create_task(
        _console_session(dispatcher, console, clock, stop, notice), name="duban-console"
    )


def _window_notice(db: Database, clock: Clock) -> str | None:
    """Outside the sending hours the console says once when they open and how much waits, rather than
    staying silent (issue 17)."""
    policy = DeliveryPolicy()
    now = clock()
    opens = next_window_opening(now, WorkCalendar(calendar_overrides(db)), *policy.window)
    if opens is None:
        return None
    today = now.astimezone(LOCAL_TZ).date()
    waiting = waiting_count(db, since=today - policy.look_back, until=today)
    return texts.outside_window(opens, waiting)


async def _console_session(
    dispatcher: Dispatcher, console: ConsoleIO, clock: Clock, stop: asyncio.Event, notice: str | None = None
) -> None:
    """The console transport: the local operator (an admin) asks; 退出 or end of input stops the bot."""
    try:
        console.write(texts.RUN_CONSOLE_WELCOME)
        if notice is not None:
            console.write(notice)
        lines = _LineReader(console.read)
        count = 0
        while (line := await lines.next()) is not None and line.strip() not in texts.CONSOLE_QUIT_WORDS:
            count += 1
            inbound = Inbound(
                LOCAL_PLATFORM,
                LOCAL_ADMIN,
                LOCAL_ADMIN,
                line,
                clock(),
                message_id=f"run-{os.getpid()}-{count}",
            )
            for reply in await dispatcher.handle(inbound) or []:
                console.write(reply.text)
        console.write(texts.CONSOLE_BYE)
    except BrokenPipeError:  # the output went away; the writer has asked the bot to stop
        return
    stop.set()


class _LineReader:
    """Reads on a daemon thread, a line at a time when asked: a blocked read of the terminal must never keep
    the process from stopping, and the prompt must come after the previous answer, not before it."""

    def __init__(self, read: Callable[[], str | None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._wanted = threading.Semaphore(0)
        self._read = read
        threading.Thread(target=self._pump, name="duban-console-input", daemon=True).start()

    async def next(self) -> str | None:
        self._wanted.release()
        return await self._lines.get()

    def _pump(self) -> None:
        line: str | None = ""
        while line is not None:
            self._wanted.acquire()
            line = self._read()
            try:
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            except RuntimeError:  # the loop has closed (a signal stopped the bot): nobody wants the line
                return


def _on_signals(stop: asyncio.Event) -> list[int]:
    """SIGINT and SIGTERM set stop; returns the signals handled, to be released when serving ends."""
    loop = asyncio.get_running_loop()
    handled: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, _stopping, stop, signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            break
        handled.append(signum)
    return handled


def _stopping(stop: asyncio.Event, signum: int) -> None:
    log.info(texts.stopping(signal.Signals(signum).name))
    stop.set()


async def _shut_down(
    scheduler: Any, service: ReminderService, started: Sequence[Transport], dispatcher: Dispatcher
) -> None:
    # Drain first: shutting the scheduler down cancels the job's task, which would cut a batch in half.
    await service.drain()  # the reminder batch being sent is finished and recorded; no new run starts
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for transport in reversed(started):
        try:
            await transport.stop()
        except Exception:  # one transport failing to stop must not keep the others running
            log.exception("stopping %s failed", transport.platform)
    dispatcher.close()
    log.info(texts.STOPPED)


def _mode(settings: Settings, platform: str) -> str:
    if platform == "telegram" and settings.telegram is not None:
        return "webhook" if settings.telegram.uses_webhook else "polling"
    if platform == "slack" and settings.slack is not None:
        return "socket" if settings.slack.socket_mode else "http"
    return ""


def _read_stdin() -> str | None:
    try:
        return input(texts.CONSOLE_PROMPT)
    except (EOFError, KeyboardInterrupt):
        return None


def _print(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        raise


# --- logging ----------------------------------------------------------------------------------------------


class SecretFilter(logging.Filter):
    """Masks every configured secret in log records: libraries log request URLs, and Telegram's carry the
    bot token in the path."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, "***")
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter(secrets_of(settings)))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def secrets_of(settings: Settings) -> list[str]:
    found: list[str | None] = []
    if settings.telegram is not None:
        found += [settings.telegram.token, settings.telegram.webhook_secret]
    if settings.slack is not None:
        found += [settings.slack.bot_token, settings.slack.app_token, settings.slack.signing_secret]
    return [s for s in found if s]
