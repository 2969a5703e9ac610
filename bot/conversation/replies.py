"""What a handler returns: the reply's text and buttons, and what the conversation remembers of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation.answer_base import Answer, Option
from bot.conversation.messages import Button, OutboundFile
from nlu.intents import Slots


@dataclass(frozen=True)
class Reply:
    """What the core sends back, and what it remembers of it for the next message."""

    intent: str
    text: str
    buttons: tuple[Button, ...] = ()
    options: tuple[Option, ...] = ()
    rest: Sequence[str] = ()  # list lines beyond the first page (fetched a page at a time)
    slots: Slots | None = None  # the subject of an answered question; None for writes
    listed: tuple[tuple[str, int], ...] = ()  # the tasks a list reply shows, in order
    file: OutboundFile | None = None  # a file sent with the reply (佐证材料)

    @classmethod
    def of(cls, answer: Answer) -> Reply:
        """A question's answer as a reply, keeping its subject, choices and further pages."""
        return cls(
            answer.intent,
            answer.text,
            options=answer.options,
            rest=answer.rest,
            slots=answer.slots,
            listed=answer.listed,
        )
