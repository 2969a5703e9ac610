"""Follow-ups: what a message leaves out is filled from the conversation's last subject.

鼓楼专利授权量进度 → 那商标申请呢 → 仓山呢; 任务7是什么 → 谁负责.
"""

from __future__ import annotations

from dataclasses import fields, replace

from bot.conversation.turn import LIST_INTENTS, Conversation
from nlu.intents import Intent, IntentName, Slots, TaskRef


def follow_up(intent: Intent, conversation: Conversation) -> tuple[IntentName, Slots]:
    """Fill what the message leaves out from the conversation's last subject."""
    slots, last = intent.slots, conversation.last_slots
    if _a_year_of_the_indicator(intent, conversation):
        return "indicator_progress", _merge(last, slots)  # 23年呢: the figure then (the baseline, if any)
    listed_item = _listed_item(slots, conversation)
    if listed_item is not None:
        return (intent.name or "task_detail"), replace(slots, tasks=(listed_item,), ordinal_only=False)
    same_plan = _of_the_same_plan(slots, last)
    if same_plan is not None:  # 鼓楼第3项 → 第9项呢: the 鼓楼 plan's ninth, not 任务9
        slots = replace(slots, tasks=(same_plan,))
        intent = replace(intent, slots=slots)
    if slots.ordinal_only and not (slots.sections or slots.plans or slots.regions) and last.sections:
        slots = replace(slots, sections=last.sections)  # 第六条 of the list just discussed
        intent = replace(intent, slots=slots)
    if intent.name is None and slots.undone and slots.subject_free() and conversation.last_intent in LISTS:
        return conversation.last_intent, _narrowed(last, slots)  # 还有哪些没完成的: of the list just given
    if intent.name is None:
        previous = conversation.last_intent
        if previous is not None and _compatible(previous, slots):
            return previous, _merge(last, slots)
        # A subject of another kind (an indicator after 验收不合格怎么处理) is asked afresh: what was asked
        # of the last one does not carry.
        return _default(slots), replace(_merge(last, slots), aspects=slots.aspects)
    only_item = _the_only_item(conversation)
    if slots.subject_free() and intent.name in ("responsible", "task_detail") and only_item is not None:
        # 连江县牵头的任务 (one) → 这个还有多久到期: that one
        return intent.name, replace(slots, tasks=(only_item,))
    if slots.subject_free() and intent.name in (
        "responsible",
        "indicator_target",
        "indicator_progress",
        "task_detail",
    ):
        return _asked_of_subject(intent.name, last), _merge(last, slots)
    if intent.name in ("indicator_progress", "indicator_target") and not slots.regions and last.regions:
        return intent.name, replace(slots, hint_regions=last.regions)
    narrows = (
        slots.within
        or (intent.name == "done_tasks" and slots.subject_free())
        or (slots.elliptic and slots.subject_free() and not slots.own_unit)  # 下个月到期的呢
    )
    if narrows and intent.name in LISTS and conversation.last_intent in LISTS:
        # 其中哪些逾期了 · 哪个已经完成了: the new filter applies to the list just given, with its scope.
        return intent.name, _narrowed(last, slots)
    return intent.name, slots


LISTS = LIST_INTENTS


def _narrowed(last: Slots, new: Slots) -> Slots:
    return replace(
        new,
        units=new.units or last.units,
        plans=new.plans or last.plans,
        regions=new.regions or last.regions,
        window=new.window or last.window,
        role=new.role or last.role,
        featured=new.featured or last.featured,
        undone=new.undone or last.undone,
    )


def _a_year_of_the_indicator(intent: Intent, conversation: Conversation) -> bool:
    """23年呢 · 23年底有几个 after an indicator: that year's figure, not the tasks due that year."""
    window, slots = intent.slots.window, intent.slots
    return (
        intent.name in (None, "due_tasks")
        and window is not None
        and window.kind in ("in_year", "in_month")
        and slots.subject_free()
        and bool(conversation.last_slots.indicators)
        and conversation.last_intent in ("indicator_progress", "indicator_target")
    )


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
    if last_intent == "plan_fact":  # 示范区方案文号 → 那鼓楼方案呢: the same fact of that plan
        return bool(slots.plans or slots.regions)
    return last_intent in (
        "due_tasks",
        "overdue_tasks",
        "ongoing_tasks",
        "featured_tasks",
        "done_tasks",
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


def _the_only_item(conversation: Conversation) -> TaskRef | None:
    """The task of a list that held just one."""
    if conversation.last_intent not in LISTS or len(conversation.listed) != 1:
        return None
    return TaskRef(*conversation.listed[0])


def _listed_item(slots: Slots, conversation: Conversation) -> TaskRef | None:
    """第二个谁负责 after a list: the second task of the list shown, not 任务2."""
    if not (slots.ordinal_only and len(slots.tasks) == 1) or slots.sections or slots.plans or slots.regions:
        return None
    key = conversation.list_item(slots.tasks[0].number)
    return TaskRef(*key) if key else None


def _of_the_same_plan(slots: Slots, last: Slots) -> TaskRef | None:
    """第9项 said after one plan's item: that plan's ninth."""
    if not (slots.ordinal_only and len(slots.tasks) == 1 and slots.tasks[0].plan is None):
        return None
    if (
        slots.sections or slots.plans or slots.regions or last.sections
    ):  # 重点工作（三）→ 第五条: of that list
        return None
    if len(last.tasks) != 1 or last.tasks[0].plan is None:
        return None
    return TaskRef(last.tasks[0].plan, slots.tasks[0].number)


def _merge(last: Slots, new: Slots) -> Slots:
    """The new message's subject wins field by field; a new indicator or task replaces the other kind."""
    merged = {f.name: getattr(new, f.name) or getattr(last, f.name) for f in fields(Slots)}
    merged["qualified"] = new.qualified  # said of one message's indicator, not carried to the next
    merged["outline"] = new.outline  # a quoted section is no subject to ask more of
    merged["listing"] = new.listing  # what one message asked for is its own
    merged["keyword"] = new.keyword if new.indicators else last.keyword  # what picked the carried indicators
    if new.tasks:
        merged["indicators"] = ()
    if new.indicators:
        merged["tasks"], merged["task_fragment"] = (), None
    if new.units and not new.regions:
        merged["regions"] = ()
    return Slots(**merged)
