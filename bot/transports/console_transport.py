"""The console transport: an interactive conversation on stdin/stdout, the embedded default."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.messages import LOCAL_PLATFORM, Inbound
from schedules.limits import TransportLimits
from schedules.port import Outgoing, SendResult


def run_console(
    core: Core,
    *,
    user: str,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    clock: Callable[[], datetime],
) -> None:
    """Answer lines until end of input, 再见/退出, or Ctrl-C."""
    write(texts.CONSOLE_WELCOME)
    count, session = 0, uuid.uuid4().hex  # message ids unique across sessions
    while True:
        try:
            line = read(texts.CONSOLE_PROMPT)
        except (EOFError, KeyboardInterrupt):
            write("")
            break
        if line.strip() in texts.CONSOLE_QUIT_WORDS:
            break
        count += 1
        inbound = Inbound(LOCAL_PLATFORM, user, user, line, clock(), message_id=f"{session}-{count}")
        for reply in core.handle(inbound):
            write(reply.text)
    write(texts.CONSOLE_BYE)


class ConsolePort:
    """Reminders on the embedded default: printed, headed by whom they are for."""

    limits = TransportLimits()

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.count = 0

    async def send(self, message: Outgoing) -> SendResult:
        try:
            self.write(texts.console_reminder(message.target.chat_id, message.text))
        except BrokenPipeError:  # nobody reads the console any more: not sent, tried again later
            return SendResult("error", detail="console output closed")
        self.count += 1
        return SendResult.sent(f"console-{self.count}")
