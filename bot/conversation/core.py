"""The conversation core: one inbound message in, replies out; knows no platform.

It resolves once what every handler needs (the sender, the ledgers as of now, the sender's conversation),
asks the handlers in order which one the message is for, and remembers what was answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.conversation import texts
from bot.conversation.handlers import Handler, default_handlers, question_text
from bot.conversation.knowledge import Knowledge, LedgerState
from bot.conversation.messages import (
    EARLIEST_DAY,
    LATEST_DAY,
    LOCAL_ADMIN,
    LOCAL_PLATFORM,
    Inbound,
    Outbound,
    storable,
)
from bot.conversation.replies import Reply
from bot.conversation.turn import LIST_INTENTS, Conversation, Turn
from store.members import MemberView

CONTEXT_TTL = timedelta(hours=2)  # a subject from the morning should not answer an afternoon "谁负责"


class Core:
    """Handles messages for every transport; one instance per process.

    Only bound members may ask (or anyone, when public_read is set); the local operator of `duban ask` and
    `duban chat` is an admin without binding.
    """

    def __init__(
        self, knowledge: Knowledge, *, public_read: bool = False, handlers: Sequence[Handler] | None = None
    ) -> None:
        self.knowledge = knowledge
        self.public_read = public_read
        self.handlers = tuple(handlers) if handlers is not None else default_handlers(public_read=public_read)
        self._conversations: dict[tuple[str, str], Conversation] = {}

    def handle(self, inbound: Inbound) -> list[Outbound]:
        inbound = storable(inbound)
        # The sender's own wall-clock day: a year-1 moment has no UTC (nor Shanghai) form to convert to.
        if not EARLIEST_DAY <= inbound.at.date() <= LATEST_DAY:
            return [Outbound(texts.day_out_of_range(EARLIEST_DAY, LATEST_DAY), intent="invalid_input")]
        turn = self._turn(inbound)
        handler = next(h for h in self.handlers if h.matches(turn))
        reply = handler.reply(turn)
        if handler.remembers:
            self._remember(turn, reply)
        return [Outbound(reply.text, reply.buttons, intent=reply.intent, file=reply.file)]

    def identify(self, inbound: Inbound, ledger: LedgerState) -> MemberView | None:
        """The member who sent the message; the local operator counts as an admin of no unit."""
        member = ledger.members.get((inbound.platform, inbound.user_id))
        if member is None and inbound.platform == LOCAL_PLATFORM and inbound.user_id == LOCAL_ADMIN:
            return MemberView(
                0, LOCAL_PLATFORM, LOCAL_ADMIN, texts.LOCAL_ADMIN_NAME, None, "admin", inbound.at
            )
        return member

    def _turn(self, inbound: Inbound) -> Turn:
        ledger = self.knowledge.ledger()  # one look at the ledgers per message
        member = self.identify(inbound, ledger)
        text = question_text(inbound.text.strip(), member)
        return Turn(inbound, text, member, ledger, self._conversation(inbound), self.knowledge)

    def _conversation(self, inbound: Inbound) -> Conversation:
        """The sender's conversation, or a new one when there is none or it has gone stale; it is kept only
        once a handler that remembers has answered (so strangers' messages leave nothing behind)."""
        conversation = self._conversations.get((inbound.platform, inbound.user_id))
        if conversation is None or (conversation.at and inbound.at - conversation.at > CONTEXT_TTL):
            return Conversation()
        return conversation

    def _remember(self, turn: Turn, reply: Reply) -> None:
        conversation = turn.conversation
        self._conversations[(turn.inbound.platform, turn.inbound.user_id)] = conversation
        conversation.at = turn.inbound.at
        conversation.options = reply.options
        conversation.rest = reply.rest
        # Paging, help and chatter keep the subject, so "谁负责" still refers to what came before them;
        # so do reports, which are not questions to follow up.
        if reply.slots is not None and reply.intent not in ("more", "help", "smalltalk", "unknown"):
            conversation.last_intent = reply.intent  # type: ignore[assignment]  # answers carry IntentNames
            conversation.last_slots = reply.slots
            if reply.listed or reply.intent in LIST_INTENTS:
                conversation.listed = reply.listed  # kept while its items are asked about in turn
