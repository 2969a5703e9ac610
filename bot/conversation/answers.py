"""Turn a resolved intent into an answer: look things up in the knowledge, format through texts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.conversation import texts
from bot.conversation.answer_base import Answer, Option
from bot.conversation.indicator_answers import IndicatorAnswers
from bot.conversation.progress import assess
from bot.conversation.task_answers import TaskAnswers
from nlu.intents import IntentName, Slots
from store.views import IndicatorView, PlanView

__all__ = ["Answer", "Answerer", "Option"]
DUE_SOON_DAYS = 30


class Answerer(IndicatorAnswers, TaskAnswers):
    """Answers for one message: dispatches on the intent to the indicator and task answers."""

    def answer(self, intent: IntentName, slots: Slots) -> Answer:
        handler: Callable[[Slots], Answer] = getattr(self, f"_{intent}", self._unknown)
        return handler(slots)

    def _responsible(self, slots: Slots) -> Answer:
        if slots.tasks:
            return self._with_task(
                "responsible", slots, lambda task: texts.task_responsible(self._task_facts(task))
            )
        return self._with_indicator("responsible", slots, self._indicator_units_text)

    def _task_detail(self, slots: Slots) -> Answer:
        if not slots.tasks and slots.indicators:
            return self._indicator_target(slots)
        return self._with_task("task_detail", slots, lambda task: texts.task_detail(self._task_facts(task)))

    def _plan_overview(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots) or list(self.catalog.plans.values())
        text = "\n\n".join(texts.plan_overview(self._overview(plan), self.today) for plan in plans)
        return Answer("plan_overview", text, slots)

    def _overview(self, plan: PlanView) -> texts.OverviewFacts:
        tasks = [t for t in self.catalog.tasks.values() if t.plan == plan.code]
        soon = self.today + timedelta(days=DUE_SOON_DAYS)
        indicators = [i for i in self.catalog.indicators.values() if i.plan == plan.code]
        return texts.OverviewFacts(
            title=plan.title,
            region=plan.region,
            valid_to=plan.valid_to,
            tasks=len(tasks),
            featured=sum(t.featured for t in tasks),
            ongoing=sum(t.ongoing for t in tasks),
            done=sum(self._status(t)[0] for t in tasks),
            overdue=sum(self._is_overdue(t) for t in tasks),
            due_soon=sum(
                1 for t in tasks if t.deadline and self.today <= t.deadline <= soon and not self._status(t)[0]
            ),
            indicators=len(indicators),
            indicator_status=self._indicator_statuses(indicators),
        )

    def _indicator_statuses(self, indicators: Sequence[IndicatorView]) -> dict[str, int]:
        counted: Counter[str] = Counter()
        for indicator in indicators:
            report = self.ledger.reports.get((indicator.plan, indicator.code))
            value, as_of = (report.value, report.as_of) if report else (None, self.today)
            counted[assess(indicator, value, as_of).status] += 1
        return {status: counted[status] for status in texts.STATUS_MARKS}

    def _help(self, slots: Slots) -> Answer:
        return Answer("help", texts.HELP, slots)

    def _smalltalk(self, slots: Slots) -> Answer:
        return Answer("smalltalk", texts.THANKS if slots.smalltalk == "thanks" else texts.ACK, slots)

    def _unknown(self, slots: Slots) -> Answer:
        return Answer("unknown", texts.UNKNOWN, slots)
