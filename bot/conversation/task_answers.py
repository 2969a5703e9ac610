"""Answers about tasks: one task, a unit's tasks, tasks due in a window, overdue, ongoing and ★ tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.conversation import texts
from bot.conversation.answer_base import Answer, AnswerBase, Option
from bot.conversation.windows import resolve_window
from nlu.intents import IntentName, Slots, TaskRef
from nlu.lexicon import section_key, section_name
from store.views import PlanView, TaskView


class TaskAnswers(AnswerBase):
    def _with_task(self, intent: IntentName, slots: Slots, render: Callable[[TaskView], str]) -> Answer:
        if not slots.tasks:
            return Answer(intent, texts.NEED_SUBJECT, slots)
        slots = self._of_the_units(slots)
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

    def _of_the_units(self, slots: Slots) -> Slots:
        """我们那个展会专利纠纷的任务: of the tasks the wording fits, those that name the unit asked about."""
        if not (slots.task_fragment and len(slots.tasks) > 1 and slots.units):
            return slots
        members = self._members(slots.units)
        named = tuple(
            ref
            for ref in slots.tasks
            if (task := self.catalog.tasks.get((ref.plan or "", ref.number))) and members & set(task.assigned)
        )
        return replace(slots, tasks=named) if named else slots

    def _members(self, units: tuple[str, ...]) -> set[str]:
        return {m for name in units for m in (name, *self.catalog.units[name].members)}

    def _task_option(self, intent: IntentName, slots: Slots, ref: TaskRef) -> Option:
        task = self._task(ref, slots)
        assert not isinstance(task, str)  # fragment matches name existing tasks
        label = f"{self._label(task)} {texts.abridge_text(task.title or task.content, 30)}"
        return Option(label, intent, replace(slots, tasks=(ref,), task_fragment=None))

    def _task(self, ref: TaskRef, slots: Slots) -> TaskView | str:
        in_list = self._in_list(ref, slots)
        if in_list is not None:
            return in_list
        plan = self.catalog.plans[ref.plan] if ref.plan else self._task_plan(slots)
        task = self.catalog.tasks.get((plan.code, ref.number))
        if task is None:
            count = sum(1 for t in self.catalog.tasks.values() if t.plan == plan.code)
            return texts.no_such_task(ref.number, plan.title, count)
        return task

    def _in_list(self, ref: TaskRef, slots: Slots) -> TaskView | None:
        """第六条 right after one of a plan's lists was discussed: the sixth of that list."""
        if ref.plan is not None or not slots.ordinal_only or not slots.sections:
            return None
        items = self.knowledge.lexicon.sections.get(slots.sections[0], ())
        if not 0 < ref.number <= len(items):
            return None
        return self.catalog.tasks.get((slots.sections[0].split(":", 1)[0], items[ref.number - 1]))

    def _task_plan(self, slots: Slots) -> PlanView:
        """The plan a bare task number means: one named, one whose region is named, else the numbered one."""
        named = self._plans_in(slots)
        if named:
            return named[0]
        return self.catalog.plans[
            self.numbered_plans[0] if self.numbered_plans else next(iter(self.catalog.plans))
        ]

    def _unit_tasks(self, slots: Slots) -> Answer:
        if not slots.units:
            return self._plan_tasks(slots)
        if len(slots.units) > 1:  # 连江县和仓山区分别有哪些任务: each unit its own list
            parts = [self._unit_tasks(replace(slots, units=(unit,))) for unit in slots.units]
            return Answer("unit_tasks", "\n\n".join(p.text for p in parts), slots)
        unit = self.catalog.units[slots.units[0]]
        members = {unit.name, *unit.members}
        rows = [
            (t, self._role(t, members), bool(members & set(t.assigned)))
            for t in self._tasks_of(slots, unit_filter=False)
            if members & {*t.units, *t.assigned}
        ]
        total = len(rows)
        if slots.role:
            rows = [row for row in rows if row[1] == slots.role]
        # What names the unit itself comes first, led before supported; then what it holds as a member of a
        # collective (各县（市）区人民政府).
        rows.sort(key=lambda row: (not row[2], row[1] != "lead", row[0].plan, row[0].number))
        lines = [self._task_line(t, texts.ROLE_LABELS[role]) for t, role, _ in rows]
        via = sum(1 for row in rows if not row[2])
        heading = texts.unit_tasks_heading(unit.name, len(lines), slots.role, slots.undone, via)
        if slots.role and "count" in slots.aspects:  # 一共多少项，其中牵头几项: both counts
            heading = texts.count_of_all(unit.name, total) + heading
        held = self._held_indicators(unit.name, members)
        answer = self._paged("unit_tasks", replace(slots, units=(unit.name,)), [heading], lines)
        named = [] if rows or held or slots.role else self._named_in_text(unit.name, unit.aliases)
        if named:
            return Answer("unit_tasks", "\n".join(named), replace(slots, units=(unit.name,)))
        extra = [texts.unit_indicators(unit.name, held)] if held and not slots.role else []
        hint = self._plan_hint(unit.region, unit.name)
        extra += [hint] if hint else []
        return replace(answer, text="\n".join([answer.text, *extra]))

    def _named_in_text(self, unit: str, aliases: tuple[str, ...]) -> list[str]:
        """A unit the task list does not name may still be a 责任单位 in the body text (三（六）2)."""
        passages = self.knowledge.passages().naming((unit, *aliases))
        if not passages:
            return []
        return [texts.named_in_text(unit, len(passages))] + [
            texts.section_line(self.catalog.plans[p.plan].title, p.path, p.heading) for p in passages
        ]

    def _held_indicators(self, unit: str, members: set[str]) -> list[str]:
        """The indicators a unit is responsible for, named or as a member of a collective."""
        return [
            texts.held_indicator(
                i.name, i.region, texts.target_text(i.comparator, i.target, i.unit_of_measure, i.period_kind)
            )
            for i in self.catalog.indicators.values()
            if members & {*i.units, *i.assigned}
        ]

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
        tasks = self._tasks_of(replace(slots, plans=(plans[0].code,)))
        section = slots.sections[0].split(":", 1)[1] if slots.sections else None
        heading = texts.plan_tasks_heading(plans[0].title, len(tasks), section_name(section or ""))
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
        heading = texts.featured_heading(len(tasks), self._scope(replace(slots, featured=False)))
        if "count" in slots.aspects:  # 一共多少项，带星的几项: both counts, of the plans that mark ★
            plans = tuple(dict.fromkeys(t.plan for t in tasks)) or slots.plans
            scope = replace(slots, featured=False, plans=plans)
            heading = texts.count_of_all(self._scope(scope), len(self._tasks_of(scope))) + heading
        return self._paged("featured_tasks", slots, [heading], [self._task_line(t) for t in tasks])

    def _done_tasks(self, slots: Slots) -> Answer:
        tasks = [t for t in self._tasks_of(slots) if self._status(t)[0]]
        heading = texts.done_heading(self.today, len(tasks), self._scope(slots))
        return self._paged("done_tasks", slots, [heading], [self._done_line(t) for t in tasks])

    def _done_line(self, task: TaskView) -> str:
        status = self.ledger.statuses.get((task.plan, task.number))
        done_at = status.done_at if status else None
        return texts.task_line(
            self._label(task),
            task.title or task.content,
            texts.deadline_text(task.deadline, task.ongoing),
            texts.task_status(True, 0, 0, done_at),
            None,
        )

    def _tasks_of(self, slots: Slots, *, unit_filter: bool = True) -> list[TaskView]:
        """The tasks in scope: plans named, the units (a collective's members too), ★ and undone filters."""
        plans = {p.code for p in self._plans_in(slots)} if slots.plans else None
        members: set[str] | None = None
        if unit_filter and slots.units:
            members = set()
            for name in slots.units:
                members |= {name, *self.catalog.units[name].members}
        return [
            t
            for t in self.catalog.tasks.values()
            if (plans is None or t.plan in plans)
            and (members is None or members & {*t.units, *t.assigned})
            and (t.featured or not slots.featured)
            and not (slots.undone and self._status(t)[0])
            and (not slots.sections or section_key(t.plan, t.section or "") in slots.sections)
        ]

    def _scope(self, slots: Slots) -> str:
        plan = self._plans_in(slots)[0].title if slots.plans or slots.sections else None
        return texts.scope_of("、".join(slots.units) or None, plan, slots.featured, slots.undone)

    def _role(self, task: TaskView, members: set[str]) -> str:
        lead = task.assigned[0] if task.assigned else None
        lead_members = {lead, *self.catalog.units[lead].members} if lead else set()
        return "lead" if members & lead_members else "co"

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
            status=texts.task_status(done, done_units, len(task.units), status.done_at if status else None),
            assigned=task.assigned,
            assignment_note=self.catalog.plans[task.plan].assignment_note,
            expanded_count=self._collective_sizes(task.assigned),
            progress=status.last_progress if status else None,
            progress_at=status.last_progress_at if status else None,
            planned_deadline=self._planned_deadline(task),
            delay_request=status.delay_request if status else None,
        )
