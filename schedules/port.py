"""The port every transport implements for the reminder sender: send one message, say what became of it.

Transports (Telegram, Slack, the console) import only this, not the delivery engine behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from schedules.limits import TransportLimits
from store.reminder_chats import Target

Buttons = tuple[tuple[str, str], ...]  # (label, callback data)


@dataclass(frozen=True)
class Outgoing:
    target: Target
    text: str
    buttons: Buttons = ()
    reference: str = ""  # the outbox message's key: a port that can tag messages finds them by it
    maybe_sent: bool = False  # an earlier attempt's outcome is unknown: look first where the platform can


@dataclass(frozen=True)
class SendResult:
    # sent; throttled (429); blocked (the chat refuses the bot: retrying cannot help); error (not delivered,
    # worth another try); uncertain (the request went out but no answer came: it may have been delivered)
    status: Literal["sent", "throttled", "error", "blocked", "uncertain"]
    platform_message_id: str | None = None
    retry_after: float | None = None  # throttled: seconds the platform asked us to wait
    detail: str = ""

    @classmethod
    def sent(cls, platform_message_id: str | None = None) -> SendResult:
        return cls("sent", platform_message_id)


class Port(Protocol):
    """A transport's sending side."""

    limits: TransportLimits

    async def send(self, message: Outgoing) -> SendResult: ...
