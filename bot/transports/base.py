"""What `duban run` needs of a chat transport: start receiving, stop cleanly, and a port for reminders."""

from __future__ import annotations

from typing import Protocol

from schedules.port import Port


class Transport(Protocol):
    platform: str  # "telegram", "slack": the platform members and reminder chats are bound on
    port: Port  # the outbox sends reminder digests and notices through it

    async def start(self) -> None:
        """Connect and begin receiving (polling, webhook server or socket); return once running."""

    async def stop(self) -> None:
        """Stop receiving, let replies in flight finish, release connections."""
