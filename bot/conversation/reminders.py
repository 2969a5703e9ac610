"""How reminders read: digest and notice wording for the outbox, and the acknowledgement button."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.conversation import texts
from bot.conversation.messages import ACK_DATA, APPROVE_DATA, RETURN_DATA, REVIEW_NOTICE
from nlu.lexicon import section_name
from schedules.plan import URGENCY
from schedules.port import Buttons
from schedules.summary import OverdueSummary
from schedules.weekly import WeeklyReport
from store.delivery_events import DIGEST, NOTICE
from store.item_names import ItemName
from store.outbox import ItemView, MessageView
from store.plan_status import ExpiredPlan

ESCALATION = "escalation"
# the outbox key of an admin's review notice (store.outbox.enqueue_notice, reason "review"): the 审核号 next
_REVIEW_KEY = re.compile(rf"{NOTICE}:{REVIEW_NOTICE}:(\d{{1,18}}):")
_RANK: dict[str, int] = {kind: rank for kind, rank in URGENCY.items()}


def item_label(
    *, task: int | None, task_title: str | None, plan_region: str, indicator_name: str | None,
    indicator_region: str | None, plan_short: str = "", task_words: str | None = None,
    task_section: tuple[str, int] | None = None,
) -> str:  # fmt: skip
    """What a reminder chases, named as in chat and in a few words: 【示范区】任务11「强化知识产权行政执法…」,
    【鼓楼方案】鼓楼第3项·示范县建设重点思路（三）「成立知识产权服务业联盟…」; an indicator by its region and
    name."""
    if indicator_name is not None:
        return f"【{indicator_region}】{indicator_name}"
    place = plan_region[:-1] if len(plan_region) > 2 else plan_region
    label = f"任务{task}" if task_title is None else f"{place}第{task}项"
    if task_title is not None and task_section is not None:  # as the document numbers it, as chat says it
        section, ordinal = task_section
        label += f"·{section_name(section)}（{texts.chinese_ordinal(ordinal)}）"
    plan = f"【{plan_short}】" if plan_short else ""
    words = f"「{texts.abridge_text(task_words, texts.REMINDER_WORDS)}」" if task_words else ""
    return f"{plan}{label}{words}"


@dataclass(frozen=True)
class Line:
    """One reminder as a digest words it."""

    kind: str
    label: str
    about: str | None = None  # escalation: the late unit
    workdays: int | None = None
    deadline: date | None = None
    resent: bool = False
    carried: bool = False  # from a digest that never went out, not one that went unacknowledged
    plan: str = ""  # the plan's short name: a long digest groups its lines by plan
    day: date | None = None  # the day the line is sent on: a re-sent due-soon line is worded as of it
    period: str = "上季度末"  # a data request: the period whose figure is asked for


def digest_lines(reminders: Sequence[Line]) -> list[str]:
    return [text for _, text in digest_entries(reminders)]


def digest_entries(reminders: Sequence[Line]) -> list[tuple[str, str]]:
    """The digest's lines, in the order given (most urgent first). The supervisor hears of one late task
    once, naming its late units, however many there are (a task of the 14 county-level governments would
    otherwise take 14 lines)."""
    grouped: dict[tuple[object, ...], list[Line]] = {}
    for number, reminder in enumerate(reminders):
        if reminder.kind == ESCALATION:
            key: tuple[object, ...] = (
                reminder.label, reminder.workdays, reminder.deadline, reminder.resent, reminder.carried,
            )  # fmt: skip
        else:
            key = (number,)
        grouped.setdefault(key, []).append(reminder)
    return [(group[0].plan, _worded(group)) for group in grouped.values()]


def _worded(group: Sequence[Line]) -> str:
    first = group[0]
    about = texts.some_units([r.about or "" for r in group]) if first.kind == ESCALATION else ""
    deadline = texts.day(first.deadline) if first.deadline else ""
    text = texts.REMINDER_LINES[first.kind].format(
        label=first.label, about=about, workdays=first.workdays, deadline=deadline, period=first.period
    )
    if (first.resent or first.carried) and first.kind in _DUE_SOON and first.deadline and first.day:
        # worded for the day it was first meant for (今天到期, 还有 2 个工作日): say it as of today
        text = texts.due_again(first.label, first.deadline, first.day)
    mark = texts.COLOUR_MARKS.get(_colour(first) or "", "")
    if first.carried:
        return mark + texts.CARRIED_MARK + text
    return mark + (texts.RESENT_MARK + text if first.resent else text)


_DUE_SOON = ("due_today", "before_deadline")


def _colour(line: Line) -> str | None:
    """红 for what is late; 蓝 for what falls due soon, 黄 once a reminder of it went unacknowledged."""
    if line.kind in ("overdue", ESCALATION):
        return "red"
    if line.kind in ("due_today", "before_deadline"):
        return "yellow" if line.resent else "blue"
    return None


class ReminderTexts:
    """The Renderer the deliverer uses: the bot's wording for digests and admin notices."""

    def message(self, view: MessageView) -> tuple[str, Buttons]:
        review = _REVIEW_KEY.match(view.key)
        if review is not None:  # a completion report for the admin to review: 通过 / 退回 on the notice
            number = review.group(1)
            return view.body or "", (
                (texts.REVIEW_APPROVE_LABEL, f"{APPROVE_DATA}:{number}"),
                (texts.REVIEW_RETURN_LABEL, f"{RETURN_DATA}:{number}"),
            )
        if view.kind != DIGEST:
            return view.body or "", ()
        entries = digest_entries([_line(item, view.day) for item in sorted(view.items, key=_urgency)])
        missed = [i.day for i in view.items if i.day < view.day and not i.resent]
        text = texts.digest(
            view.unit or "", view.day, [t for _, t in entries],
            catch_up_since=min(missed) if view.catch_up and missed else None, plans=[p for p, _ in entries],
        )  # fmt: skip
        return text, ((texts.ACK_BUTTON, f"{ACK_DATA}:{view.id}"),)

    def unbound_notice(self, views: Sequence[MessageView]) -> str:
        return texts.unbound_notice([(v.unit or "", v.day, len(v.items)) for v in views])

    def platform_down_notice(self, platform: str, since: datetime, detail: str) -> str:
        return texts.platform_down_notice(platform, since, detail)

    def platform_up_notice(self, platform: str, since: datetime) -> str:
        return texts.platform_up_notice(platform, since)

    def unreachable_notice(self, units: Sequence[str], chat: str, detail: str) -> str:
        return texts.unreachable_notice(units, chat, detail)

    def leader_escalation(
        self, region: str, number: int, deadline: date, units: Sequence[str], name: ItemName | None = None
    ) -> str:
        return texts.leader_escalation(texts.late_task(_late_label(region, number, name), deadline, units))

    def closing_request(self, plan: ExpiredPlan) -> str:
        return texts.closing_request(plan.region, plan.title, plan.valid_to, plan.open_tasks, plan.archived)

    def overdue_summary(self, summary: OverdueSummary) -> str:
        oldest = [
            texts.late_task(_late_label(t.plan_region, t.number, t.name), t.deadline, t.units)
            for t in summary.oldest
        ]
        if summary.late_before is not None:
            return texts.long_overdue_summary(summary.day, summary.total, summary.by_unit, oldest)
        return texts.overdue_summary(summary.day, summary.total, summary.by_unit, oldest)

    def weekly_report(self, report: WeeklyReport) -> str:
        return texts.weekly_report(report)


def _urgency(item: ItemView) -> tuple[int, date, str, int, str, int]:
    """Most urgent first; a late task's units as the plan lists them."""
    return (
        _RANK.get(item.kind, 9),
        item.deadline or date.max,
        item.plan,
        item.task or 0,
        item.indicator or "",
        item.about_rank or 0,
    )


def _line(item: ItemView, sent_on: date) -> Line:
    label = item_label(
        task=item.task, task_title=item.task_title, plan_region=item.plan_region,
        indicator_name=item.indicator_name, indicator_region=item.indicator_region,
        plan_short=item.plan_short, task_words=item.task_words, task_section=item.task_section,
    )  # fmt: skip
    if item.kind == ESCALATION and item.task_leader:  # the office chases through the task's 责任领导
        label += texts.leader_of_item(item.task_leader)
    return Line(
        item.kind, label, item.about_unit, item.workdays, item.deadline, item.resent, item.carried,
        item.plan_short, sent_on, texts.reported_period(item.indicator_rule, item.day.month),
    )  # fmt: skip


def _late_label(region: str, number: int, name: ItemName | None) -> str:
    """A late task as digests and chat name it; by its plan's region and number when its name is unknown."""
    if name is None:
        return f"{region}任务{number}"
    return item_label(
        task=name.number, task_title=name.title, plan_region=name.plan_region, indicator_name=None,
        indicator_region=None, plan_short=name.plan_short, task_words=name.words, task_section=name.section,
    )  # fmt: skip
