"""The conversation core: one inbound message in, replies out; knows no platform.

Per user it remembers the last subject (for "那商标申请呢", "仓山呢", "谁负责"), a pending numbered choice and
the rest of a long list. That memory is conversational convenience only and lives in process memory;
everything that must not be lost is in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from bot.conversation import texts
from bot.conversation.answers import Answer, Answerer, Option
from bot.conversation.knowledge import Knowledge, LedgerState
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from bot.conversation.reminder_chat import acknowledge, bind_reminder_chat
from bot.conversation.reminders import ACK_DATA
from bot.conversation.reporting import CANCEL_DATA, CONFIRM_DATA, Reply, Reporter
from nlu.commands import parse_command
from nlu.intents import Intent, IntentName, Slots, TaskRef
from nlu.normalize import normalize
from nlu.parser import parse
from store.members import InviteError, MemberView, redeem_invite

LOCAL_PLATFORM = "local"  # `duban ask` and `duban chat`: the machine's own operator and users added by CLI
LOCAL_ADMIN = "admin"
MAX_MESSAGE_CHARS = 1000
_BIND = re.compile(r"(?:/bind|/start|绑定)(?:@\w+)?\s*([a-z0-9]*)\s*", re.IGNORECASE)
CONTEXT_TTL = timedelta(hours=2)  # a subject from the morning should not answer an afternoon "谁负责"
_BUTTON = re.compile(
    rf"({CONFIRM_DATA}|{CANCEL_DATA}):(\d{{1,18}})"
)  # what a confirm/cancel button sends back
_SLASH = re.compile(r"/(help|start|tasks|progress)(?:@\w+)?(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
_ACK_BUTTON = re.compile(rf"{ACK_DATA}:(\d{{1,18}})")
_ACK_WORDS = frozenset({"收到", "收到了", "已收到", "已阅", "收到!", "收到。", "收到."})
_SUBSCRIBE_WORDS = frozenset({"接收提醒", "在此接收提醒", "本群接收提醒", "/remind", "/remind_here"})
_SUBJECT_FIELDS = ("indicators", "regions", "units", "plans", "tasks", "task_fragment")


@dataclass
class Conversation:
    last_intent: IntentName | None = None
    last_slots: Slots = field(default_factory=Slots)
    options: tuple[Option, ...] = ()
    rest: tuple[str, ...] = ()
    at: datetime | None = None


class Core:
    """Handles messages for every transport; one instance per process.

    Only bound members may ask (or anyone, when public_read is set); the local operator of `duban ask` and
    `duban chat` is an admin without binding.
    """

    def __init__(self, knowledge: Knowledge, *, public_read: bool = False) -> None:
        self.knowledge = knowledge
        self.public_read = public_read
        self._conversations: dict[tuple[str, str], Conversation] = {}

    def handle(self, inbound: Inbound) -> list[Outbound]:
        bind_code = binding_code(inbound.text)
        if bind_code is not None:
            return [self._bind(inbound, bind_code)]
        ledger = self.knowledge.ledger()  # one look at the ledgers per message
        if not self.public_read and self.identify(inbound, ledger) is None:
            return [Outbound(texts.NOT_BOUND, intent="not_bound")]
        conversation = self._conversation(inbound)
        reply = self._reply(inbound, conversation, ledger)
        self._remember(conversation, reply, inbound.at)
        return [Outbound(reply.text, reply.buttons, intent=reply.intent)]

    def identify(self, inbound: Inbound, ledger: LedgerState) -> MemberView | None:
        """The member who sent the message; the local operator counts as an admin of no unit."""
        member = ledger.members.get((inbound.platform, inbound.user_id))
        if member is None and inbound.platform == LOCAL_PLATFORM and inbound.user_id == LOCAL_ADMIN:
            return MemberView(
                0, LOCAL_PLATFORM, LOCAL_ADMIN, texts.LOCAL_ADMIN_NAME, None, "admin", inbound.at
            )
        return member

    def _bind(self, inbound: Inbound, code: str) -> Outbound:
        if not code:
            return Outbound(texts.BIND_USAGE, intent="bind")
        try:
            member = redeem_invite(
                self.knowledge.db,
                code=code,
                platform=inbound.platform,
                user_id=inbound.user_id,
                display_name=inbound.display_name or inbound.user_id,
                at=inbound.at,
                message_id=inbound.message_id,
            )
        except InviteError as exc:
            return Outbound(texts.INVITE_PROBLEMS[exc.reason], intent="bind")
        return Outbound(texts.bound(member.display_name, member.unit, member.role), intent="bind")

    def _conversation(self, inbound: Inbound) -> Conversation:
        key = (inbound.platform, inbound.user_id)
        conversation = self._conversations.get(key)
        if conversation is None or (conversation.at and inbound.at - conversation.at > CONTEXT_TTL):
            conversation = self._conversations[key] = Conversation()
        return conversation

    def _reply(self, inbound: Inbound, conversation: Conversation, ledger: LedgerState) -> Reply:
        text = inbound.text.strip()
        if not text:
            return _reply(Answer("unknown", texts.EMPTY, Slots()))
        if len(text) > MAX_MESSAGE_CHARS:
            return _reply(Answer("unknown", texts.too_long(len(text)), Slots()))
        if text.startswith("/"):
            slash = self._slash_command(text, self.identify(inbound, ledger))
            if isinstance(slash, Reply):
                return slash
            text = slash
        button = _BUTTON.fullmatch(text)
        if button is not None:
            return self._reporter(inbound, ledger).button(button.group(1), int(button.group(2)))
        reminder_reply = self._reminder_command(inbound, ledger, text)
        if reminder_reply is not None:
            return reminder_reply
        command = parse_command(text, self.knowledge.lexicon)
        if command is not None:
            return self._reporter(inbound, ledger).handle(command)
        answerer = Answerer(self.knowledge, inbound.at.astimezone(LOCAL_TZ).date(), ledger)
        intent = parse(text, self.knowledge.lexicon)
        if intent.name == "choose":
            return self._choose(intent.slots.choice or 0, conversation, answerer, inbound)
        if intent.name == "more":
            return _reply(self._more(conversation))
        name, slots = _follow_up(intent, conversation)
        return _reply(answerer.answer(name, slots))

    def _reminder_command(self, inbound: Inbound, ledger: LedgerState, text: str) -> Reply | None:
        """收到 (typed or the button) acknowledges a digest; 接收提醒 binds this chat for reminders."""
        member = self.identify(inbound, ledger)
        ack = _ACK_BUTTON.fullmatch(text)
        if ack is not None:
            return Reply("ack", acknowledge(self.knowledge.db, inbound, member, int(ack.group(1))))
        words = normalize(text)
        if words in _ACK_WORDS:
            return Reply("ack", acknowledge(self.knowledge.db, inbound, member, None))
        if words in _SUBSCRIBE_WORDS:
            return Reply("reminder_chat", bind_reminder_chat(self.knowledge.db, inbound, member))
        return None

    def _slash_command(self, text: str, member: MemberView | None) -> Reply | str:
        """/help, /start, /tasks [单位], /progress [指标]: chat commands as the questions they stand for."""
        found = _SLASH.fullmatch(text)
        if found is None:
            return text
        name, rest = found.group(1).lower(), (found.group(2) or "").strip()
        if name in ("help", "start"):
            return Reply("help", texts.HELP)
        if name == "tasks":
            unit = rest or (member.unit if member is not None else None)
            return texts.unit_tasks_question(unit) if unit else Reply("help", texts.TASKS_USAGE)
        return texts.progress_question(rest)

    def _reporter(self, inbound: Inbound, ledger: LedgerState) -> Reporter:
        return Reporter(self.knowledge, inbound, self.identify(inbound, ledger), ledger)

    def _choose(self, choice: int, conversation: Conversation, answerer: Answerer, inbound: Inbound) -> Reply:
        if not conversation.options:  # no question pending: a bare number is a task number
            return _reply(answerer.answer("task_detail", Slots(tasks=(TaskRef(None, choice),))))
        if not 1 <= choice <= len(conversation.options):
            count = len(conversation.options)
            return Reply(
                conversation.last_intent or "unknown",
                texts.choice_out_of_range(count),
                options=conversation.options,
            )
        option = conversation.options[choice - 1]
        if option.command is not None:  # the numbered choice was which task or indicator a report is about
            return self._reporter(inbound, answerer.ledger).handle(option.command)
        return _reply(answerer.answer(option.intent, option.slots))

    def _more(self, conversation: Conversation) -> Answer:
        if not conversation.rest:
            return Answer("more", texts.NO_MORE, conversation.last_slots)
        shown, rest = conversation.rest[: texts.PAGE_SIZE], conversation.rest[texts.PAGE_SIZE :]
        text = "\n".join([*shown] + ([texts.more_hint(len(rest))] if rest else []))
        return Answer("more", text, conversation.last_slots, rest=rest)

    def _remember(self, conversation: Conversation, reply: Reply, at: datetime) -> None:
        conversation.at = at
        conversation.options = reply.options
        conversation.rest = reply.rest
        # Paging, help and chatter keep the subject, so "谁负责" still refers to what came before them;
        # so do reports, which are not questions to follow up.
        if reply.slots is not None and reply.intent not in ("more", "help", "smalltalk", "unknown"):
            conversation.last_intent = reply.intent  # type: ignore[assignment]  # answers carry IntentNames
            conversation.last_slots = reply.slots


def _reply(answer: Answer) -> Reply:
    return Reply(answer.intent, answer.text, options=answer.options, rest=answer.rest, slots=answer.slots)


def binding_code(text: str) -> str | None:
    """The invite code of "绑定 CODE", "/bind CODE" or "/start CODE" ("" when the code is missing)."""
    found = _BIND.fullmatch(normalize(text[:200]))
    if found is None or (not found.group(1) and text.strip().lower().startswith("/start")):
        return None  # a bare /start is a greeting, answered as help or with how to bind
    return found.group(1)


def _follow_up(intent: Intent, conversation: Conversation) -> tuple[IntentName, Slots]:
    """Fill what the message leaves out from the conversation's last subject."""
    slots, last = intent.slots, conversation.last_slots
    if intent.name is None:
        previous = conversation.last_intent
        name = previous if previous is not None and _compatible(previous, slots) else _default(slots)
        return name, _merge(last, slots)
    if slots.subject_free() and intent.name in (
        "responsible",
        "indicator_target",
        "indicator_progress",
        "task_detail",
    ):
        return _asked_of_subject(intent.name, last), _merge(last, slots)
    if intent.name in ("indicator_progress", "indicator_target") and not slots.regions and last.regions:
        return intent.name, replace(slots, hint_regions=last.regions)
    return intent.name, slots


def _asked_of_subject(name: IntentName, last: Slots) -> IntentName:
    """ "谁负责" / "目标是多少" / "什么时候到期" about whatever was last discussed."""
    if name in ("indicator_target", "indicator_progress") and last.tasks and not last.indicators:
        return "task_detail"
    if name == "task_detail" and last.indicators and not last.tasks:
        return "indicator_target"
    return name


def _compatible(last_intent: IntentName, slots: Slots) -> bool:
    if last_intent in ("indicator_progress", "indicator_target"):
        return bool(slots.indicators or slots.regions)
    if last_intent == "responsible":
        return bool(slots.indicators or slots.tasks)
    if last_intent == "task_detail":
        return bool(slots.tasks)
    if last_intent == "unit_tasks":
        return bool(slots.units)
    return last_intent in (
        "due_tasks",
        "overdue_tasks",
        "ongoing_tasks",
        "featured_tasks",
        "plan_overview",
        "indicator_list",
    )


def _default(slots: Slots) -> IntentName:
    """What a bare subject asks about when there is no conversation to continue."""
    if slots.tasks:
        return "task_detail"
    if slots.indicators:
        return "indicator_progress"
    if slots.units:
        return "unit_tasks"
    if slots.plans:
        return "plan_overview"
    if slots.window is not None:
        return "due_tasks"
    return "indicator_list" if slots.regions else "unknown"


def _merge(last: Slots, new: Slots) -> Slots:
    """The new message's subject wins field by field; a new indicator or task replaces the other kind."""
    merged = {f.name: getattr(new, f.name) or getattr(last, f.name) for f in fields(Slots)}
    if new.tasks:
        merged["indicators"] = ()
    if new.indicators:
        merged["tasks"], merged["task_fragment"] = (), None
    if new.units and not new.regions:
        merged["regions"] = ()
    return Slots(**merged)
