"""The sliding-window rate limiter, on a fake clock: nothing here sleeps."""

from __future__ import annotations

from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.limits import (
    SLACK_LIMITS,
    TELEGRAM_LIMITS,
    Limit,
    RateLimiter,
    TransportLimits,
    parse_limits,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def max_in_window(times: list[float], per: float) -> int:
    """The most bookings any half-open window (s - per, s] holds."""
    ordered = sorted(times)
    return max(
        (bisect_right(ordered, s) - bisect_right(ordered, s - per) for s in ordered),
        default=0,
    )


def book(limiter: RateLimiter, clock: FakeClock, chat: str, *, group: bool = False) -> float:
    """Reserve and return the absolute moment booked."""
    return clock.now + limiter.reserve(chat, group=group)


# --- per chat --------------------------------------------------------------------------------------


def test_first_send_goes_now_and_the_next_to_the_same_chat_waits_a_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    assert limiter.reserve("1") == 0.0
    assert limiter.reserve("1") == pytest.approx(1.0)
    assert limiter.reserve("1") == pytest.approx(2.0)
    assert limiter.reserve("2") == 0.0  # another chat is not held up


def test_per_chat_spacing_follows_the_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(SLACK_LIMITS, clock)
    assert limiter.reserve("c") == 0.0
    clock.advance(0.4)
    assert limiter.reserve("c") == pytest.approx(0.6)  # booked at +1.0
    clock.advance(0.6)
    assert limiter.reserve("c") == pytest.approx(1.0)  # the +1.0 booking is in the window; next at +2.0
    clock.advance(5.0)
    assert limiter.reserve("c") == 0.0


def test_window_is_half_open_so_exactly_one_period_later_is_free() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TransportLimits(per_chat=Limit(2, 10.0)), clock)
    assert limiter.reserve("c") == 0.0
    assert limiter.reserve("c") == 0.0
    assert limiter.reserve("c") == 10.0
    clock.advance(10.0)
    assert limiter.reserve("c") == 0.0  # the two at 0.0 have left (0, 10]; the one at 10.0 is alone


def test_peek_does_not_book() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    assert limiter.peek("1") == 0.0
    limiter.reserve("1")
    assert limiter.peek("1") == pytest.approx(1.0)
    assert limiter.peek("1") == pytest.approx(1.0)
    assert limiter.reserve("1") == pytest.approx(1.0)


# --- groups ----------------------------------------------------------------------------------------


def test_group_takes_at_most_twenty_a_minute() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    moments = [book(limiter, clock, "-100", group=True) for _ in range(45)]
    assert moments[:20] == [float(i) for i in range(20)]  # one a second while the minute has room
    assert moments[20] == pytest.approx(60.0)  # the 21st waits until the first leaves the window
    assert moments[40] == pytest.approx(120.0)
    assert max_in_window(moments, 60.0) == 20
    assert max_in_window(moments, 1.0) == 1


def test_group_limit_applies_only_to_groups() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TransportLimits(per_group=Limit(2, 60.0)), clock)
    assert [limiter.reserve("p") for _ in range(5)] == [0.0] * 5  # a private chat: no limit set
    assert [limiter.reserve("g", group=True) for _ in range(3)] == [0.0, 0.0, 60.0]


# --- overall ---------------------------------------------------------------------------------------


def test_overall_limit_across_three_thousand_chats() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    moments = [book(limiter, clock, str(chat)) for chat in range(3000)]
    assert max_in_window(moments, 1.0) == 25
    span = max(moments) - min(moments)
    assert 3000 / 25 - 1.5 <= span <= 3000 / 25  # 25 at 0, 25 at 1, ..., 25 at 119
    assert moments == sorted(moments)


def test_overall_limit_while_the_clock_moves_with_the_sends() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    moments = []
    for chat in range(3000):
        wait = limiter.reserve(str(chat))
        clock.advance(wait)  # the sender sleeps, then sends
        moments.append(clock.now)
    assert max_in_window(moments, 1.0) == 25
    assert clock.now == pytest.approx(3000 / 25 - 1, abs=1.0)


def test_a_penalised_chat_does_not_hold_up_the_others() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TransportLimits(per_chat=Limit(1, 1.0), overall=Limit(2, 1.0)), clock)
    limiter.penalise("slow", 10.0)
    assert limiter.reserve("slow") == 10.0
    assert limiter.reserve("a") == 0.0
    assert limiter.reserve("b") == 0.0
    assert limiter.reserve("c") == 1.0
    # An earlier free slot is used, but never one that would crowd a window around the later booking.
    limiter2 = RateLimiter(TransportLimits(overall=Limit(2, 1.0)), clock)
    limiter2.penalise("x", 0.5)
    limiter2.penalise("y", 0.9)
    x, y = book(limiter2, clock, "x"), book(limiter2, clock, "y")
    z = book(limiter2, clock, "z")
    assert (x, y) == (0.5, 0.9)
    assert z == pytest.approx(1.5)  # 0.0 or 0.2 would put three in (−0.1, 0.9]
    assert max_in_window([x, y, z], 1.0) == 2


# --- penalties -------------------------------------------------------------------------------------


def test_penalise_one_chat() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    limiter.penalise("42", 3.0)
    assert limiter.reserve("42") == pytest.approx(3.0)
    assert limiter.reserve("42") == pytest.approx(4.0)
    assert limiter.reserve("7") == 0.0
    clock.advance(10.0)
    assert limiter.reserve("42") == 0.0


def test_penalise_overall_holds_every_chat() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    limiter.penalise("42", 5.0, overall=True)
    assert limiter.reserve("1") == pytest.approx(5.0)
    assert limiter.reserve("2") == pytest.approx(5.0)
    clock.advance(2.0)
    assert limiter.reserve("3") == pytest.approx(3.0)
    clock.advance(3.0)
    assert limiter.reserve("4") == 0.0


def test_a_shorter_penalty_does_not_shorten_a_longer_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(SLACK_LIMITS, clock)
    limiter.penalise("c", 30.0)
    limiter.penalise("c", 2.0)
    assert limiter.reserve("c") == pytest.approx(30.0)


def test_penalty_without_any_limits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TransportLimits(), clock)
    assert [limiter.reserve("c") for _ in range(3)] == [0.0, 0.0, 0.0]
    limiter.penalise("c", 1.5)
    assert limiter.reserve("c") == 1.5
    assert limiter.reserve("d") == 0.0


# --- memory and speed ------------------------------------------------------------------------------


def test_bookings_are_forgotten_as_the_clock_moves_on() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    sizes = []
    for step in range(60_000):
        chat = str(step)  # every chat new: without forgetting this would hold 60,000 chats
        limiter.reserve(chat, group=step % 3 == 0)
        if step % 100 == 0:
            limiter.penalise(chat, 5.0)
        clock.advance(0.05)  # 20 a second: under the overall limit, nothing waits
        if step % 5000 == 4999:
            sizes.append(limiter.held())
    # 20 a second over a 60 s longest window is about 1,200 chats live; allow for the amortised sweeps.
    assert max(sizes) < 10_000
    assert max(sizes[6:]) <= 1.2 * max(sizes[:6])  # a saw tooth, not growing
    clock.advance(3600.0)
    limiter.reserve("last")
    for _ in range(10):
        limiter.reserve("last")
    assert limiter.held() < 100


# --- against a brute-force model -------------------------------------------------------------------


def _valid(moment: float, bookings: list[float], limit: Limit) -> bool:
    """No window (s - per, s] holds more than count once ``moment`` is added."""
    ordered = sorted([*bookings, moment])
    for s in ordered:
        if moment <= s < moment + limit.per_seconds:
            inside = bisect_right(ordered, s) - bisect_right(ordered, s - limit.per_seconds)
            if inside > limit.count:
                return False
    return True


def _brute_earliest(
    not_before: float, chat: str, group: bool, booked: list[tuple[float, str, bool]], limits: TransportLimits
) -> float:
    checks: list[tuple[Limit, list[float]]] = []
    if limits.per_chat:
        checks.append((limits.per_chat, [t for t, c, _ in booked if c == chat]))
    if limits.per_group and group:
        checks.append((limits.per_group, [t for t, c, g in booked if c == chat and g]))
    if limits.overall:
        checks.append((limits.overall, [t for t, _, _ in booked]))
    candidates = sorted(
        {not_before}
        | {t + lim.per_seconds for lim, ts in checks for t in ts if t + lim.per_seconds > not_before}
    )
    for candidate in candidates:
        if all(_valid(candidate, ts, lim) for lim, ts in checks):
            return candidate
    raise AssertionError("no candidate")  # pragma: no cover


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "-g"]),
            st.integers(min_value=0, max_value=8),  # clock step in eighths of a second
            st.sampled_from([None, None, None, 1, 3, 9]),  # penalty in eighths, sometimes
            st.booleans(),  # overall penalty?
        ),
        max_size=40,
    )
)
def test_matches_a_brute_force_model(steps: list[tuple[str, int, int | None, bool]]) -> None:
    limits = TransportLimits(per_chat=Limit(1, 1.0), per_group=Limit(3, 4.0), overall=Limit(2, 1.0))
    clock = FakeClock(0.0)
    limiter = RateLimiter(limits, clock)
    booked: list[tuple[float, str, bool]] = []
    chat_not_before: dict[str, float] = {}
    all_not_before = 0.0
    for chat, step, penalty, overall in steps:
        clock.advance(step / 8)
        group = chat.startswith("-")
        if penalty is not None:
            limiter.penalise(chat, penalty / 8, overall=overall)
            if overall:
                all_not_before = max(all_not_before, clock.now + penalty / 8)
            else:
                chat_not_before[chat] = max(chat_not_before.get(chat, 0.0), clock.now + penalty / 8)
        not_before = max(clock.now, all_not_before, chat_not_before.get(chat, 0.0))
        expected = _brute_earliest(not_before, chat, group, booked, limits)
        got = clock.now + limiter.reserve(chat, group=group)
        assert got == pytest.approx(expected, abs=1e-9)
        booked.append((got, chat, group))
    overall_times = [t for t, _, _ in booked]
    assert max_in_window(overall_times, 1.0 - 1e-9) <= 2
    for chat in {c for _, c, _ in booked}:
        assert max_in_window([t for t, c, _ in booked if c == chat], 1.0 - 1e-9) <= 1
    assert max_in_window([t for t, c, g in booked if c == "-g" and g], 4.0 - 1e-9) <= 3


# --- parse_limits ----------------------------------------------------------------------------------


def test_parse_full_setting() -> None:
    assert parse_limits("chat=1/1s,group=20/60s,overall=25/1s") == TELEGRAM_LIMITS


def test_parse_partial_decimal_and_spaces() -> None:
    assert parse_limits(" chat = 1/1s ") == SLACK_LIMITS
    assert parse_limits("overall=30/1.5s, chat=2/0.5s") == TransportLimits(
        per_chat=Limit(2, 0.5), overall=Limit(30, 1.5)
    )
    assert parse_limits("") == TransportLimits()


def test_str_round_trips() -> None:
    assert parse_limits(str(TELEGRAM_LIMITS)) == TELEGRAM_LIMITS
    assert str(TELEGRAM_LIMITS) == "chat=1/1s,group=20/60s,overall=25/1s"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("chats=1/1s", "'chats'"),
        ("chat=0/1s", "chat=0/1s"),
        ("chat=-1/1s", "chat=-1/1s"),
        ("chat=1/0s", "chat=1/0s"),
        ("chat=1/-2s", "chat=1/-2s"),
        ("chat=1s", "missing '/'"),
        ("chat=1/1", "must end in 's'"),
        ("chat=1.5/1s", "chat=1.5/1s"),
        ("chat=x/1s", "chat=x/1s"),
        ("chat=1/abcs", "chat=1/abcs"),
        ("chat", "'chat'"),
        ("chat=1/1s,,overall=2/1s", "empty part"),
        ("chat=1/1s,chat=2/1s", "twice"),
        ("chat=1/nans", "chat=1/nans"),
    ],
)
def test_parse_rejects_malformed(text: str, named: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_limits(text)
    assert named in str(caught.value)


def test_limit_checks_its_numbers() -> None:
    with pytest.raises(ValueError):
        Limit(0, 1.0)
    with pytest.raises(ValueError):
        Limit(1, 0.0)
