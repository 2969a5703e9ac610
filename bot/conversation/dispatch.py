"""What every chat transport calls: one inbound message in, replies out, each platform delivery answered once.

Transports only translate (platform payload → `Inbound`, `Outbound` → platform call); this is the async seam
between them and the synchronous core. The core runs on one worker thread: its database work stays off the
event loop (a Slack event must be acknowledged within 3 s, a Telegram poll must keep polling), and its
per-user conversation memory is never touched by two messages at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from store.db import Database
from store.inbound import first_sight
from store.outbox import enqueue_notice
from store.reminder_chats import Target, mark_chat_unreachable

log = logging.getLogger(__name__)
T = TypeVar("T")


class Dispatcher:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._worker = ThreadPoolExecutor(1, "duban-core")

    @property
    def db(self) -> Database:
        return self.core.knowledge.db

    async def handle(self, inbound: Inbound, *, event_id: str | None = None) -> list[Outbound] | None:
        """The replies, or None when this platform delivery (event_id) was already handled."""
        return await self._run(self._handle, inbound, event_id)

    def _handle(self, inbound: Inbound, event_id: str | None) -> list[Outbound] | None:
        if event_id is not None and not first_sight(
            self.db, platform=inbound.platform, event_id=event_id, at=inbound.at
        ):
            log.info("%s delivery %s seen before; not answered again", inbound.platform, event_id)
            return None
        return self.core.handle(inbound)

    async def chat_unreachable(self, target: Target, *, at: datetime, detail: str) -> list[str]:
        """The platform refused a chat (403): stop sending reminders there and tell the admins."""
        return await self._run(self._chat_unreachable, target, at, detail)

    def _chat_unreachable(self, target: Target, at: datetime, detail: str) -> list[str]:
        units = mark_chat_unreachable(self.db, target, at=at, detail=detail)
        enqueue_notice(
            self.db,
            reason=f"unreachable-{target}",
            day=at.astimezone(LOCAL_TZ).date(),
            body=texts.unreachable_notice(units, str(target), detail),
            at=at,
        )
        log.warning("chat %s refused the bot (%s); units unbound: %s", target, detail, units or "none")
        return units

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    def close(self) -> None:
        self._worker.shutdown(wait=True)
