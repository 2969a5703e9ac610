"""What every answer shares: the values it returns and the lookups all kinds of answer use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

from bot.conversation import texts
from bot.conversation.knowledge import Knowledge, LedgerState
from nlu.commands import Command
from nlu.intents import IntentName, Slots
from nlu.lexicon import section_key, section_name
from schedules.calendar import WorkCalendar
from schedules.colours import Colour, task_colour
from store.acknowledgements import unacknowledged_due_soon
from store.calendar_overrides import calendar_overrides
from store.views import PlanView, TaskView, plan_short_name


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
    rest: Sequence[str] = ()  # list lines beyond the first page, for "更多"
    listed: tuple[tuple[str, int], ...] = ()  # the tasks of the page shown, in order: 第二个 is the second


class Pages(Sequence[str]):
    """The lines of a long list from `offset` on, formatted a page at a time when they are shown: a list of
    46,000 overdue tasks costs one page of work, however many there are."""

    def __init__(self, total: int, fetch: Callable[[int, int], list[str]], offset: int = 0) -> None:
        self.total, self.fetch, self.offset = total, fetch, offset

    def __len__(self) -> int:
        return max(0, self.total - self.offset)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, int):
            return self.fetch(self.offset + index, 1)[0]
        start, stop, _ = index.indices(len(self))
        if index.stop is None:
            return Pages(self.total, self.fetch, self.offset + start)
        return self.fetch(self.offset + start, max(0, stop - start))


class AnswerBase:
    """The knowledge as of one message and the day it is asked; helpers shared by every kind of answer."""

    def __init__(
        self, knowledge: Knowledge, today: date, ledger: LedgerState | None = None, question: str = ""
    ) -> None:
        self.knowledge = knowledge
        self.question = question  # the message as sent, for answers quoted from the plans' text
        # what a passage must quote to answer it: the plans' own names are in every one of their openings
        self.searched = knowledge.lexicon.without_plan_names(question) if question else question
        self.ledger: LedgerState = ledger or knowledge.ledger()
        self.planned = knowledge.catalog  # as the documents say, before any approved delay
        self.catalog = knowledge.catalog.with_delays(self.ledger.statuses)
        self.numbered_plans = knowledge.lexicon.numbered_plans
        self.numbered = frozenset(self.numbered_plans)
        self.today = today
        self._fetched: dict[int, list[tuple[str, int]]] = {}  # a paged list's task keys, by offset
        self._unacked: dict[tuple[str, int], bool] = {}  # a due-soon reminder left without 收到, per task

    def _plans_in(self, slots: Slots) -> list[PlanView]:
        codes = [*slots.plans, *(key.split(":", 1)[0] for key in slots.sections)]
        plans = [self.catalog.plans[code] for code in dict.fromkeys(codes) if code in self.catalog.plans]
        for region in slots.regions:
            plans += [p for p in self.catalog.lookup.plans_by_region.get(region, ()) if p not in plans]
        return sorted(plans, key=lambda p: self._plan_order(p, codes))

    def _plan_order(self, plan: PlanView, named: list[str]) -> tuple[int, int]:
        """Plans named first, in the order named; then those of the regions, in catalog order."""
        return (
            (named.index(plan.code), 0)
            if plan.code in named
            else (len(named), self.catalog.lookup.plan_rank(plan.code))
        )

    def _collective_sizes(self, assigned: Sequence[str]) -> dict[str, int]:
        units = self.catalog.units.many(assigned)
        return {name: len(units[name].members) for name in assigned if name in units and units[name].members}

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

    def _colour(self, task: TaskView) -> tuple[Colour, str] | None:
        """The task's 督办 colour and why: 红 overdue, 黄 behind, 蓝 due within 5 working days."""
        key = (task.plan, task.number)
        status = self.ledger.statuses.get(key)
        if status is not None and status.done:
            return None
        returned = bool(status and status.returned())
        unacknowledged = not returned and key in self._unacknowledged([task])
        colour = task_colour(
            deadline=task.deadline, ongoing=task.ongoing, done=False, today=self.today,
            calendar=self._calendar(), behind=returned or unacknowledged,
        )  # fmt: skip
        if colour is None:
            return None
        if colour == "yellow":
            return colour, "returned" if returned else "unacknowledged"
        return colour, colour

    def _unacknowledged(self, tasks: Sequence[TaskView]) -> set[tuple[str, int]]:
        """Of these tasks, those whose due-soon reminder went unacknowledged; read for many at once. Only a
        task whose deadline is still ahead can be behind for that reason (an overdue one is red)."""
        ahead = [
            (t.plan, t.number)
            for t in tasks
            if t.deadline is not None and not t.ongoing and t.deadline >= self.today
        ]
        missing = [key for key in ahead if key not in self._unacked]
        if missing:
            found = unacknowledged_due_soon(self.knowledge.db, missing, self.today)
            self._unacked.update({key: key in found for key in missing})
        return {key for key in ahead if self._unacked.get(key)}

    def _calendar(self) -> WorkCalendar:
        """Working days as the office has set them, read once per state of the ledgers."""
        db = self.knowledge.db
        return self.ledger.remembered(("calendar",), lambda: WorkCalendar(calendar_overrides(db)))

    def _plan_name(self, code: str) -> str:
        plan = self.catalog.plans[code]
        return plan_short_name(plan.region, plan.short_names)

    def _label(self, task: TaskView) -> str:
        if task.plan in self.numbered:
            # Where several plans number their tasks, 任务7 alone names none: the plan's name goes first, as
            # people and digests call it (示范区任务7).
            return (
                f"任务{task.number}"
                if len(self.numbered) == 1
                else f"{self._plan_name(task.plan)}任务{task.number}"
            )
        region = self.catalog.plans[task.plan].region
        label = f"{region[:-1] if len(region) > 2 else region}第{task.number}项"
        items = self.knowledge.lexicon.sections.get(section_key(task.plan, task.section or ""))
        if items:  # as the document numbers it: 四、重点工作（三）
            ordinal = texts.chinese_ordinal(items.index(task.number) + 1)
            return f"{label}·{section_name(task.section or '')}（{ordinal}）"
        return label

    def _paged(
        self,
        intent: IntentName,
        slots: Slots,
        heading: list[str],
        lines: Sequence[str],
        listed: Sequence[tuple[str, int]] | None = None,
    ) -> Answer:
        """The first page of a list; `listed` are its tasks in order (a Pages list of tasks knows its own)."""
        shown, rest = lines[: texts.PAGE_SIZE], lines[texts.PAGE_SIZE :]
        text = "\n".join([*heading, *shown] + ([texts.more_hint(len(rest))] if rest else []))
        keys = listed if listed is not None else self._fetched.get(0, [])
        return Answer(
            intent,
            text,
            slots,
            rest=rest if isinstance(rest, Pages) else tuple(rest),
            listed=tuple(keys[: len(shown)]),
        )
