"""Delivering the outbox: claim due messages, send them through a transport port within its rate limits,
record what happened, retry with backoff, and tell the admins what could not be delivered.

Transports (Telegram, Slack, the console) implement `Port`; the wording comes from a `Renderer` the bot
supplies, so this module has no user-facing text and no platform code.

What it promises (each tried in tests/schedules/test_delivery_faults.py):
- an outage of hours delays delivery and loses nothing: a transient error is retried with capped back-off
  for as long as the message is in the sending window's reach, never given up after a count; a digest still
  unsent by the next working day goes into that day's digest (the sweep carries it);
- one sender per platform, however many processes (a lease in the database), so the platform's limits hold;
- a unit bound to a platform this process lacks waits for a process that has it;
- a send whose answer was lost (timeout) is marked uncertain and, where the platform allows, looked for
  before it is sent again; a sent message whose record could not be written (the database away) is
  recorded once the database is back, not sent again;
- the admins hear once a day, by every other route, that a platform is failing, and when it recovers; they
  get one notice per run listing the units without a reminder chat, not one per unit.
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
from schedules.weekly import WeeklyReport
from store.db import TRANSIENT_DATABASE_ERRORS, Database
from store.delivery_events import DIGEST, FAILED, RETRY, SENT, THROTTLED, UNBOUND, UNCERTAIN
from store.item_names import ItemName
from store.outbox import LOCAL_PLATFORMS, MessageView, claim, enqueue_notice, record_delivery
from store.plan_status import ExpiredPlan
from store.reminder_chats import Target, mark_chat_unreachable
from store.sender_leases import hold, release

log = logging.getLogger(__name__)
SAFETY_MARGIN = 0.025  # seconds added to every rate-limit window (see paced)


class Renderer(Protocol):
    """The user-facing wording of what is sent (the bot's texts)."""

    def message(self, view: MessageView) -> tuple[str, Buttons]: ...

    def unbound_notice(self, views: Sequence[MessageView]) -> str: ...

    def platform_down_notice(self, platform: str, since: datetime, detail: str) -> str: ...

    def platform_up_notice(self, platform: str, since: datetime) -> str: ...

    def unreachable_notice(self, units: Sequence[str], chat: str, detail: str) -> str: ...

    def overdue_summary(self, summary: OverdueSummary) -> str: ...

    def weekly_report(self, report: WeeklyReport) -> str: ...

    def closing_request(self, plan: ExpiredPlan) -> str: ...

    def leader_escalation(
        self, region: str, number: int, deadline: date, units: Sequence[str], name: ItemName | None = None
    ) -> str: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    backoff: timedelta = timedelta(seconds=30)  # after a transient error, doubled after each one…
    max_backoff: timedelta = timedelta(minutes=10)  # …up to this: retried for as long as it takes
    lease: timedelta = timedelta(minutes=2)  # a claim whose sender died is taken over after this
    sender_lease: timedelta = timedelta(minutes=2)  # a platform's sender that died is replaced after this
    window: tuple[clock_time, clock_time] = (clock_time(9), clock_time(18))  # Shanghai sending hours
    batch: int = 25
    look_back: timedelta = timedelta(days=7)  # older unsent messages are not sent any more
    down_after: int = 5  # transient errors in a row on a platform before the admins are told it is failing
    record_backoff: tuple[float, float] = (0.5, 30.0)  # recording a result while the database is away

    def retry_delay(self, failures: int) -> timedelta:
        delay: timedelta = self.backoff * (2 ** min(failures, 20))
        return min(delay, self.max_backoff)


@dataclass
class DeliveryStats:
    sent: int = 0
    throttled: int = 0
    retried: int = 0
    failed: int = 0
    unbound: int = 0
    waiting: int = 0  # for a platform this process does not have, or does not hold the sender's lease of

    def add(self, other: DeliveryStats) -> None:
        for name in ("sent", "throttled", "retried", "failed", "unbound", "waiting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _PlatformHealth:
    """Transient errors in a row on one platform, and whether the admins were told it is failing."""

    errors: int = 0
    since: datetime | None = None
    told: bool = False
    detail: str = ""


@dataclass
class Deliverer:
    db: Database
    ports: Mapping[str, Port]
    renderer: Renderer
    calendar: WorkCalendar
    clock: Callable[[], datetime]
    worker: str
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    console: Port | None = None  # the embedded default: local recipients and units without a chat go here
    monotonic: Callable[[], float] = time.monotonic
    should_continue: Callable[[], bool] = lambda: True  # False once the process is stopping: no new batch
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _limiters: dict[int, RateLimiter] = field(default_factory=dict)
    _writer: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "duban-outbox-writer"))
    _health: dict[str, _PlatformHealth] = field(default_factory=dict)
    _held: frozenset[str] = frozenset()
    _unbound: list[MessageView] = field(default_factory=list)

    def in_window(self, now: datetime) -> bool:
        local = now.astimezone(SHANGHAI)
        start, end = self.policy.window
        return self.calendar.is_workday(local.date()) and start <= local.time() < end

    async def deliver_due(self) -> DeliveryStats:
        """Send everything due now, batch by batch, until nothing more can go now."""
        stats = DeliveryStats()
        try:
            while self.should_continue() and self.in_window(self.clock()):
                now = self.clock()
                today = now.astimezone(SHANGHAI).date()
                self._held = self._hold_leases(now)
                claimed = claim(
                    self.db, now=now, worker=self.worker, lease=self.policy.lease,
                    since=today - self.policy.look_back, until=today, limit=self.policy.batch,
                    platforms=self._held,
                )  # fmt: skip
                if not claimed:
                    if not self._unbound:
                        break
                    self._tell_unbound()  # one notice for the run's undeliverable digests, sent in this run
                    continue
                results = await asyncio.gather(*(self._deliver(view) for view in self._paced(claimed)))
                for result in results:
                    stats.add(result)
        finally:
            self._tell_unbound()
        return stats

    def release_leases(self) -> None:
        """A clean stop: another instance may take over the platforms at once."""
        now = self.clock()
        for platform in self._held:
            release(self.db, platform=platform, holder=self.worker, now=now)
        self._held = frozenset()

    def _hold_leases(self, now: datetime) -> frozenset[str]:
        ttl = self.policy.sender_lease
        held = {p for p in self.ports if hold(self.db, platform=p, holder=self.worker, now=now, ttl=ttl)}
        for platform in sorted(set(self.ports) - held):
            log.debug("another instance sends on %s; this one waits", platform)
        return frozenset(held)

    def _paced(self, views: list[MessageView]) -> list[tuple[MessageView, float]]:
        """Book each send's slot in its transport's limits now, so a batch goes out as fast as allowed."""
        paced: list[tuple[MessageView, float]] = []
        for view in views:
            route = self._route(view)
            wait = 0.0
            if isinstance(route, tuple):
                port, target = route
                wait = self._limiter(port).reserve(target.chat_id, group=target.is_group)
            paced.append((view, wait))
        return paced

    async def _deliver(self, paced: tuple[MessageView, float]) -> DeliveryStats:
        view, wait = paced
        route = self._route(view)
        if route is None:
            return await self._recorded(self._record_unbound, view)
        if isinstance(route, str):
            return await self._recorded(self._record_waiting, view)
        port, target = route
        if wait > 0:
            await self.sleep(wait)
        text, buttons = self.renderer.message(view)
        outgoing = Outgoing(target, text, buttons, reference=view.key, maybe_sent=view.maybe_sent)
        try:
            result = await port.send(outgoing)
        except Exception as exc:  # a transport bug must not stop the other sends; it counts as an error
            log.exception("sending message %s failed", view.id)
            result = SendResult("error", detail=f"{type(exc).__name__}: {exc}")
        if result.status == "throttled":
            self._limiter(port).penalise(target.chat_id, _wait(result))
        return await self._recorded(self._record, view, target, text, result)

    async def _recorded(self, record: Callable[..., DeliveryStats], *args: object) -> DeliveryStats:
        """Record on the writer thread — off the event loop, so the other sends keep their booked times, and
        one writer, so this process never races itself for SQLite's write lock. While the database is away
        the result is kept and recording retried: a message sent but not recorded would be sent again."""
        loop = asyncio.get_running_loop()
        delay, longest = self.policy.record_backoff
        while True:
            try:
                return await loop.run_in_executor(self._writer, record, *args)
            except TRANSIENT_DATABASE_ERRORS as exc:
                log.warning("could not record a delivery (%s); retrying in %.1f s", type(exc).__name__, delay)
                await self.sleep(delay)
                delay = min(delay * 2, longest)

    def _record(self, view: MessageView, target: Target, text: str, result: SendResult) -> DeliveryStats:
        now, stats = self.clock(), DeliveryStats()
        if result.status == "sent":
            record_delivery(
                self.db, view.id, SENT, at=now, worker=self.worker, target=target, detail=text,
                platform_message_id=result.platform_message_id,
            )  # fmt: skip
            self._healthy(target.platform, now)
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
        else:  # error or uncertain: transient, tried again after a capped back-off, never given up on
            kind = UNCERTAIN if result.status == "uncertain" else RETRY
            record_delivery(
                self.db, view.id, kind, at=now, worker=self.worker, target=target, detail=result.detail,
                retry_at=now + self.policy.retry_delay(view.failures),
            )  # fmt: skip
            self._failing(target.platform, now, result.detail or result.status)
            stats.retried = 1
        return stats

    def _record_unbound(self, view: MessageView) -> DeliveryStats:
        now = self.clock()
        record_delivery(self.db, view.id, UNBOUND, at=now, worker=self.worker, detail="no bound chat")
        if view.kind == DIGEST:
            self._unbound.append(view)
        else:
            log.warning("notice %s has no reachable recipient", view.key)
        return DeliveryStats(unbound=1)

    def _record_waiting(self, view: MessageView) -> DeliveryStats:
        """The unit's chat moved to a platform this process does not send on after the claim: back to the
        queue for the process that does."""
        now = self.clock()
        platform = view.target.platform if view.target else "?"
        record_delivery(
            self.db, view.id, RETRY, at=now, worker=self.worker, detail=f"waiting for a {platform} sender",
            retry_at=now + self.policy.backoff,
        )  # fmt: skip
        return DeliveryStats(waiting=1)

    def _tell_unbound(self) -> None:
        """One notice per admin for all the digests of this run that had no chat to go to."""
        if not self._unbound:
            return
        views, self._unbound = self._unbound, []
        now = self.clock()
        body = self.renderer.unbound_notice(views)
        enqueue_notice(
            self.db, reason=UNBOUND, day=_day(now), body=body, at=now, about=f"{_day(now)}:{views[0].id}"
        )
        log.warning(
            "%d digests had no reminder chat: %s", len(views), ", ".join(v.unit or "?" for v in views)
        )

    def _failing(self, platform: str, now: datetime, detail: str) -> None:
        health = self._health.setdefault(platform, _PlatformHealth())
        health.errors += 1
        health.since = health.since or now
        health.detail = detail
        if health.errors < self.policy.down_after or health.told:
            return
        health.told = True
        log.warning(
            "%s has failed %d sends in a row since %s: %s", platform, health.errors, health.since, detail
        )
        body = self.renderer.platform_down_notice(platform, health.since, detail)
        enqueue_notice(
            self.db, reason=f"down-{platform}", day=_day(now), body=body, at=now,
            about=f"{_day(now)}", except_platform=platform,
        )  # fmt: skip

    def _healthy(self, platform: str, now: datetime) -> None:
        health = self._health.pop(platform, None)
        if health is None or not health.told or health.since is None:
            return
        log.warning("%s is sending again (failing since %s)", platform, health.since)
        body = self.renderer.platform_up_notice(platform, health.since)
        enqueue_notice(
            self.db, reason=f"up-{platform}", day=_day(now), body=body, at=now,
            about=health.since.isoformat(), except_platform=platform,
        )  # fmt: skip

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

    def _route(self, view: MessageView) -> tuple[Port, Target] | str | None:
        """Where the message goes: a port and chat; "wait" for a platform this process does not send on
        now; None when there is nowhere (no chat bound, or a local recipient and no console)."""
        target = view.target
        if target is None or target.platform in LOCAL_PLATFORMS:
            if self.console is not None:
                return self.console, Target("console", view.unit or view.member or "?")
            return None
        port = self.ports.get(target.platform)
        if port is None or target.platform not in self._held:
            return "wait"
        return port, target

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
