"""Sliding-window send limits for chat transports: pure bookkeeping, an injected clock, no sleeping.

A :class:`RateLimiter` books a moment for every send.  The caller asks :meth:`RateLimiter.reserve` for a
slot, waits the returned number of seconds (or schedules the send that far ahead) and sends.  Bookings may
lie in the future, and a later reservation may take an earlier free slot (say, while one chat is
penalised after a 429, other chats keep going), so the check is two-sided: a booking at ``t`` is allowed
when no window ``(s - per_seconds, s]`` of any applicable limit would then hold more than ``count`` bookings.
For a booking after every earlier one this is exactly "fewer than ``count`` bookings in ``(t - per_seconds,
t]``".

Each limit keeps, per key (one chat, one group chat, or everything), the sorted booking times and the union
of the moments that are already forbidden, as sorted disjoint open intervals; a query is a binary search.
Bookings older than the longest window are forgotten, so memory follows the traffic of the last window plus
what is booked ahead.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "SLACK_LIMITS",
    "TELEGRAM_LIMITS",
    "Limit",
    "RateLimiter",
    "TransportLimits",
    "parse_limits",
]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` sends in any window of ``per_seconds`` seconds."""

    count: int
    per_seconds: float

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"limit count must be a positive integer, not {self.count!r}")
        if not (math.isfinite(self.per_seconds) and self.per_seconds > 0):
            raise ValueError(f"limit window must be a positive number of seconds, not {self.per_seconds!r}")

    def __str__(self) -> str:
        return f"{self.count}/{self.per_seconds:g}s"


@dataclass(frozen=True)
class TransportLimits:
    """The limits of one transport; ``None`` means no such limit."""

    per_chat: Limit | None = None  # every chat
    per_group: Limit | None = None  # additionally, chats that are groups
    overall: Limit | None = None  # all chats together

    @property
    def longest_window(self) -> float:
        """The longest window among the limits set (0.0 when there are none)."""
        return max(
            (lim.per_seconds for lim in (self.per_chat, self.per_group, self.overall) if lim), default=0.0
        )

    def __str__(self) -> str:
        parts = [
            f"{key}={lim}"
            for key, lim in (("chat", self.per_chat), ("group", self.per_group), ("overall", self.overall))
            if lim is not None
        ]
        return ",".join(parts)


# Telegram: about one message a second to a chat, 20 a minute to a group, about 30 a second in all
# (25 leaves headroom).  Slack: about one message a second to a channel.
TELEGRAM_LIMITS = TransportLimits(per_chat=Limit(1, 1.0), per_group=Limit(20, 60.0), overall=Limit(25, 1.0))
SLACK_LIMITS = TransportLimits(per_chat=Limit(1, 1.0))

_KEYS = {"chat": "per_chat", "group": "per_group", "overall": "overall"}
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")


def parse_limits(text: str) -> TransportLimits:
    """Read a setting such as ``"chat=1/1s,group=20/60s,overall=25/1s"``.

    Keys are ``chat``, ``group`` and ``overall``, each at most once; a value is ``COUNT/SECONDS`` with an
    ``s`` suffix (seconds may be decimal).  An empty or blank string means no limits.  Anything else raises
    :class:`ValueError` naming the bad part.
    """
    found: dict[str, Limit] = {}
    if not text.strip():
        return TransportLimits()
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            raise ValueError(f"empty part in limits {text!r}")
        key, eq, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not eq:
            raise ValueError(f"limit {part!r}: expected KEY=COUNT/SECONDSs, e.g. chat=1/1s")
        if key not in _KEYS:
            raise ValueError(f"limit {part!r}: unknown key {key!r} (expected chat, group or overall)")
        if _KEYS[key] in found:
            raise ValueError(f"limit {part!r}: {key!r} given twice")
        count_text, slash, seconds_text = value.partition("/")
        count_text, seconds_text = count_text.strip(), seconds_text.strip()
        if not slash:
            raise ValueError(f"limit {part!r}: missing '/' between count and seconds, e.g. {key}=1/1s")
        if not count_text.isascii() or not count_text.isdigit():
            raise ValueError(f"limit {part!r}: count {count_text!r} is not a positive whole number")
        count = int(count_text)
        if count < 1:
            raise ValueError(f"limit {part!r}: count must be at least 1")
        if not seconds_text.endswith("s"):
            raise ValueError(f"limit {part!r}: seconds {seconds_text!r} must end in 's', e.g. 60s")
        number = seconds_text[:-1].strip()
        if not _NUMBER.fullmatch(number):
            raise ValueError(f"limit {part!r}: seconds {number!r} is not a positive number")
        seconds = float(number)
        if seconds <= 0:
            raise ValueError(f"limit {part!r}: seconds must be more than 0")
        found[_KEYS[key]] = Limit(count, seconds)
    return TransportLimits(**found)


class _Track:
    """The bookings under one limit for one key.

    ``times`` is sorted.  ``starts``/``ends`` are the forbidden moments: sorted open intervals that do not
    overlap (they may touch, and the touching point is free).  A moment is forbidden when it falls within
    one window together with ``count`` bookings already made.
    """

    __slots__ = ("count", "ends", "per", "starts", "times")

    def __init__(self, limit: Limit) -> None:
        self.count = limit.count
        self.per = float(limit.per_seconds)
        self.times: list[float] = []
        self.starts: list[float] = []
        self.ends: list[float] = []

    def earliest(self, t: float) -> float:
        """The first moment at or after ``t`` that is not forbidden."""
        ends = self.ends
        if not ends or ends[-1] <= t:
            return t
        i = bisect_left(self.starts, t) - 1
        if i >= 0 and ends[i] > t:
            return ends[i]  # intervals do not overlap, so an end is free
        return t

    def add(self, t: float) -> None:
        times, count, per = self.times, self.count, self.per
        if not times or times[-1] <= t:
            # After every booking so far: only the run ending here can newly fit in one window.
            times.append(t)
            if len(times) >= count:
                first = times[-count]
                if t - first < per:
                    self._forbid(t - per, first + per)
            return
        k = bisect_right(times, t)
        times.insert(k, t)
        # Every run of ``count`` consecutive bookings that includes the new one and fits in one window
        # forbids (last - per, first + per).
        for i in range(max(0, k - count + 1), min(k, len(times) - count) + 1):
            lo, hi = times[i], times[i + count - 1]
            if hi - lo < per:
                self._forbid(hi - per, lo + per)

    def _forbid(self, a: float, b: float) -> None:
        starts, ends = self.starts, self.ends
        if not starts or ends[-1] <= a:
            starts.append(a)
            ends.append(b)
            return
        if starts[-1] < b and (len(ends) == 1 or ends[-2] <= a):  # overlaps the last interval only
            if a < starts[-1]:
                starts[-1] = a
            if b > ends[-1]:
                ends[-1] = b
            return
        j = bisect_right(ends, a)  # first interval ending after a
        m = bisect_left(starts, b)  # intervals before m start before b
        if j < m:
            a = min(a, starts[j])
            b = max(b, ends[m - 1])
        starts[j:m] = [a]
        ends[j:m] = [b]

    def forget(self, now: float, *, eager: bool = False) -> None:
        """Drop bookings and forbidden intervals that can no longer matter at or after ``now``.

        Lazy by default (only when a good share is stale) so that trimming a long list stays amortised.
        """
        times = self.times
        if times and times[0] <= now - self.per:
            k = bisect_right(times, now - self.per)
            if eager or k >= 32 or 2 * k >= len(times):
                del times[:k]
        ends = self.ends
        if ends and ends[0] <= now:
            k = bisect_right(ends, now)
            if eager or k >= 32 or 2 * k >= len(ends):
                del ends[:k]
                del self.starts[:k]

    def empty(self) -> bool:
        return not self.times and not self.ends


class RateLimiter:
    """Books send moments that keep a transport's limits; see the module docstring.

    ``clock`` returns monotonic seconds (``time.monotonic`` in production, a fake in tests).
    """

    def __init__(self, limits: TransportLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._longest = limits.longest_window
        self._chats: dict[str, _Track] = {}
        self._groups: dict[str, _Track] = {}
        self._overall: _Track | None = _Track(limits.overall) if limits.overall else None
        self._chat_not_before: dict[str, float] = {}
        self._all_not_before = -math.inf
        self._last_sweep = clock()
        self._ops_since_sweep = 0
        self._keys_due = False
        self._kept_keys = 0

    def reserve(self, chat_id: str, *, group: bool = False) -> float:
        """Book the earliest moment ``t >= clock()`` at which a send to ``chat_id`` keeps every applicable
        limit, and return ``t - clock()`` (0.0 when it may go now).  Later reservations see this booking."""
        now = self._clock()
        self._ops_since_sweep += 1
        if now - self._last_sweep >= self._longest:
            self._sweep(now)
        if self._keys_due and 2 * self._ops_since_sweep >= self._kept_keys:
            self._sweep_keys(now)
        tracks = self._tracks(chat_id, group, create=True)
        t = self._earliest(now, chat_id, tracks)
        for track in tracks:
            track.add(t)
        return t - now

    def peek(self, chat_id: str, *, group: bool = False) -> float:
        """What :meth:`reserve` would return now, without booking anything."""
        now = self._clock()
        return self._earliest(now, chat_id, self._tracks(chat_id, group, create=False)) - now

    def penalise(self, chat_id: str, retry_after: float, *, overall: bool = False) -> None:
        """After a 429: no booking for ``chat_id`` (or for anything, when ``overall``) before
        ``clock() + retry_after``.  Bookings already made are not moved."""
        until = self._clock() + max(0.0, retry_after)
        self._ops_since_sweep += 1
        if overall:
            self._all_not_before = max(self._all_not_before, until)
        else:
            self._chat_not_before[chat_id] = max(self._chat_not_before.get(chat_id, -math.inf), until)

    def held(self) -> int:
        """How many bookings, forbidden intervals, penalties and keys are held: a size for tests."""
        tracks = [*self._chats.values(), *self._groups.values()]
        if self._overall is not None:
            tracks.append(self._overall)
        return (
            sum(len(tr.times) + len(tr.starts) for tr in tracks)
            + len(self._chats)
            + len(self._groups)
            + len(self._chat_not_before)
        )

    def _tracks(self, chat_id: str, group: bool, *, create: bool) -> list[_Track]:
        tracks: list[_Track] = []
        limit = self.limits.per_chat
        if limit is not None:
            track = self._chats.get(chat_id)
            if track is None and create:
                track = self._chats[chat_id] = _Track(limit)
            if track is not None:
                tracks.append(track)
        limit = self.limits.per_group
        if group and limit is not None:
            track = self._groups.get(chat_id)
            if track is None and create:
                track = self._groups[chat_id] = _Track(limit)
            if track is not None:
                tracks.append(track)
        if self._overall is not None:
            tracks.append(self._overall)
        return tracks

    def _earliest(self, now: float, chat_id: str, tracks: list[_Track]) -> float:
        t = now if self._all_not_before <= now else self._all_not_before
        if self._chat_not_before:
            t = max(t, self._chat_not_before.get(chat_id, t))
        if len(tracks) == 1:
            return tracks[0].earliest(t)
        moved = True
        while moved:
            moved = False
            for track in tracks:
                later = track.earliest(t)
                if later > t:
                    t, moved = later, True
        return t

    def _sweep(self, now: float) -> None:
        """Forget what is older than the longest window (at most once per such window of clock time)."""
        self._last_sweep = now
        if self._overall is not None:
            self._overall.forget(now, eager=True)
        if self._all_not_before <= now:
            self._all_not_before = -math.inf
        self._keys_due = True

    def _sweep_keys(self, now: float) -> None:
        """Forget stale bookings, empty keys and spent penalties of single chats.

        The pass costs the keys kept last time plus those added since (at most three per call); waiting
        for calls to number half the keys kept keeps it amortised, and keys bounded by about twice
        those live."""
        self._keys_due = False
        self._ops_since_sweep = 0
        for table in (self._chats, self._groups):
            for key in list(table):
                track = table[key]
                track.forget(now, eager=True)
                if track.empty():
                    del table[key]
        for key, until in list(self._chat_not_before.items()):
            if until <= now:
                del self._chat_not_before[key]
        self._kept_keys = len(self._chats) + len(self._groups) + len(self._chat_not_before)
