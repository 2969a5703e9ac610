"""The day a command runs as (--today, a `duban ask --jsonl` line's today or at): a day the bot works on."""

from __future__ import annotations

from datetime import date

from bot.conversation import texts
from bot.conversation.messages import EARLIEST_DAY, LATEST_DAY
from store.errors import StoreError


def parse_day(value: object, bad_format: str, what: str, error: type[Exception] = StoreError) -> date:
    """value as a date (YYYY-MM-DD) within the days the bot works on; error(message) otherwise.

    A year-1 or 9999-12-31 "today" is a valid date, but windows and reminders reckoned from it leave the
    calendar: it is refused here, by name, rather than failing somewhere later."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise error(bad_format) from None
    check_day(day, what, error)
    return day


def check_day(day: date, what: str, error: type[Exception] = StoreError) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise error(texts.today_out_of_range(what, EARLIEST_DAY, LATEST_DAY))
