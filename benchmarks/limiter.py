"""Cost of one sending-slot reservation in the rate limiter (schedules/limits.py), on a fake clock.

100,000 reservations over 3,000 chats (one in ten a group), 25 a second of fake time (the overall limit): a
national digest run; prints the CPU time per reservation and how many bookings the limiter still holds.
"""

from __future__ import annotations

import argparse
import random
import time

from schedules.limits import TELEGRAM_LIMITS, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reservations", type=int, default=100_000)
    args = parser.parse_args()
    clock = FakeClock()
    limiter = RateLimiter(TELEGRAM_LIMITS, clock)
    rng = random.Random(7)
    chats = [str(-1000 - i) if i % 10 == 0 else str(i) for i in range(3000)]
    started = time.process_time()
    for _ in range(args.reservations):
        i = rng.randrange(len(chats))
        limiter.reserve(chats[i], group=i % 10 == 0)
        clock.now += 0.04  # 25 a second: the overall limit
    elapsed = time.process_time() - started
    print(
        f"{args.reservations} reservations over {len(chats)} chats: {elapsed:.2f} s CPU, "
        f"{elapsed / args.reservations * 1e6:.1f} µs each; bookings held at the end: {limiter.held()}"
    )


if __name__ == "__main__":
    main()
