"""How reminders read: digest and notice wording for the outbox, and the acknowledgement button."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import texts
from schedules.delivery import Buttons
from schedules.plan import URGENCY
from schedules.summary import OverdueSummary
from store.outbox import DIGEST, ItemView, MessageView

ACK_DATA = "ack"  # a 收到 button sends back "ack:<message id>"
_RANK: dict[str, int] = {kind: rank for kind, rank in URGENCY.items()}


def item_label(
    *, task: int | None, task_title: str | None, plan_region: str, indicator_name: str | None,
    indicator_region: str | None,
) -> str:  # fmt: skip
    """任务18 for plans whose tasks are numbered only; 鼓楼区第3项 for plans whose tasks have titles."""
    if indicator_name is not None:
        return f"【{indicator_region}】{indicator_name}"
    return f"任务{task}" if task_title is None else f"{plan_region}第{task}项"


def line(kind: str, label: str, *, about: str | None, workdays: int | None, deadline: date | None) -> str:
    return texts.REMINDER_LINES[kind].format(
        label=label, about=about or "", workdays=workdays, deadline=texts.day(deadline) if deadline else ""
    )


class ReminderTexts:
    """The Renderer the deliverer uses: the bot's wording for digests and admin notices."""

    def message(self, view: MessageView) -> tuple[str, Buttons]:
        if view.kind != DIGEST:
            return view.body or "", ()
        lines = [_item_line(item) for item in sorted(view.items, key=_urgency)]
        missed = [i.day for i in view.items if i.day < view.day and not i.resent]
        text = texts.digest(
            view.unit or "", view.day, lines, catch_up_since=min(missed) if view.catch_up and missed else None
        )
        return text, ((texts.ACK_BUTTON, f"{ACK_DATA}:{view.id}"),)

    def failed_notice(self, view: MessageView, detail: str) -> str:
        return texts.failed_notice(view.unit or view.member or "", view.day, view.failures + 1, detail)

    def unbound_notice(self, view: MessageView) -> str:
        return texts.unbound_notice(view.unit or "", view.day, len(view.items))

    def unreachable_notice(self, units: Sequence[str], chat: str, detail: str) -> str:
        return texts.unreachable_notice(units, chat, detail)

    def overdue_summary(self, summary: OverdueSummary) -> str:
        oldest = [texts.late_task(t.plan_region, t.number, t.deadline, t.units) for t in summary.oldest]
        return texts.overdue_summary(summary.day, summary.total, summary.by_unit, oldest)


def _urgency(item: ItemView) -> tuple[int, date, str, int, str]:
    return (
        _RANK.get(item.kind, 9),
        item.deadline or date.max,
        item.plan,
        item.task or 0,
        item.indicator or "",
    )


def _item_line(item: ItemView) -> str:
    label = item_label(
        task=item.task, task_title=item.task_title, plan_region=item.plan_region,
        indicator_name=item.indicator_name, indicator_region=item.indicator_region,
    )  # fmt: skip
    text = line(item.kind, label, about=item.about_unit, workdays=item.workdays, deadline=item.deadline)
    return texts.RESENT_MARK + text if item.resent else text
