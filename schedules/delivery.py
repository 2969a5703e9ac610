"""Delivering the outbox: claim due messages, send them through a transport port within its rate limits,
record what happened, retry with backoff, and tell the admins what could not be delivered.

Transports (Telegram, Slack, the console) implement `Port`; the wording comes from a `Renderer` the bot
supplies, so this module has no user-facing text and no platform code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Protocol

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.limits import Limit, RateLimiter, TransportLimits
from schedules.port import Buttons, Outgoing, Port, SendResult
from schedules.summary import OverdueSummary
from store.db import Database
from store.delivery_events import DIGEST, FAILED, RETRY, SENT, THROTTLED, UNBOUND
from store.outbox import MessageView, claim, enqueue_notice, record_delivery
from store.reminder_chats import Target, mark_chat_unreachable

log = logging.getLogger(__name__)
SAFETY_MARGIN = 0.025  # seconds added to every rate-limit window (see paced)


class Renderer(Protocol):
    """The user-facing wording of what is sent (the bot's texts)."""

    def message(self, view: MessageView) -> tuple[str, Buttons]: ...

    def failed_notice(self, view: MessageView, detail: str) -> str: ...

    def unbound_notice(self, view: MessageView) -> str: ...

    def unreachable_notice(self, units: Sequence[str], chat: str, detail: str) -> str: ...

    def overdue_summary(self, summary: OverdueSummary) -> str: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    max_failures: int = 5  # errors before a message is marked failed and the admins are told
    backoff: timedelta = timedelta(seconds=30)  # doubled after each error
    lease: timedelta = timedelta(minutes=2)  # a claim whose sender died is taken over after this
    window: tuple[clock_time, clock_time] = (clock_time(9), clock_time(18))  # Shanghai sending hours
    batch: int = 25
    look_back: timedelta = timedelta(days=7)  # older unsent messages are not sent any more


@dataclass
class DeliveryStats:
    sent: int = 0
    throttled: int = 0
    retried: int = 0
    failed: int = 0
    unbound: int = 0

    def add(self, other: DeliveryStats) -> None:
        for name in ("sent", "throttled", "retried", "failed", "unbound"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Deliverer:
    db: Database
    ports: Mapping[str, Port]
    renderer: Renderer
    calendar: WorkCalendar
    clock: Callable[[], datetime]
    worker: str
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    console: Port | None = None  # the embedded default: every message goes here, bound chat or not
    monotonic: Callable[[], float] = time.monotonic
    should_continue: Callable[[], bool] = lambda: True  # False once the process is stopping: no new batch
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _limiters: dict[int, RateLimiter] = field(default_factory=dict)
    _writer: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "duban-outbox-writer"))

    def in_window(self, now: datetime) -> bool:
        local = now.astimezone(SHANGHAI)
        start, end = self.policy.window
        return self.calendar.is_workday(local.date()) and start <= local.time() < end

    async def deliver_due(self) -> DeliveryStats:
        """Send everything due now, batch by batch, until nothing more can go now."""
        stats = DeliveryStats()
        while self.should_continue() and self.in_window(self.clock()):
            now = self.clock()
            today = now.astimezone(SHANGHAI).date()
            claimed = claim(
                self.db, now=now, worker=self.worker, lease=self.policy.lease,
                since=today - self.policy.look_back, until=today, limit=self.policy.batch,
            )  # fmt: skip
            if not claimed:
                break
            results = await asyncio.gather(*(self._deliver(view) for view in self._paced(claimed)))
            for result in results:
                stats.add(result)
        return stats

    def _paced(self, views: list[MessageView]) -> list[tuple[MessageView, float]]:
        """Book each send's slot in its transport's limits now, so a batch goes out as fast as allowed."""
        paced: list[tuple[MessageView, float]] = []
        for view in views:
            route = self._route(view)
            wait = 0.0
            if route is not None:
                port, target = route
                wait = self._limiter(port).reserve(target.chat_id, group=target.is_group)
            paced.append((view, wait))
        return paced

    async def _deliver(self, paced: tuple[MessageView, float]) -> DeliveryStats:
        view, wait = paced
        route = self._route(view)
        if route is None:
            return self._unbound(view)
        port, target = route
        if wait > 0:
            await self.sleep(wait)
        text, buttons = self.renderer.message(view)
        try:
            result = await port.send(Outgoing(target, text, buttons))
        except Exception as exc:  # a transport bug must not stop the other sends; it counts as an error
            log.exception("sending message %s failed", view.id)
            result = SendResult("error", detail=f"{type(exc).__name__}: {exc}")
        if result.status == "throttled":
            self._limiter(port).penalise(target.chat_id, _wait(result))
        # Recording is a database write: off the event loop, so the other sends keep their booked times, and
        # on one writer thread, so this process never has two SQLite write transactions racing each other.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._record, view, target, text, result)

    def _record(self, view: MessageView, target: Target, text: str, result: SendResult) -> DeliveryStats:
        now, stats = self.clock(), DeliveryStats()
        if result.status == "sent":
            record_delivery(
                self.db, view.id, SENT, at=now, worker=self.worker, target=target, detail=text,
                platform_message_id=result.platform_message_id,
            )  # fmt: skip
            stats.sent = 1
        elif result.status == "throttled":
            wait = _wait(result)
            record_delivery(
                self.db, view.id, THROTTLED, at=now, worker=self.worker, target=target,
                detail=f"429 retry_after={wait:g}", retry_at=now + timedelta(seconds=wait),
            )  # fmt: skip
            stats.throttled = 1
        elif result.status == "blocked":
            self._blocked(view, target, result.detail or result.status)
            stats.failed = 1
        elif result.status == "error" and view.failures + 1 < self.policy.max_failures:
            retry_at = now + self.policy.backoff * (2**view.failures)
            record_delivery(
                self.db, view.id, RETRY, at=now, worker=self.worker, target=target, detail=result.detail,
                retry_at=retry_at,
            )  # fmt: skip
            stats.retried = 1
        else:
            self._failed(view, target, result.detail or result.status)
            stats.failed = 1
        return stats

    def _failed(self, view: MessageView, target: Target | None, detail: str) -> None:
        now = self.clock()
        record_delivery(self.db, view.id, FAILED, at=now, worker=self.worker, target=target, detail=detail)
        log.warning("message %s (%s) failed: %s", view.id, view.key, detail)
        if view.kind == DIGEST:  # a notice about a failed notice would only loop
            body = self.renderer.failed_notice(view, detail)
            enqueue_notice(self.db, reason=FAILED, day=_day(now), body=body, at=now, about_message_id=view.id)

    def _blocked(self, view: MessageView, target: Target, detail: str) -> None:
        """The platform refused the chat (403, channel gone): retrying cannot help. The message fails, every
        unit bound to that chat loses it (their next digests are reported unbound) and the admins are told."""
        now = self.clock()
        record_delivery(self.db, view.id, FAILED, at=now, worker=self.worker, target=target, detail=detail)
        units = mark_chat_unreachable(self.db, target, at=now, detail=detail)
        log.warning("message %s: chat %s refused (%s); units unbound: %s", view.id, target, detail, units)
        if view.kind == DIGEST:
            body = self.renderer.unreachable_notice(units, str(target), detail)
            enqueue_notice(self.db, reason=FAILED, day=_day(now), body=body, at=now, about_message_id=view.id)

    def _unbound(self, view: MessageView) -> DeliveryStats:
        now = self.clock()
        record_delivery(self.db, view.id, UNBOUND, at=now, worker=self.worker, detail="no bound chat")
        if view.kind == DIGEST:
            body = self.renderer.unbound_notice(view)
            enqueue_notice(
                self.db, reason=UNBOUND, day=_day(now), body=body, at=now, about_message_id=view.id
            )
        else:
            log.warning("notice %s has no reachable recipient", view.key)
        return DeliveryStats(unbound=1)

    def _route(self, view: MessageView) -> tuple[Port, Target] | None:
        if self.console is not None:
            return self.console, Target("console", view.unit or view.member or "?")
        if view.target is None or view.target.platform not in self.ports:
            return None
        return self.ports[view.target.platform], view.target

    def _limiter(self, port: Port) -> RateLimiter:
        limiter = self._limiters.get(id(port))
        if limiter is None:
            limiter = self._limiters[id(port)] = RateLimiter(paced(port.limits), self.monotonic)
        return limiter


def paced(limits: TransportLimits) -> TransportLimits:
    """The platform's limits as evenly spaced sends with a little margin: "25 per second" becomes one send
    every 41 ms. Booking whole bursts at the limit lets network jitter push a burst's stragglers into the
    next window, which the platform refuses with 429. Spacing costs no throughput; the margin about 2.5 %."""

    def spaced(limit: Limit | None) -> Limit | None:
        return Limit(1, (limit.per_seconds + SAFETY_MARGIN) / limit.count) if limit else None

    return TransportLimits(spaced(limits.per_chat), spaced(limits.per_group), spaced(limits.overall))


def _wait(result: SendResult) -> float:
    return max(result.retry_after or 1.0, 0.0)


def _day(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()
