"""One message as the handlers see it: who sent it, what they said, the conversation so far — resolved once.

The per-user memory (the last subject for "那商标申请呢", "仓山呢", "谁负责"; a pending numbered choice;
the rest of a long list) is conversational convenience only and lives in process memory; everything that
must not be lost is in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from bot.conversation.answer_base import Option
from bot.conversation.knowledge import Knowledge, LedgerState
from bot.conversation.messages import LOCAL_TZ, Inbound
from nlu.commands import Command, parse_command
from nlu.intents import Intent, IntentName, Slots
from nlu.parser import parse
from store.members import MemberView

LIST_INTENTS: tuple[IntentName, ...] = (
    "unit_tasks",
    "due_tasks",
    "overdue_tasks",
    "ongoing_tasks",
    "featured_tasks",
    "done_tasks",
)


@dataclass
class Conversation:
    last_intent: IntentName | None = None
    last_slots: Slots = field(default_factory=Slots)
    options: tuple[Option, ...] = ()
    rest: Sequence[str] = ()
    listed: tuple[tuple[str, int], ...] = ()  # the tasks of the last list shown: 第二个 is its second
    at: datetime | None = None

    def list_item(self, ordinal: int) -> tuple[str, int] | None:
        """The ordinal-th task of the list being talked about: the last reply was that list, or one of its
        items (第二个谁负责 → 第三个呢)."""
        current = self.last_slots.tasks[0] if len(self.last_slots.tasks) == 1 else None
        of_the_list = self.last_intent in LIST_INTENTS or (
            current is not None and (current.plan, current.number) in self.listed
        )
        return self.listed[ordinal - 1] if of_the_list and 0 < ordinal <= len(self.listed) else None


@dataclass(frozen=True)
class Turn:
    """An inbound message with its sender, the ledgers as of now and the sender's conversation.

    `text` is the message stripped, with a chat command that stands for a question already replaced by that
    question (/tasks 仓山 → 仓山有哪些任务). What the message says as a write command or as a question is
    parsed on first use, once, whichever handler asks.
    """

    inbound: Inbound
    text: str
    member: MemberView | None
    ledger: LedgerState
    conversation: Conversation
    knowledge: Knowledge

    @property
    def today(self) -> date:
        return self.inbound.at.astimezone(LOCAL_TZ).date()

    @cached_property
    def command(self) -> Command | None:
        return parse_command(self.text, self.knowledge.lexicon)

    @cached_property
    def intent(self) -> Intent:
        return parse(self.text, self.knowledge.lexicon)
