"""Sending reminders through Telegram with python-telegram-bot: the outbox's Port for Telegram chats."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Literal

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.conversation.messages import split_lines
from schedules.limits import TELEGRAM_LIMITS, TransportLimits
from schedules.port import Buttons, Outgoing, SendResult

MAX_TEXT = 4096  # Telegram's limit on one message's text
# How long a send waits for Telegram's answer. Telegram offers no way to ask whether a message went out, so a
# send whose answer is lost may be sent again (at-least-once); a patient read timeout (python-telegram-bot's
# default is 5 s) keeps that to answers slower than this. It holds up only that one send: the others in the
# batch go on.
SEND_READ_TIMEOUT = 30.0


class TelegramPort:
    limits: TransportLimits

    def __init__(self, bot: Bot, limits: TransportLimits = TELEGRAM_LIMITS) -> None:
        self.bot = bot
        self.limits = limits

    async def send(self, message: Outgoing) -> SendResult:
        """Long digests go as several messages split on line boundaries, the buttons on the last."""
        parts = split_text(message.text)
        last_id: str | None = None
        for number, part in enumerate(parts, 1):
            markup = keyboard(message.buttons) if number == len(parts) else None
            result = await self._send_one(message.target.chat_id, part, markup)
            if result.status != "sent":
                return result
            last_id = result.platform_message_id
        return SendResult.sent(last_id)

    async def _send_one(self, chat_id: str, text: str, markup: InlineKeyboardMarkup | None) -> SendResult:
        try:
            sent = await self.bot.send_message(
                chat_id=chat_id, text=text, reply_markup=markup, read_timeout=SEND_READ_TIMEOUT
            )
        except RetryAfter as exc:
            return SendResult("throttled", retry_after=retry_seconds(exc), detail=exc.message)
        except Forbidden as exc:  # blocked by the user, kicked from the group: retrying cannot help
            return SendResult("blocked", detail=exc.message)
        except BadRequest as exc:  # chat not found and the like
            return SendResult("blocked", detail=exc.message)
        except NetworkError as exc:  # timeouts, dropped connections, 5xx: worth another try later
            return SendResult(_network_status(exc), detail=f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:
            return SendResult("error", detail=f"{type(exc).__name__}: {exc.message}")
        return SendResult.sent(str(sent.message_id))


def _network_status(exc: NetworkError) -> Literal["error", "uncertain"]:
    """A failure before the request left (connecting, waiting for a pooled connection) or an error answer
    (5xx) sent nothing; a request that went out and lost its answer (a read timeout, a dropped connection)
    may have been delivered."""
    cause = exc.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "error"
    if isinstance(exc, TimedOut) and "Pool timeout" in exc.message:
        return "error"
    return "uncertain" if isinstance(cause, httpx.TransportError) or isinstance(exc, TimedOut) else "error"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut on line boundaries into parts of at most limit characters (a single overlong line is cut)."""
    return split_lines(text, limit)


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """One row of inline buttons; pressing one sends its data back as a callback query."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """PTB 22 returns an int with a deprecation warning (a timedelta with PTB_TIMEDELTA); accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
