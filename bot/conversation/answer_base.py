"""What every answer shares: the values it returns and the lookups all kinds of answer use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.conversation import texts
from bot.conversation.knowledge import Catalog, Knowledge, LedgerState
from nlu.commands import Command
from nlu.intents import IntentName, Slots
from nlu.lexicon import section_key, section_name
from store.views import PlanView, TaskView


@dataclass(frozen=True)
class Option:
    """One numbered choice: what answering it means."""

    label: str
    intent: IntentName
    slots: Slots
    command: Command | None = None  # a report waiting for its subject: choosing carries it out


@dataclass(frozen=True)
class Answer:
    intent: IntentName
    text: str
    slots: Slots  # the subject, for follow-ups
    options: tuple[Option, ...] = ()
    rest: tuple[str, ...] = ()  # list lines beyond the first page, for "更多"


class AnswerBase:
    """The knowledge as of one message and the day it is asked; helpers shared by every kind of answer."""

    def __init__(
        self, knowledge: Knowledge, today: date, ledger: LedgerState | None = None, question: str = ""
    ) -> None:
        self.knowledge = knowledge
        self.question = question  # the message as sent, for answers quoted from the plans' text
        self.ledger: LedgerState = ledger or knowledge.ledger()
        self.planned = knowledge.catalog  # as the documents say, before any approved delay
        self.catalog = _with_approved_delays(knowledge.catalog, self.ledger)
        self.numbered_plans = knowledge.lexicon.numbered_plans
        self.today = today

    def _plans_in(self, slots: Slots) -> list[PlanView]:
        codes = [*slots.plans, *(key.split(":", 1)[0] for key in slots.sections)]
        plans = [self.catalog.plans[code] for code in dict.fromkeys(codes) if code in self.catalog.plans]
        plans += [p for p in self.catalog.plans.values() if p.region in slots.regions and p not in plans]
        return plans

    def _collective_sizes(self, assigned: Sequence[str]) -> dict[str, int]:
        return {
            name: len(self.catalog.units[name].members)
            for name in assigned
            if self.catalog.units[name].members
        }

    def _planned_deadline(self, task: TaskView) -> date | None:
        """The document's deadline when an approved delay has replaced it, else None."""
        planned = self.planned.tasks[(task.plan, task.number)].deadline
        return planned if planned != task.deadline else None

    def _status(self, task: TaskView) -> tuple[bool, int]:
        status = self.ledger.statuses.get((task.plan, task.number))
        return (status.done, len(status.done_units)) if status else (False, 0)

    def _is_overdue(self, task: TaskView) -> bool:
        done = self._status(task)[0]
        return bool(task.deadline and not task.ongoing and task.deadline < self.today and not done)

    def _label(self, task: TaskView) -> str:
        if task.plan in self.numbered_plans:
            return f"任务{task.number}"
        region = self.catalog.plans[task.plan].region
        label = f"{region[:-1] if len(region) > 2 else region}第{task.number}项"
        items = self.knowledge.lexicon.sections.get(section_key(task.plan, task.section or ""))
        if items:  # as the document numbers it: 四、重点工作（三）
            ordinal = texts.chinese_ordinal(items.index(task.number) + 1)
            return f"{label}·{section_name(task.section or '')}（{ordinal}）"
        return label

    def _paged(self, intent: IntentName, slots: Slots, heading: list[str], lines: list[str]) -> Answer:
        shown, rest = lines[: texts.PAGE_SIZE], lines[texts.PAGE_SIZE :]
        text = "\n".join([*heading, *shown] + ([texts.more_hint(len(rest))] if rest else []))
        return Answer(intent, text, slots, rest=tuple(rest))


def _with_approved_delays(catalog: Catalog, ledger: LedgerState) -> Catalog:
    """The catalog with each approved delay's date as the task's deadline: every list and count follows it."""
    moved = {
        key: replace(catalog.tasks[key], deadline=status.deadline)
        for key, status in ledger.statuses.items()
        if status.deadline is not None and key in catalog.tasks
    }
    return replace(catalog, tasks={**catalog.tasks, **moved}) if moved else catalog
