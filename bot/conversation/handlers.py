"""The conversation's handlers, in the order they are asked "is this message mine?".

Each kind of message has one route: a handler that recognises it (`matches`) and answers it (`reply`). The
first handler that matches answers; the last one takes every question. A new kind of message (审核 buttons,
evidence files, plan documents) is a new handler placed in `default_handlers`, not a branch in the core.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.conversation import texts
from bot.conversation.answers import Answer, Answerer, Option, fitted
from bot.conversation.evidence import EvidenceAttachment, EvidenceRequest
from bot.conversation.follow_up import follow_up
from bot.conversation.messages import ACK_DATA, APPROVE_DATA, CANCEL_DATA, CONFIRM_DATA, RETURN_DATA
from bot.conversation.reminder_chat import acknowledge, bind_reminder_chat
from bot.conversation.replies import Reply
from bot.conversation.reporting import Reporter
from bot.conversation.turn import Turn
from nlu.intents import Slots, TaskRef
from nlu.normalize import normalize
from store.invite_guard import BindingLocked
from store.members import InviteError, MemberView, redeem_invite

MAX_MESSAGE_CHARS = 1000
_BIND = re.compile(r"(?:/bind|/start|绑定)(?:@\w+)?\s*([a-z0-9]*)\s*", re.IGNORECASE)
_BUTTON = re.compile(rf"({CONFIRM_DATA}|{CANCEL_DATA}):(\d{{1,18}})")  # what a confirm/cancel button sends
_ACK_BUTTON = re.compile(rf"{ACK_DATA}:(\d{{1,18}})")
_REVIEW_BUTTON = re.compile(rf"({APPROVE_DATA}|{RETURN_DATA}):(\d{{1,18}})")  # 通过 / 退回 on a review notice
_SLASH = re.compile(r"/(help|start|tasks|progress)(?:@\w+)?(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
_ACK_WORDS = frozenset({"收到", "收到了", "已收到", "已阅", "收到!", "收到。", "收到."})
_SUBSCRIBE_WORDS = frozenset({"接收提醒", "在此接收提醒", "本群接收提醒", "/remind", "/remind_here"})


class Handler(Protocol):
    """One kind of message. `remembers`: whether answering it updates the sender's conversation memory."""

    remembers: bool

    def matches(self, turn: Turn) -> bool: ...

    def reply(self, turn: Turn) -> Reply: ...


def default_handlers(*, public_read: bool) -> tuple[Handler, ...]:
    return (
        Binding(),
        Unbound(public_read),
        EvidenceAttachment(),  # before EmptyOrTooLong: a photo without a caption has no text
        EvidenceRequest(),
        EmptyOrTooLong(),
        ChatCommandHelp(),
        ConfirmButton(),
        ReviewButton(),
        Acknowledgement(),
        ReminderChat(),
        WriteCommand(),
        NumberedChoice(),
        NamedChoice(),
        NextPage(),
        LeaderTasks(),
        Question(),
    )


def binding_code(text: str) -> str | None:
    """The invite code of "绑定 CODE", "/bind CODE" or "/start CODE" ("" when the code is missing)."""
    found = _BIND.fullmatch(normalize(text[:200]))
    if found is None or (not found.group(1) and text.strip().lower().startswith("/start")):
        return None  # a bare /start is a greeting, answered as help or with how to bind
    return found.group(1)


def question_text(text: str, member: MemberView | None) -> str:
    """The message with a chat command that stands for a question replaced by that question:
    /tasks [单位] (the sender's unit without a name), /progress [指标]. Other text is itself."""
    found = _SLASH.fullmatch(text)
    if found is None:
        return text
    name, rest = found.group(1).lower(), (found.group(2) or "").strip()
    if name == "tasks":
        unit = rest or (member.unit if member is not None else None)
        return texts.unit_tasks_question(unit) if unit else text
    if name == "progress":
        return texts.progress_question(rest)
    return text


class Binding:
    """绑定 CODE, /bind CODE, /start CODE: redeem a one-time invite, before anything else is allowed."""

    remembers = False

    def matches(self, turn: Turn) -> bool:
        return binding_code(turn.inbound.text) is not None

    def reply(self, turn: Turn) -> Reply:
        inbound, code = turn.inbound, binding_code(turn.inbound.text)
        if not code:
            return Reply("bind", texts.BIND_USAGE)
        try:
            member = redeem_invite(
                turn.knowledge.db,
                code=code,
                platform=inbound.platform,
                user_id=inbound.user_id,
                display_name=inbound.display_name or inbound.user_id,
                at=inbound.at,
                message_id=inbound.message_id,
            )
        except BindingLocked as exc:
            return Reply("bind", _locked(exc, inbound.at))
        except InviteError as exc:
            problem = texts.INVITE_PROBLEMS[exc.reason]
            if exc.lockout is not None:  # this wrong code was one too many: say so now, not at the next try
                problem += "\n" + _locked(exc.lockout, inbound.at)
            return Reply("bind", problem)
        return Reply("bind", texts.bound(member.display_name, member.unit, member.role))


def _locked(lock: BindingLocked, at: datetime) -> str:
    """How long to wait, in whole minutes rounded up (never "0 分钟"): 14 min 1 s is 15."""
    wait = max(1, math.ceil((lock.until - at).total_seconds() / 60))
    return texts.bind_paused(wait) if lock.everyone else texts.bind_locked(wait)


class Unbound:
    """Only bound members may ask (or anyone, when public reading is on); strangers learn how to bind."""

    remembers = False

    def __init__(self, public_read: bool) -> None:
        self.public_read = public_read

    def matches(self, turn: Turn) -> bool:
        return not self.public_read and turn.member is None

    def reply(self, turn: Turn) -> Reply:
        return Reply("not_bound", texts.NOT_BOUND)


class EmptyOrTooLong:
    remembers = True

    def matches(self, turn: Turn) -> bool:
        text = turn.inbound.text.strip()
        return not text or len(text) > MAX_MESSAGE_CHARS

    def reply(self, turn: Turn) -> Reply:
        text = turn.inbound.text.strip()
        return Reply.of(Answer("unknown", texts.too_long(len(text)) if text else texts.EMPTY, Slots()))


class ChatCommandHelp:
    """/help, /start, and /tasks from someone of no unit who named none."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        found = _SLASH.fullmatch(turn.text)
        return found is not None and found.group(1).lower() in ("help", "start", "tasks")

    def reply(self, turn: Turn) -> Reply:
        found = _SLASH.fullmatch(turn.text)
        is_tasks = found is not None and found.group(1).lower() == "tasks"
        return Reply("help", texts.TASKS_USAGE if is_tasks else texts.HELP)


class ConfirmButton:
    """确认 / 取消 pressed on a report preview ("confirm:<pending id>")."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return _BUTTON.fullmatch(turn.text) is not None

    def reply(self, turn: Turn) -> Reply:
        found = _BUTTON.fullmatch(turn.text)
        assert found is not None
        return _reporter(turn).button(found.group(1), int(found.group(2)))


class ReviewButton:
    """通过 / 退回 pressed on a review notice ("approve:<审核号>"); 退回 asks for the reason to be typed."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return _REVIEW_BUTTON.fullmatch(turn.text) is not None

    def reply(self, turn: Turn) -> Reply:
        found = _REVIEW_BUTTON.fullmatch(turn.text)
        assert found is not None
        number = int(found.group(2))
        if found.group(1) == RETURN_DATA:
            return _reporter(turn).review(number, approve=False, reason=None)
        return _reporter(turn).review(number, approve=True, reason=None)


class Acknowledgement:
    """收到: the 收到 button names its digest; a typed 收到 means the unit's newest unacknowledged one."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return _ACK_BUTTON.fullmatch(turn.text) is not None or normalize(turn.text) in _ACK_WORDS

    def reply(self, turn: Turn) -> Reply:
        found = _ACK_BUTTON.fullmatch(turn.text)
        digest = int(found.group(1)) if found is not None else None
        return Reply("ack", acknowledge(turn.knowledge.db, turn.inbound, turn.member, digest))


class ReminderChat:
    """接收提醒: this chat receives the sender's unit's reminders from now on."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return normalize(turn.text) in _SUBSCRIBE_WORDS

    def reply(self, turn: Turn) -> Reply:
        return Reply("reminder_chat", bind_reminder_chat(turn.knowledge.db, turn.inbound, turn.member))


class WriteCommand:
    """Reports, 确认/取消 typed, 撤销, delay requests and decisions, history: see `nlu.commands`."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return turn.command is not None

    def reply(self, turn: Turn) -> Reply:
        assert turn.command is not None
        return _reporter(turn).handle(turn.command)


class NumberedChoice:
    """A bare number: the answer to a pending numbered choice, else a task number."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return turn.intent.name == "choose"

    def reply(self, turn: Turn) -> Reply:
        choice, conversation = turn.intent.slots.choice or 0, turn.conversation
        answerer = _answerer(turn)
        if not conversation.options:
            key = conversation.list_item(choice) if "第" in turn.text else None
            # 第二个 after a list is its second task; a bare 2 stays 任务2
            task = TaskRef(*key) if key else TaskRef(None, choice)
            return Reply.of(answerer.answer("task_detail", Slots(tasks=(task,))))
        if not 1 <= choice <= len(conversation.options):
            return Reply(
                conversation.last_intent or "unknown",
                texts.choice_out_of_range(len(conversation.options)),
                options=conversation.options,
            )
        return _chosen(turn, conversation.options[choice - 1])


def _chosen(turn: Turn, option: Option) -> Reply:
    if option.command is not None:  # the choice was which task or indicator a report is about
        return _reporter(turn).handle(option.command)
    return Reply.of(_answerer(turn).answer(option.intent, option.slots))


class NamedChoice:
    """示范区那个 · 鼓楼的: a pending choice answered by naming the place or plan that tells one option apart,
    with nothing else asked."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return self._pick(turn) is not None

    def reply(self, turn: Turn) -> Reply:
        option = self._pick(turn)
        assert option is not None
        return _chosen(turn, option)

    @staticmethod
    def _pick(turn: Turn) -> Option | None:
        options, slots = turn.conversation.options, turn.intent.slots
        if not options or turn.intent.name is not None or slots.indicators or slots.tasks:
            return None
        plans = turn.knowledge.catalog.plans
        regions = set(slots.regions) | {plans[p].region for p in slots.plans if p in plans}
        fits = [
            o
            for o in options
            if set(o.slots.regions) & regions or {t.plan for t in o.slots.tasks} & set(slots.plans)
        ]
        return fits[0] if len(fits) == 1 else None


class NextPage:
    """更多: the next page of the last long list."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return turn.intent.name == "more"

    def reply(self, turn: Turn) -> Reply:
        conversation = turn.conversation
        if not conversation.rest:
            return Reply.of(Answer("more", texts.NO_MORE, conversation.last_slots))
        shown, rest = conversation.rest[: texts.PAGE_SIZE], conversation.rest[texts.PAGE_SIZE :]
        text = "\n".join([*shown] + ([texts.more_hint(len(rest))] if rest else []))
        return Reply.of(Answer("more", text, conversation.last_slots, rest=rest))


class LeaderTasks:
    """林副市长负责哪些任务 / 王副区长分管哪几项: a 责任领导 named in a plan, asked for their tasks. A task
    asked by number (第3项的责任领导是谁) is a question about that task, answered by Question."""

    remembers = True
    # asked for their work, not who they are (王副县长管啥 · 陈副区长要干哪些)
    _LIST = re.compile(
        r"负责|分管|牵头|任务|工作|哪几项|几项|管啥|管什么|管哪些|干啥|干什么|干哪些|做什么|做哪些|哪些事"
    )
    _ONE_TASK = re.compile(r"第\s*[0-9一二三四五六七八九十]+\s*项|任务\s*[0-9]+")

    def matches(self, turn: Turn) -> bool:
        text = turn.text or ""
        if not turn.knowledge.leaders or self._ONE_TASK.search(text) or not self._LIST.search(text):
            return False
        return self._leader(turn) is not None

    def reply(self, turn: Turn) -> Reply:
        leader = self._leader(turn) or ""
        keys = turn.knowledge.leaders[leader]
        named = set(turn.intent.slots.plans)  # 王副区长在营商环境清单里…: that plan's tasks of theirs
        chosen = [key for key in keys if not named or key[0] in named] or keys
        return Reply.of(_answerer(turn).leader_list(leader, chosen, turn.intent.slots, turn.intent.name))

    @staticmethod
    def _leader(turn: Turn) -> str | None:
        text = normalize(turn.text or "")
        named = [name for name in turn.knowledge.leaders if name in text]
        return max(named, key=len) if named else None


class Question:
    """Everything else is a question, completed from the conversation's last subject where it leaves
    something out."""

    remembers = True

    def matches(self, turn: Turn) -> bool:
        return True

    def reply(self, turn: Turn) -> Reply:
        clauses = _clauses_of_different_kinds(turn)
        if clauses:
            return _each_clause(turn, clauses)
        return self._one(turn)

    @staticmethod
    def _one(turn: Turn) -> Reply:
        name, slots = follow_up(turn.intent, turn.conversation)
        if slots.own_unit and not slots.units:
            unit = turn.member.unit if turn.member is not None else None
            if unit is None:
                return Reply(name, texts.OWN_UNIT_UNKNOWN)
            slots = replace(slots, units=(unit,))
        return Reply.of(_answerer(turn).answer(name, slots))


_CLAUSE_END = re.compile(r"[，,？?；;！!。\s]+")
_KINDS: dict[str, str] = {
    "indicator_progress": "indicator",
    "indicator_target": "indicator",
    "task_detail": "task",
    "unit_tasks": "list",
    "due_tasks": "list",
    "overdue_tasks": "list",
    "ongoing_tasks": "list",
    "featured_tasks": "list",
    "done_tasks": "list",
    "plan_fact": "plan",
    "plan_overview": "plan",
    "indicator_list": "plan",
}


def _clauses_of_different_kinds(turn: Turn) -> list[Turn]:
    """公安局有啥任务，企业联络点建了几个了: clauses that ask different kinds of thing (a unit's list and an
    indicator), each answered as if sent in turn; one question with two aspects (驿站谁负责、什么时候完成) is
    answered whole by the parser's aspects instead."""
    pieces = [p for p in _CLAUSE_END.split(turn.text) if p]
    if len(pieces) < 2:
        return _two_lists(turn)
    clauses = [replace(turn, text=piece) for piece in pieces]
    # A clause that names nothing of its own (进度多少) qualifies the one before it: not a question apart;
    # nor does one that names only a plan, before a task asked by its number (闽侯方案最后一项，第21项是啥).
    whole = turn.intent.slots
    if whole.tasks and whole.plans and any(_only_a_plan(c) for c in clauses):
        return []
    named = [c for c in clauses if not c.intent.slots.subject_free() or c.intent.slots.own_unit]
    kinds = {_KINDS.get(c.intent.name or "", "") for c in named} - {""}
    return clauses if len(kinds) >= 2 else []


def _only_a_plan(clause: Turn) -> bool:
    slots = clause.intent.slots
    return clause.intent.name == "plan_overview" and bool(slots.plans) and not (slots.tasks or slots.units)


_AND = re.compile(r"和|以及|还有|跟")
_LISTS = frozenset({"due_tasks", "overdue_tasks", "ongoing_tasks", "featured_tasks", "done_tasks"})


def _two_lists(turn: Turn) -> list[Turn]:
    """逾期的任务和本月底到期的任务: two different lists joined by 和, each answered."""
    if turn.intent.name not in _LISTS:
        return []
    for found in _AND.finditer(turn.text):
        halves = [turn.text[: found.start()], turn.text[found.end() :]]
        clauses = [replace(turn, text=half) for half in halves if half]
        names = [c.intent.name for c in clauses]
        if len(clauses) == 2 and all(n in _LISTS for n in names) and names[0] != names[1]:
            return clauses
    return []


def _each_clause(turn: Turn, clauses: list[Turn]) -> Reply:
    conversation = replace(turn.conversation)
    replies: list[Reply] = []
    for clause in clauses:
        reply = Question._one(replace(clause, conversation=conversation))
        replies.append(reply)
        if reply.slots is not None and reply.intent not in ("help", "smalltalk", "unknown"):
            conversation = replace(conversation, last_intent=reply.intent, last_slots=reply.slots)  # type: ignore[arg-type]
    answered = [r for r in replies if r.intent not in ("help", "unknown")] or replies
    last = answered[-1]
    chooser = next((r for r in answered if r.options), None)
    whole = fitted(Answer(last.intent, "\n\n".join(r.text for r in answered), last.slots or Slots()))  # type: ignore[arg-type]
    return Reply(
        last.intent,
        whole.text,
        options=chooser.options if chooser else (),
        rest=whole.rest,
        slots=last.slots,
    )


def _reporter(turn: Turn) -> Reporter:
    return Reporter(turn.knowledge, turn.inbound, turn.member, turn.ledger)


def _answerer(turn: Turn) -> Answerer:
    return Answerer(turn.knowledge, turn.today, turn.ledger, turn.text)
