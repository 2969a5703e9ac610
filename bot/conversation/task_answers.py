"""Answers about tasks: one task, a unit's tasks, tasks due in a window, overdue, ongoing and ★ tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.conversation import texts
from bot.conversation.answer_base import Answer, AnswerBase, Option, Pages
from bot.conversation.passages import sentence_asked
from bot.conversation.progress import assess
from bot.conversation.windows import DateRange, late_since, resolve_window
from nlu.intents import IntentName, Slots, TaskRef
from nlu.lexicon import section_name
from store.catalog_lookup import TaskQuery
from store.ledger import TaskStatusView
from store.views import IndicatorView, PlanView, TaskView

# Windows that run from today by default; asked of undone tasks, they take in the deadlines already missed.
_UP_TO_NOW_WHEN_UNDONE = frozenset({"this_year", "by_date"})


class TaskAnswers(AnswerBase):
    def _with_task(self, intent: IntentName, slots: Slots, render: Callable[[TaskView], str]) -> Answer:
        if not slots.tasks:
            return Answer(intent, texts.NEED_SUBJECT, slots)
        self.catalog.tasks.many((t.plan, t.number) for t in slots.tasks if t.plan)  # read at once
        slots = self._of_the_units(slots)
        if slots.task_fragment and len(slots.tasks) > 1:
            options = tuple(self._task_option(intent, slots, ref) for ref in slots.tasks[: texts.MAX_OPTIONS])
            return Answer(intent, texts.choose([o.label for o in options]), slots, options=options)
        found: list[TaskView] = []
        for ref in slots.tasks[:3]:
            task_or_error = self._task(ref, slots)
            if isinstance(task_or_error, str):
                return Answer(intent, task_or_error, slots)
            found.append(task_or_error)
        resolved = replace(slots, tasks=tuple(TaskRef(t.plan, t.number) for t in found), task_fragment=None)
        return Answer(intent, "\n\n".join(render(task) for task in found), resolved)

    def _detail(self, task: TaskView) -> str:
        """A task in full; where its wording is cut short, the sentence the question asks about beyond the
        cut (鼓楼打算在哪个园区设知创福建工作站 → …在金牛山互联网产业园设立平台工作站)."""
        text = texts.task_detail(self._task_facts(task))
        if len(task.content) <= texts.CONTENT_CHARS:
            return text
        asked = sentence_asked(self.question, task.content, (task.title or "",))
        shown = task.content[: texts.CONTENT_CHARS - 1]
        return text if asked is None or asked in shown else f"{text}\n{texts.asked_sentence(asked)}"

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
        found = self.catalog.units.many(units)
        return {m for name in units for m in (name, *(found[name].members if name in found else ()))}

    def _task_option(self, intent: IntentName, slots: Slots, ref: TaskRef) -> Option:
        task = self._task(ref, slots)
        assert not isinstance(task, str)  # fragment matches name existing tasks
        label = f"{self._label(task)} {texts.abridge_text(task.title or task.content, 30)}"
        return Option(label, intent, replace(slots, tasks=(ref,), task_fragment=None))

    def _task(self, ref: TaskRef, slots: Slots) -> TaskView | str:
        in_list = self._in_list(ref, slots)
        if in_list is not None:
            return in_list
        if ref.plan is None and len(self.numbered) > 1 and not self._plans_in(slots):
            example = self._plan_name(self.numbered_plans[0])
            return texts.task_needs_plan(ref.number, len(self.numbered), example)
        plan = self.catalog.plans[ref.plan] if ref.plan else self._task_plan(slots)
        task = self.catalog.tasks.get((plan.code, ref.number))
        if task is None:
            return texts.no_such_task(ref.number, plan.title, self.catalog.lookup.task_count(plan.code))
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
        query = replace(self._query(slots, unit_filter=False), units=(unit.name,))
        tasks = self._tasks(
            self.ledger.remembered(("keys", query), lambda: self.catalog.lookup.task_keys(query))
        )
        self.catalog.units.many(t.assigned[0] for t in tasks if t.assigned)  # the leads, read at once
        rows = [
            (t, self._role(t, members), bool(members & set(t.assigned)))
            for t in tasks
            if members & {*t.units, *t.assigned}
        ]
        total = len(rows)
        # 一共多少项，其中牵头几项 · 我局的任务有几个，牵头的是哪个: all of them, the role marked on each
        counted = bool(slots.role) and ("count" in slots.aspects or slots.measure is not None)
        in_role = sum(1 for row in rows if row[1] == slots.role)
        none_in_role = bool(slots.role) and not counted and not in_role and bool(rows)
        if slots.role and not counted and not none_in_role:
            rows = [row for row in rows if row[1] == slots.role]
        # What names the unit itself comes first, led before supported; then what it holds as a member of a
        # collective (各县（市）区人民政府).
        rows.sort(key=lambda row: (not row[2], row[1] != "lead", row[0].plan, row[0].number))
        lines = [self._task_line(t, texts.ROLE_LABELS[role]) for t, role, _ in rows]
        via = sum(1 for row in rows if not row[2])
        heading = texts.unit_tasks_heading(unit.name, len(lines), slots.role, slots.undone, via)
        if counted:
            heading = texts.count_with_role(unit.name, total, slots.role, in_role)
        elif none_in_role:  # 我们办有牵头的任务吗: no; these are what it holds
            heading = texts.none_in_role(unit.name, slots.role or "lead", total)
        held = self._held_indicators(unit.name, members)
        listed = [(t.plan, t.number) for t, _, _ in rows]
        answer = self._paged("unit_tasks", replace(slots, units=(unit.name,)), [heading], lines, listed)
        # 商务局要配合干啥: a unit no list names may still be named in the body text, whatever role is asked
        named = [] if total or held else self._named_in_text(unit.name, unit.aliases)
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
        held = [
            i for i in self.catalog.lookup.indicators_of_units([unit]) if members & {*i.units, *i.assigned}
        ]
        self.ledger.reports.many((i.plan, i.code) for i in held)  # read at once
        return [self._held_line(i) for i in held]

    def _held_line(self, indicator: IndicatorView) -> str:
        """An indicator in a unit's list, with where it stands: the unit asked about it in the same breath."""
        i = indicator
        target = texts.target_text(i.comparator, i.target, i.unit_of_measure, i.period_kind)
        report = self.ledger.reports.get((i.plan, i.code))
        if report is None:
            return texts.held_indicator(i.name, i.region, target)
        progress = assess(i, report.value, report.as_of)
        latest = (texts.quantity(report.value, i.unit_of_measure), report.as_of)
        return texts.held_indicator(i.name, i.region, target, latest, progress.percent_of_target)

    def _plan_hint(self, region: str, unit: str) -> str | None:
        for plan in self.catalog.lookup.plans_by_region.get(region, ()):
            if plan.supervising_unit != unit and plan.code not in self.numbered:
                return texts.plan_hint(region, plan.title, self.catalog.lookup.task_count(plan.code))
        return None

    def _plan_tasks(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots)
        if not plans:
            return Answer("help", texts.HELP, slots)
        query = self._query(replace(slots, plans=(plans[0].code,)))
        total = self.ledger.remembered(("total", query), lambda: self.catalog.lookup.task_total(query))
        section = slots.sections[0].split(":", 1)[1] if slots.sections else None
        heading = texts.plan_tasks_heading(plans[0].title, total, section_name(section or ""))
        return self._paged("unit_tasks", slots, [heading], self._lines(query, total))

    def _due_tasks(self, slots: Slots) -> Answer:
        if slots.window is None:
            return Answer("due_tasks", texts.NEED_SUBJECT, slots)
        span = resolve_window(slots.window, self.today)
        if slots.undone and span.start == self.today and slots.window.kind in _UP_TO_NOW_WHEN_UNDONE:
            # 今年到期但还没完成的: this year's deadlines already past and not met are still undone
            start = date(self.today.year, 1, 1) if slots.window.kind == "this_year" else None
            span = replace(span, start=start)
        query = replace(self._query(slots), due_from=span.start, due_to=span.end)
        tallies = self._tallies(query)  # the total and where they are, in one pass
        total = sum(n for _, n in tallies)
        heading = texts.due_heading(span.start, span.end, total, self._scope(slots))
        # Plan by plan, each by deadline: one plan's many items due on one day (a district plan's whole list
        # ends with its validity) do not push another plan's off the first page.
        return self._list("due_tasks", slots, heading, query, tallies, order="plan_deadline")

    def _overdue_tasks(self, slots: Slots) -> Answer:
        # 逾期超过半年: past a deadline that fell before this day
        late = late_since(self.today, slots.overdue_for) if slots.overdue_for else self.today
        if slots.overdue_within:  # 逾期不到两个月: past the deadline, but not by that long
            query = replace(self._query(slots), overdue_on=self.today, overdue_from=late)
        else:
            query = replace(self._query(slots), overdue_on=late)
        tallies = self._tallies(query)  # the total and where they are, in one pass
        total = sum(n for _, n in tallies)
        heading = texts.overdue_heading(
            self.today, total, self._scope(slots), slots.overdue_for, within=slots.overdue_within
        )
        return self._list("overdue_tasks", slots, heading, query, tallies, order="plan_deadline")

    def _ongoing_tasks(self, slots: Slots) -> Answer:
        query = replace(self._query(slots), ongoing=True)
        tallies = self._tallies(query)  # the total and where they are, in one pass
        total = sum(n for _, n in tallies)
        heading = texts.ongoing_heading(total, self._scope(slots))
        return self._list("ongoing_tasks", slots, heading, query, tallies)

    def _featured_tasks(self, slots: Slots) -> Answer:
        query = self._query(replace(slots, featured=True))
        tallies = self._tallies(query)  # the total and where they are, in one pass
        total = sum(n for _, n in tallies)
        heading = texts.featured_heading(total, self._scope(replace(slots, featured=False)))
        if "count" in slots.aspects:  # 一共多少项，带星的几项: both counts, of the plans that mark ★
            plans = tuple(sorted((c for c, _ in tallies), key=self.catalog.lookup.plan_rank)) or slots.plans
            scope = replace(slots, featured=False, plans=plans)
            every = self._query(scope)
            all_tasks = self.ledger.remembered(
                ("total", every), lambda: self.catalog.lookup.task_total(every)
            )
            heading = texts.count_of_all(self._scope(scope), all_tasks) + heading
        return self._list("featured_tasks", slots, heading, query, tallies)

    def _done_tasks(self, slots: Slots) -> Answer:
        query = replace(self._query(slots), done=True)
        tallies = self._tallies(query)  # the total and where they are, in one pass
        total = sum(n for _, n in tallies)
        heading = texts.done_heading(self.today, total, self._scope(slots))
        return self._list("done_tasks", slots, heading, query, tallies, line=self._done_line)

    def _list(
        self,
        intent: IntentName,
        slots: Slots,
        heading: str,
        query: TaskQuery,
        tallies: list[tuple[str, int]],
        *,
        order: str = "catalog",
        line: Callable[[TaskView], str] | None = None,
    ) -> Answer:
        """A list counted by the database and formatted a page at a time; a long one opens with its counts by
        plan, so that 46,000 overdue tasks read as where they are before what they are."""
        headings = [heading]
        total = sum(n for _, n in tallies)
        if total > texts.SUMMARY_FROM and len(tallies) > 1:
            top = [(self._plan_label(code), n) for code, n in tallies[:5]]
            headings.append(texts.by_plan(top, len(tallies)))
        return self._paged(intent, slots, headings, self._lines(query, total, order=order, line=line))

    def _tallies(self, query: TaskQuery) -> list[tuple[str, int]]:
        return self.ledger.remembered(("tallies", query), lambda: self.catalog.lookup.plan_tallies(query))

    def _plan_label(self, code: str) -> str:
        plan = self.catalog.plans[code]
        return f"{plan.region}（{code}）"

    def _lines(
        self,
        query: TaskQuery,
        total: int,
        *,
        order: str = "catalog",
        line: Callable[[TaskView], str] | None = None,
    ) -> Pages:
        render = line or self._task_line

        def fetch(offset: int, limit: int) -> list[str]:
            keys = self.ledger.remembered(
                ("keys", query, order, offset, limit),
                lambda: self.catalog.lookup.task_keys(query, order=order, offset=offset, limit=limit),
            )
            tasks = self._tasks(keys)
            self._fetched[offset] = [(t.plan, t.number) for t in tasks]
            return [render(t) for t in tasks]

        return Pages(total, fetch)

    def leader_list(
        self, leader: str, keys: list[tuple[str, int]], slots: Slots, intent: IntentName | None = None
    ) -> Answer:
        """林副市长负责哪些任务: the tasks whose 责任领导 is the one named, as a unit's list reads; narrowed
        as any list is (黄副区长分管的任务里哪些逾期了 · 下个月到期的 · 没完成的 · 带星的)."""
        overdue = intent == "overdue_tasks"
        span = resolve_window(slots.window, self.today) if slots.window is not None else None
        tasks = [t for t in self._tasks(keys) if self._leader_keeps(t, slots, overdue, span)]
        bounds = (span.start, span.end) if span is not None else None
        which = texts.leader_filter(overdue, bounds, slots.undone, slots.featured)
        heading = texts.leader_tasks_heading(leader, len(tasks), which)
        listed = [(t.plan, t.number) for t in tasks]
        return self._paged("unit_tasks", slots, [heading], [self._task_line(t) for t in tasks], listed)

    def _leader_keeps(self, task: TaskView, slots: Slots, overdue: bool, span: DateRange | None) -> bool:
        if overdue and not self._is_overdue(task):
            return False
        if slots.undone and self._status(task)[0]:
            return False
        if slots.featured and not task.featured:
            return False
        if span is None:
            return True
        deadline = task.deadline
        return bool(
            deadline and not task.ongoing and (span.start is None or span.start <= deadline <= span.end)
        )

    def _tasks(self, keys: list[tuple[str, int]]) -> list[TaskView]:
        """The tasks in the order given, with the ledger's state of each read at once."""
        self.ledger.statuses.many(keys)
        found = self.catalog.tasks.many(keys)
        tasks = [found[k] for k in keys if k in found]
        self._unacknowledged(tasks)  # the colours of the lines, read at once
        return tasks

    def _done_line(self, task: TaskView) -> str:
        status = self.ledger.statuses.get((task.plan, task.number))
        done_at = status.done_at if status else None
        return texts.task_line(
            self._label(task),
            task.title or task.content,
            texts.deadline_text(task.deadline, task.ongoing, task.deadline_text),
            texts.task_status(True, 0, 0, done_at),
            None,
            texts.lead_of(task.assigned),
        )

    def _query(self, slots: Slots, *, unit_filter: bool = True) -> TaskQuery:
        """The tasks in scope: plans named, the units (a collective's members too), ★ and undone filters."""
        return TaskQuery(
            plans=tuple(p.code for p in self._plans_in(slots)) if slots.plans else None,
            units=tuple(slots.units) if unit_filter and slots.units else None,
            sections=tuple((k.split(":", 1)[0], k.split(":", 1)[1]) for k in slots.sections),
            featured=slots.featured,
            undone=slots.undone,
        )

    def _scope(self, slots: Slots) -> str:
        plan = self._plans_in(slots)[0].title if slots.plans or slots.sections else None
        return texts.scope_of("、".join(slots.units) or None, plan, slots.featured, slots.undone)

    def _role(self, task: TaskView, members: set[str]) -> str:
        """牵头 when the unit is one of the task's leads (several where the document names several
        主要责任单位), or a member of a collective that leads."""
        leads = task.assigned[: max(task.lead_units, 1)]
        units = self.catalog.units.many(leads)
        lead_members = set(leads)
        for lead in leads:
            unit = units.get(lead)
            lead_members.update(unit.members if unit else ())
        return "lead" if members & lead_members else "co"

    def _task_line(self, task: TaskView, role: str | None = None) -> str:
        done = self._status(task)[0]
        status = self.ledger.statuses.get((task.plan, task.number)) if done else None
        if done:  # 已完成（2025-10-28）: when, for an ongoing task as much as a dated one
            remaining: str | None = texts.task_status(True, 0, 0, status.done_at if status else None)
        else:
            remaining = (
                None
                if task.ongoing or not task.deadline
                else texts.days_left(task.deadline, self.today, False)
            )
        colour = self._colour(task)
        return texts.task_line(
            self._label(task),
            task.title or task.content,
            texts.deadline_text(task.deadline, task.ongoing, task.deadline_text),
            remaining,
            role,
            None if role else texts.lead_of(task.assigned),
            mark=texts.COLOUR_MARKS[colour[0]] if colour else "",
        )

    def _task_facts(self, task: TaskView) -> texts.TaskFacts:
        facts = self._live_task_facts(task)
        if task.withdrawn:  # a revised plan dropped it: asked by its number, said so, never counted late
            return replace(facts, remaining=None, status=texts.TASK_WITHDRAWN, colour=None)
        return facts

    def _live_task_facts(self, task: TaskView) -> texts.TaskFacts:
        status = self.ledger.statuses.get((task.plan, task.number))
        done, done_units = self._status(task)
        return texts.TaskFacts(
            label=self._label(task),
            plan_title=self.catalog.plans[task.plan].title,
            title=task.title,
            content=task.content,
            featured=task.featured,
            deadline=texts.deadline_text(task.deadline, task.ongoing, task.deadline_text),
            remaining=None
            if task.ongoing or not task.deadline
            else texts.days_left(task.deadline, self.today, done),
            status=texts.task_status(
                done,
                done_units,
                len(task.units),
                status.done_at if status else None,
                approved_by=status.approved_by if status else None,
                reviews=_review_states(status) if status and not done else "",
            ),
            assigned=task.assigned,
            assignment_note=self.catalog.plans[task.plan].assignment_note,
            expanded_count=self._collective_sizes(task.assigned),
            progress=status.last_progress if status else None,
            progress_at=status.last_progress_at if status else None,
            planned_deadline=self._planned_deadline(task),
            delay_request=status.delay_request if status else None,
            colour=texts.colour_line(*colour) if (colour := self._colour(task)) else None,
            leader=task.leader,
            lead_units=task.lead_units,
        )


def _review_states(status: TaskStatusView) -> str:
    """The parts waiting for review or sent back, as the status line says them."""
    pending = [r.unit for r in status.in_review()]
    returned = [(r.unit, r.reason) for r in status.returned()]
    return texts.review_states(pending, returned)
