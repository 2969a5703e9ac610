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


@dataclass(frozen=True)
class SendResult:
    status: Literal["sent", "throttled", "error", "blocked"]
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
