"""Turn a resolved intent into an answer: look things up in the knowledge, format through texts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot import texts
from bot.knowledge import Knowledge, LedgerState
from bot.progress import assess, expected_by
from bot.windows import resolve_window
from nlu.intents import IntentName, Slots, TaskRef
from store.views import IndicatorView, PlanView, TaskView

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class Option:
    """One numbered choice: what answering it means."""

    label: str
    intent: IntentName
    slots: Slots


@dataclass(frozen=True)
class Answer:
    intent: IntentName
    text: str
    slots: Slots  # the subject, for follow-ups
    options: tuple[Option, ...] = ()
    rest: tuple[str, ...] = ()  # list lines beyond the first page, for "更多"


class Answerer:
    """Answers for one message: the knowledge as of now and the day it is asked."""

    def __init__(self, knowledge: Knowledge, today: date) -> None:
        self.catalog = knowledge.catalog
        self.numbered_plans = knowledge.lexicon.numbered_plans
        self.ledger: LedgerState = knowledge.ledger()
        self.today = today

    def answer(self, intent: IntentName, slots: Slots) -> Answer:
        handler: Callable[[Slots], Answer] = getattr(self, f"_{intent}", self._unknown)
        return handler(slots)

    # ---- indicators ---------------------------------------------------------------------------------------

    def _indicator_progress(self, slots: Slots) -> Answer:
        return self._with_indicator("indicator_progress", slots, self._progress_text)

    def _indicator_target(self, slots: Slots) -> Answer:
        return self._with_indicator("indicator_target", slots, self._target_text)

    def _responsible(self, slots: Slots) -> Answer:
        if slots.tasks:
            return self._with_task(
                "responsible", slots, lambda task: texts.task_responsible(self._task_facts(task))
            )
        return self._with_indicator("responsible", slots, self._indicator_units_text)

    def _with_indicator(
        self, intent: IntentName, slots: Slots, render: Callable[[IndicatorView], str]
    ) -> Answer:
        if not slots.indicators:
            return Answer(intent, texts.NEED_SUBJECT, slots)
        candidates = [self.catalog.indicators[k] for k in slots.indicators if k in self.catalog.indicators]
        if slots.regions:
            in_region = [i for i in candidates if i.region in slots.regions]
            if not in_region:
                text = texts.no_indicator_in_region(
                    slots.regions[0], [i.name for i in candidates], [i.region for i in candidates]
                )
                return Answer(intent, text, slots)
            candidates = in_region
        hinted = [i for i in candidates if i.region in slots.hint_regions]
        if len(candidates) > 1 and hinted:
            candidates = hinted
        if len(candidates) > 1:
            return self._indicator_choice(intent, slots, candidates)
        return Answer(intent, render(candidates[0]), replace(slots, regions=(candidates[0].region,)))

    def _indicator_choice(
        self, intent: IntentName, slots: Slots, candidates: Sequence[IndicatorView]
    ) -> Answer:
        options = tuple(
            Option(f"【{i.region}】{i.name}", intent, replace(slots, regions=(i.region,))) for i in candidates
        )
        return Answer(intent, texts.choose([o.label for o in options]), slots, options=options)

    def _progress_text(self, indicator: IndicatorView) -> str:
        facts = self._indicator_facts(indicator)
        report = self.ledger.reports.get((indicator.plan, indicator.code))
        as_of = report.as_of if report else self.today
        progress = assess(indicator, report.value if report else None, as_of)
        expected = (
            expected_by(indicator, as_of)
            if indicator.period_kind in ("per_year", "yearly_average", "level")
            else None
        )
        status = texts.STATUS_MARKS[progress.status]
        if progress.status == "at_risk" and indicator.due is not None and as_of > indicator.due:
            status = texts.PAST_DUE_MARK
        return texts.indicator_progress(
            facts,
            self.today,
            (
                texts.quantity(report.value, indicator.unit_of_measure),
                report.as_of,
                texts.reporter(report.reporter, report.unit),
            )
            if report
            else None,
            progress.percent_of_target,
            (texts.expected_quantity(expected, indicator.unit_of_measure), as_of)
            if expected is not None
            else None,
            status,
        )

    def _target_text(self, indicator: IndicatorView) -> str:
        return texts.indicator_target(self._indicator_facts(indicator), self.today)

    def _indicator_units_text(self, indicator: IndicatorView) -> str:
        return texts.indicator_responsible(
            self._indicator_facts(indicator), self._collective_sizes(indicator.assigned)
        )

    def _indicator_facts(self, indicator: IndicatorView) -> texts.IndicatorFacts:
        baseline_unit = indicator.baseline_unit or indicator.unit_of_measure
        return texts.IndicatorFacts(
            name=indicator.name,
            region=indicator.region,
            plan_title=self.catalog.plans[indicator.plan].title,
            code=indicator.code,
            target=texts.target_text(
                indicator.comparator, indicator.target, indicator.unit_of_measure, indicator.period_kind
            ),
            due=indicator.due,
            baseline=texts.quantity(indicator.baseline, baseline_unit)
            if indicator.baseline is not None
            else None,
            baseline_year=indicator.baseline_year,
            units=indicator.assigned,
            note=indicator.note,
        )

    def _indicator_list(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots) or list(self.catalog.plans.values())
        lines: list[str] = []
        for plan in plans:
            indicators = [i for i in self.catalog.indicators.values() if i.plan == plan.code]
            lines.append(texts.indicator_list_heading(plan.title, plan.region, len(indicators)))
            lines.extend(
                texts.indicator_line(
                    n, i.name, texts.target_text(i.comparator, i.target, i.unit_of_measure, i.period_kind)
                )
                for n, i in enumerate(indicators, 1)
            )
        return self._paged("indicator_list", slots, [lines[0]], lines[1:])

    # ---- tasks --------------------------------------------------------------------------------------------

    def _task_detail(self, slots: Slots) -> Answer:
        if not slots.tasks and slots.indicators:
            return self._indicator_target(slots)
        return self._with_task("task_detail", slots, lambda task: texts.task_detail(self._task_facts(task)))

    def _with_task(self, intent: IntentName, slots: Slots, render: Callable[[TaskView], str]) -> Answer:
        if not slots.tasks:
            return Answer(intent, texts.NEED_SUBJECT, slots)
        if slots.task_fragment and len(slots.tasks) > 1:
            options = tuple(self._task_option(intent, slots, ref) for ref in slots.tasks)
            return Answer(intent, texts.choose([o.label for o in options]), slots, options=options)
        found: list[TaskView] = []
        for ref in slots.tasks[:3]:
            task_or_error = self._task(ref, slots)
            if isinstance(task_or_error, str):
                return Answer(intent, task_or_error, slots)
            found.append(task_or_error)
        resolved = replace(slots, tasks=tuple(TaskRef(t.plan, t.number) for t in found), task_fragment=None)
        return Answer(intent, "\n\n".join(render(task) for task in found), resolved)

    def _task_option(self, intent: IntentName, slots: Slots, ref: TaskRef) -> Option:
        task = self._task(ref, slots)
        assert not isinstance(task, str)  # fragment matches name existing tasks
        label = f"{self._label(task)} {texts.abridge_text(task.title or task.content, 30)}"
        return Option(label, intent, replace(slots, tasks=(ref,), task_fragment=None))

    def _task(self, ref: TaskRef, slots: Slots) -> TaskView | str:
        plan = self.catalog.plans[ref.plan] if ref.plan else self._task_plan(slots)
        task = self.catalog.tasks.get((plan.code, ref.number))
        if task is None:
            count = sum(1 for t in self.catalog.tasks.values() if t.plan == plan.code)
            return texts.no_such_task(ref.number, plan.title, count)
        return task

    def _task_plan(self, slots: Slots) -> PlanView:
        """The plan a bare task number means: one named, one whose region is named, else the numbered one."""
        named = self._plans_in(slots)
        if named:
            return named[0]
        return self.catalog.plans[
            self.numbered_plans[0] if self.numbered_plans else next(iter(self.catalog.plans))
        ]

    def _plans_in(self, slots: Slots) -> list[PlanView]:
        plans = [self.catalog.plans[code] for code in slots.plans if code in self.catalog.plans]
        plans += [p for p in self.catalog.plans.values() if p.region in slots.regions and p not in plans]
        return plans

    def _unit_tasks(self, slots: Slots) -> Answer:
        if not slots.units:
            return self._plan_tasks(slots)
        unit = self.catalog.units[slots.units[0]]
        members = {unit.name, *unit.members}
        rows = [
            (t, self._role(t, members))
            for t in self._tasks_of(slots, unit_filter=False)
            if members & {*t.units, *t.assigned}
        ]
        if slots.role:
            rows = [(t, role) for t, role in rows if role == slots.role]
        lines = [self._task_line(t, texts.ROLE_LABELS[role]) for t, role in rows]
        heading = texts.unit_tasks_heading(unit.name, len(lines), slots.role)
        answer = self._paged("unit_tasks", replace(slots, units=(unit.name,)), [heading], lines)
        hint = self._plan_hint(unit.region, unit.name)
        return replace(answer, text=answer.text + ("\n" + hint if hint else ""))

    def _plan_hint(self, region: str, unit: str) -> str | None:
        for plan in self.catalog.plans.values():
            if (
                plan.region == region
                and plan.supervising_unit != unit
                and plan.code not in self.numbered_plans
            ):
                count = sum(1 for t in self.catalog.tasks.values() if t.plan == plan.code)
                return texts.plan_hint(region, plan.title, count)
        return None

    def _plan_tasks(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots)
        if not plans:
            return Answer("help", texts.HELP, slots)
        tasks = [t for t in self.catalog.tasks.values() if t.plan == plans[0].code]
        heading = texts.plan_tasks_heading(plans[0].title, len(tasks))
        return self._paged("unit_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _due_tasks(self, slots: Slots) -> Answer:
        if slots.window is None:
            return Answer("due_tasks", texts.NEED_SUBJECT, slots)
        span = resolve_window(slots.window, self.today)
        tasks = [
            t
            for t in self._tasks_of(slots)
            if t.deadline
            and not t.ongoing
            and (span.start is None or span.start <= t.deadline)
            and t.deadline <= span.end
        ]
        tasks.sort(key=lambda t: (t.deadline or self.today, t.plan, t.number))
        heading = texts.due_heading(span.start, span.end, len(tasks), self._scope(slots))
        return self._paged("due_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _overdue_tasks(self, slots: Slots) -> Answer:
        tasks = [t for t in self._tasks_of(slots) if self._is_overdue(t)]
        tasks.sort(key=lambda t: (t.deadline or self.today, t.plan, t.number))
        heading = texts.overdue_heading(self.today, len(tasks), self._scope(slots))
        return self._paged("overdue_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _ongoing_tasks(self, slots: Slots) -> Answer:
        tasks = [t for t in self._tasks_of(slots) if t.ongoing]
        heading = texts.ongoing_heading(len(tasks), self._scope(slots))
        return self._paged("ongoing_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _featured_tasks(self, slots: Slots) -> Answer:
        tasks = [t for t in self._tasks_of(slots) if t.featured]
        heading = texts.featured_heading(len(tasks), self._scope(slots))
        return self._paged("featured_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _tasks_of(self, slots: Slots, *, unit_filter: bool = True) -> list[TaskView]:
        plans = {p.code for p in self._plans_in(slots)} if slots.plans else None
        members: set[str] | None = None
        if unit_filter and slots.units:
            unit = self.catalog.units[slots.units[0]]
            members = {unit.name, *unit.members}
        return [
            t
            for t in self.catalog.tasks.values()
            if (plans is None or t.plan in plans) and (members is None or members & {*t.units, *t.assigned})
        ]

    def _scope(self, slots: Slots) -> str:
        plan = self._plans_in(slots)[0].title if slots.plans else None
        return texts.scope_of(slots.units[0] if slots.units else None, plan)

    def _role(self, task: TaskView, members: set[str]) -> str:
        lead = task.assigned[0] if task.assigned else None
        lead_members = {lead, *self.catalog.units[lead].members} if lead else set()
        return "lead" if members & lead_members else "co"

    def _is_overdue(self, task: TaskView) -> bool:
        done = self._status(task)[0]
        return bool(task.deadline and not task.ongoing and task.deadline < self.today and not done)

    def _status(self, task: TaskView) -> tuple[bool, int]:
        status = self.ledger.statuses.get((task.plan, task.number))
        return (status.done, len(status.done_units)) if status else (False, 0)

    def _task_line(self, task: TaskView, role: str | None = None) -> str:
        done = self._status(task)[0]
        remaining = (
            None if task.ongoing or not task.deadline else texts.days_left(task.deadline, self.today, done)
        )
        return texts.task_line(
            self._label(task),
            task.title or task.content,
            texts.deadline_text(task.deadline, task.ongoing),
            remaining,
            role,
        )

    def _task_facts(self, task: TaskView) -> texts.TaskFacts:
        status = self.ledger.statuses.get((task.plan, task.number))
        done, done_units = self._status(task)
        return texts.TaskFacts(
            label=self._label(task),
            plan_title=self.catalog.plans[task.plan].title,
            title=task.title,
            content=task.content,
            featured=task.featured,
            deadline=texts.deadline_text(task.deadline, task.ongoing),
            remaining=None
            if task.ongoing or not task.deadline
            else texts.days_left(task.deadline, self.today, done),
            status=texts.task_status(done, done_units, len(task.units)),
            assigned=task.assigned,
            expanded_count=self._collective_sizes(task.assigned),
            progress=status.last_progress if status else None,
        )

    def _collective_sizes(self, assigned: Sequence[str]) -> dict[str, int]:
        return {
            name: len(self.catalog.units[name].members)
            for name in assigned
            if self.catalog.units[name].members
        }

    def _label(self, task: TaskView) -> str:
        if task.plan in self.numbered_plans:
            return f"任务{task.number}"
        region = self.catalog.plans[task.plan].region
        return f"{region[:-1] if len(region) > 2 else region}第{task.number}项"

    # ---- plans and the rest -------------------------------------------------------------------------------

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
            counted[
                assess(
                    indicator, report.value if report else None, report.as_of if report else self.today
                ).status
            ] += 1
        return {status: counted[status] for status in texts.STATUS_MARKS}

    def _help(self, slots: Slots) -> Answer:
        return Answer("help", texts.HELP, slots)

    def _smalltalk(self, slots: Slots) -> Answer:
        return Answer("smalltalk", texts.THANKS if slots.smalltalk == "thanks" else texts.ACK, slots)

    def _unknown(self, slots: Slots) -> Answer:
        return Answer("unknown", texts.UNKNOWN, slots)

    def _paged(self, intent: IntentName, slots: Slots, heading: list[str], lines: list[str]) -> Answer:
        shown, rest = lines[: texts.PAGE_SIZE], lines[texts.PAGE_SIZE :]
        text = "\n".join([*heading, *shown] + ([texts.more_hint(len(rest))] if rest else []))
        return Answer(intent, text, slots, rest=tuple(rest))
