"""Writes by chat message: find the subject, check the sender may write it, preview, then record on 确认.

Nothing is written until the sender confirms, except an undo of their own last report and an admin's delay
decision, which are explicit acts. Pending writes live in the database, so a restart loses none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path

from bot.conversation import texts
from bot.conversation.answer_base import AnswerBase, Option
from bot.conversation.evidence_history import evidence_notes
from bot.conversation.knowledge import Knowledge, LedgerState
from bot.conversation.messages import CANCEL_DATA, CONFIRM_DATA, LOCAL_TZ, REVIEW_NOTICE, Button, Inbound
from bot.conversation.plan_import import apply_import
from bot.conversation.quantities import (
    PLAUSIBLE_CHANGE,
    ValueProblem,
    as_of_date,
    change_ratio,
    deadline_date,
    measure_parts,
    to_indicator_unit,
    value_problem,
)
from bot.conversation.replies import Reply
from nlu.commands import Command
from nlu.intents import Slots, TaskRef
from nlu.lexicon import compact
from nlu.normalize import normalize
from store.history import HistoryEntry, indicator_history, last_write_by, task_history
from store.ledger import ReportView, additive
from store.members import READ_ONLY_ROLES, MemberView
from store.outbox import enqueue_notice, enqueue_unit_notice
from store.reporting import (
    Author,
    DuplicateMessage,
    PendingView,
    WriteRequest,
    create_pending,
    decide,
    find_pending,
    latest_pending,
    record,
)
from store.reviews import Submission, submission, waiting
from store.types import DECIMAL_PLACES
from store.views import IndicatorView, TaskView

PENDING_TTL = timedelta(minutes=10)
_WORDS = re.compile(r"[^\W_]")  # a letter, a digit or a Chinese character
UNDO_WINDOW = timedelta(minutes=30)
_MINUTES = int(PENDING_TTL.total_seconds() // 60)


_TaskAct = Callable[[TaskView], "Reply"]
# Writes only an admin may make: a non-admin's preview of one can only come from before a demotion.
_ADMIN_ONLY = frozenset(
    {
        "task_completed_all", "delay_approved", "delay_rejected", "task_retraction", "indicator_retraction",
        "completion_approved", "completion_returned", "plan_import",
    }
)  # fmt: skip
VERDICT_NOTICE = "verdict"  # the unit's notice of the verdict


class Reporter:
    """Handles write commands for one message; reads through an AnswerBase for labels and live deadlines."""

    def __init__(
        self, knowledge: Knowledge, inbound: Inbound, member: MemberView | None, ledger: LedgerState
    ) -> None:
        self.knowledge = knowledge
        self.inbound = inbound
        self.member = member
        self.view = AnswerBase(knowledge, inbound.at.astimezone(LOCAL_TZ).date(), ledger)

    @property
    def author(self) -> Author:
        member_id = self.member.id if self.member and self.member.id else None
        inbound = self.inbound
        return Author(
            inbound.platform, inbound.user_id, member_id, inbound.at, inbound.message_id, inbound.text
        )

    def handle(self, command: Command) -> Reply:
        if command.name == "history":
            return self._history(command.subject)
        if self.member is None:
            return Reply("not_bound", texts.NOT_BOUND)
        if self.member.role in READ_ONLY_ROLES:
            return Reply("refused", texts.cannot_write(self.member.role))
        if command.name in ("confirm", "cancel"):
            pending = latest_pending(self.knowledge.db, self.inbound.platform, self.inbound.user_id)
            return self._close(pending, command.name == "confirm")
        handler = getattr(self, f"_{command.name}")
        reply: Reply = handler(command)
        return reply

    def button(self, action: str, pending_id: int) -> Reply:
        """A confirm or cancel button: the pending id it carries must be the presser's own and still open."""
        pending = find_pending(self.knowledge.db, pending_id)
        if pending is not None and (pending.author.platform, pending.author.user_id) != (
            self.inbound.platform,
            self.inbound.user_id,
        ):
            return Reply("refused", texts.NOT_YOUR_PENDING)
        if pending is not None and pending.outcome is not None:
            return Reply("already", texts.already_decided(pending.outcome))
        return self._close(pending, action == CONFIRM_DATA)

    # ---- confirm / cancel ----------------------------------------------------------------------------

    def _close(self, pending: PendingView | None, confirm: bool) -> Reply:
        if pending is None:
            return Reply("nothing_pending", texts.NOTHING_PENDING)
        try:
            if self.inbound.at > pending.expires_at:
                decide(self.knowledge.db, pending, "expired", self.author)
                return Reply("expired", texts.expired(_title(pending.preview), _MINUTES))
            if not confirm:
                decide(self.knowledge.db, pending, "cancelled", self.author)
                return Reply("cancelled", texts.CANCELLED)
            refusal = self._refusal_now(pending.request)
            if refusal is not None:
                decide(self.knowledge.db, pending, "refused", self.author)  # closed: never confirmable later
                return refusal
            if pending.request.kind == "plan_import":
                return self._load_plan(pending)
            row_id = decide(self.knowledge.db, pending, "confirmed", self.author)
        except DuplicateMessage:
            return Reply("already", texts.ALREADY_RECORDED)
        if pending.request.kind == "task_completed" and row_id is not None:
            # a unit's completion is 待审核 until the supervising office approves it
            self._ask_for_review(pending, row_id)
            return Reply("recorded", texts.completion_submitted(_title(pending.preview), row_id))
        if pending.request.kind == "delay_requested":
            return Reply("recorded", texts.delay_submitted(_title(pending.preview).split("：")[0]))
        if pending.request.kind in ("task_retraction", "indicator_retraction"):
            return Reply("recorded", texts.retraction_recorded(_title(pending.preview)))
        return Reply("recorded", texts.recorded(_title(pending.preview)))

    def _load_plan(self, pending: PendingView) -> Reply:
        """确认 of an imported plan: the draft loaded first (idempotent, so a crash before the outcome is
        recorded loses nothing: 确认 again), then the outcome recorded."""
        actor = f"{self.inbound.platform}:{self.inbound.user_id}"
        loaded, message = apply_import(
            self.knowledge.db, Path(pending.request.detail or ""), actor, self.inbound.at
        )
        with suppress(DuplicateMessage):  # pressed twice at once: the catalog sync is serialised, idempotent
            decide(self.knowledge.db, pending, "confirmed" if loaded else "refused", self.author)
        if loaded:
            self.knowledge.reload_catalog()  # the next message is answered with the plan in
        return Reply("recorded" if loaded else "refused", message)

    def _refusal_now(self, request: WriteRequest) -> Reply | None:
        """Why the sender may not confirm this write now, or None.

        A preview was allowed for the sender as they were when they asked; the write happens at 确认, so it
        is allowed again against the member as they are now: removed, made a viewer, no longer an admin, or
        moved to another unit (`duban users add` again) in between, the preview no longer speaks for them.
        """
        member = self.member
        if member is None:
            return Reply("not_bound", texts.NOT_BOUND)
        if member.role in READ_ONLY_ROLES:
            return Reply("refused", texts.cannot_write(member.role))
        if self._is_admin():
            return None
        moved = request.unit != member.unit  # the preview speaks for the unit it was made as
        if request.kind in _ADMIN_ONLY or moved or not self._may_write(self._subject_units(request)):
            return Reply("refused", texts.preview_void(member.unit, member.role))
        if request.kind == "task_completed":
            return self._reported_meanwhile(request)
        return None

    def _reported_meanwhile(self, request: WriteRequest) -> Reply | None:
        """A colleague's report of the same part, confirmed since the preview: waiting or done already."""
        task = self.view.catalog.tasks.get((request.plan, request.number or 0))
        status = self.view.ledger.statuses.get((request.plan, request.number or 0))
        if task is None or status is None or request.unit is None:
            return None
        label = self.view._label(task)
        if status.done or request.unit in status.done_units:
            return Reply("already", texts.already_done(label, None if status.done else request.unit))
        if any(r.unit == request.unit and r.state == "pending" for r in status.reviews):
            return Reply("already", texts.in_review_already(label, request.unit))
        return None

    def _subject_units(self, request: WriteRequest) -> tuple[str, ...]:
        """The units responsible now for what the write is about."""
        if request.code is not None:
            indicator = self.view.catalog.indicators.get(f"{request.plan}:{request.code}")
            return indicator.units if indicator is not None else ()
        task = self.view.catalog.tasks.get((request.plan, request.number or 0))
        return task.units if task is not None else ()

    def _preview(self, request: WriteRequest, lines: list[str]) -> Reply:
        try:
            pending = create_pending(
                self.knowledge.db, request, texts.preview(lines, _MINUTES), self.author, PENDING_TTL
            )
        except DuplicateMessage:
            return Reply("already", texts.ALREADY_RECORDED)
        buttons = (
            Button(texts.CONFIRM_LABEL, f"{CONFIRM_DATA}:{pending.id}"),
            Button(texts.CANCEL_LABEL, f"{CANCEL_DATA}:{pending.id}"),
        )
        return Reply("preview", pending.preview, buttons)

    # ---- tasks ---------------------------------------------------------------------------------------

    def _report_done(self, command: Command) -> Reply:
        return self._with_task(command, texts.WHICH_TASK_DONE, self._completion)

    def _report_progress(self, command: Command) -> Reply:
        if not (command.detail or "").strip():
            return Reply("need_detail", texts.EMPTY_PROGRESS)
        return self._with_task(command, texts.WHICH_TASK, lambda task: self._progress(task, command))

    def _request_delay(self, command: Command) -> Reply:
        return self._with_task(command, texts.WHICH_TASK, lambda task: self._delay(task, command))

    def _decide_delay(self, command: Command) -> Reply:
        if self.member is None or self.member.role != "admin":
            return Reply("refused", texts.ONLY_ADMIN_DECIDES)
        return self._with_task(command, texts.WHICH_TASK, lambda task: self._delay_decision(task, command))

    def _with_task(self, command: Command, missing: str, act: _TaskAct) -> Reply:
        tasks = self._tasks(command.subject)
        if not tasks and command.subject.tasks:
            return Reply("need_subject", self._no_such_task(command.subject.tasks[0], command.subject))
        if not tasks:
            return Reply("need_subject", missing)
        mine = [t for t in tasks if self._may_write(t.units)]
        if len(tasks) == 1 or len(mine) == 1:
            task = mine[0] if len(mine) == 1 else tasks[0]
            return act(task) if self._may_write(task.units) else self._refuse_task(task)
        choices = (mine or tasks)[: texts.MAX_OPTIONS]
        options = tuple(
            Option(
                texts.task_heading(self.view._label(t), t.title or t.content),
                "task_detail",
                Slots(tasks=(TaskRef(t.plan, t.number),)),
                command=replace(command, subject=Slots(tasks=(TaskRef(t.plan, t.number),))),
            )
            for t in choices
        )
        return Reply("choose", texts.choose([o.label for o in options]), options=options)

    def _completion(self, task: TaskView) -> Reply:
        label = self.view._label(task)
        status = self.view.ledger.statuses.get((task.plan, task.number))
        admin = self._is_admin()
        unit = None if admin else self._unit()
        if status and (status.done or (unit and unit in status.done_units)):
            return Reply("already", texts.already_done(label, None if status.done else unit))
        review = next((r for r in status.reviews if r.unit == unit), None) if status and unit else None
        if review is not None and review.state == "pending":
            return Reply("already", texts.in_review_already(label, review.unit))
        done_before = len(status.done_units) if status else 0
        request = WriteRequest(
            "task_completed_all" if admin else "task_completed", task.plan, number=task.number, unit=unit
        )
        lines = [
            texts.task_heading(label, task.title or task.content),
            texts.completion_line(unit, done_before, len(task.units)),
        ]
        if review is not None and review.state == "returned":
            lines[-1] += texts.returned_before(review.reason)
        return self._preview(request, lines)

    # ---- 办结审核 ------------------------------------------------------------------------------------

    def _ask_for_review(self, pending: PendingView, completion_id: int) -> None:
        """Every admin hears of the report with 通过/退回 buttons (added by the reminder renderer)."""
        request = pending.request
        task = self.view.catalog.tasks.get((request.plan, request.number or 0))
        if task is None:
            return
        at = self.inbound.at
        body = texts.review_request(
            self.view._label(task), self._words(task), request.unit or "", self._name(), pending.author.at,
            completion_id,
        )  # fmt: skip
        enqueue_notice(
            self.knowledge.db, reason=REVIEW_NOTICE, about=str(completion_id), day=_local_day(at), body=body,
            at=at,
        )  # fmt: skip

    def _review(self, command: Command) -> Reply:
        return self.review(command.review_id or 0, bool(command.approve), command.detail)

    def review(self, review_id: int, approve: bool, reason: str | None) -> Reply:
        """通过 N / 退回 N 原因: the verdict on completion report N, recorded at once (the act itself)."""
        if not self._is_admin():
            return Reply("refused", texts.ONLY_ADMIN_REVIEWS)
        found = submission(self.knowledge.db, review_id)
        refusal = self._review_refusal(found, review_id)
        if refusal is not None or found is None:
            return refusal or Reply("refused", texts.no_such_review(review_id))
        reason = (reason or "").strip()[:500] or None
        if reason is not None and not _WORDS.search(reason):
            reason = None  # "？？？" is no reason: the unit must be told what to fix
        if not approve and reason is None:
            return Reply("need_detail", texts.review_need_reason(review_id))
        request = WriteRequest(
            "completion_approved" if approve else "completion_returned",
            found.plan,
            number=found.number,
            unit=self._unit(),  # the deciding admin's office, for the record
            detail=None if approve else reason,
            refers_to=review_id,
        )
        try:
            record(self.knowledge.db, request, self.author)
        except DuplicateMessage:  # redelivered, or another admin decided it a moment earlier (one verdict)
            now = submission(self.knowledge.db, review_id)
            refusal = self._review_refusal(now, review_id) if now is not None else None
            return refusal or Reply("already", texts.ALREADY_RECORDED)
        task = self.view.catalog.tasks[(found.plan, found.number)]
        label, words, at = self.view._label(task), self._words(task), self.inbound.at
        body = (
            texts.approved_notice(label, words, self._name(), at)
            if approve
            else texts.returned_notice(label, words, reason or "", self._name(), at)
        )
        notified = enqueue_unit_notice(
            self.knowledge.db, reason=VERDICT_NOTICE, about=str(review_id), unit=found.unit or "",
            fallback_member_id=found.reporter_id, day=_local_day(at), body=body, at=at,
        )  # fmt: skip
        return Reply(
            "reviewed", texts.review_recorded(label, found.unit or "", approve, reason, notified > 0)
        )

    def _review_refusal(self, found: Submission | None, review_id: int) -> Reply | None:
        if found is None or (found.plan, found.number) not in self.view.catalog.tasks:
            return Reply("refused", texts.no_such_review(review_id))
        if found.retracted:
            return Reply("already", texts.review_withdrawn(review_id))
        if found.state != "pending":
            approved, by, at = found.state == "approved", found.decided_by, found.decided_at
            return Reply("already", texts.review_decided_before(review_id, approved, by, at))
        status = self.view.ledger.statuses.get((found.plan, found.number))
        if status is not None and (status.done_by_admin or (found.unit or "") in status.done_units):
            label = self.view._label(self.view.catalog.tasks[(found.plan, found.number)])
            return Reply("already", texts.review_part_done_already(review_id, found.unit or "", label))
        return None

    def _review_list(self, command: Command) -> Reply:
        """An admin (or a leader) sees everything waiting; a unit's member what the unit reported."""
        everything = self._is_admin() or (self.member is not None and self.member.role == "leader")
        own_unit = None if everything else self._unit()
        if not everything and own_unit is None:
            return Reply("refused", texts.ONLY_ADMIN_REVIEWS)
        total, shown = waiting(self.knowledge.db, own_unit)
        lines = []
        for found in shown:
            task = self.view.catalog.tasks.get((found.plan, found.number))
            if task is not None:
                label, words = self.view._label(task), self._words(task)
                lines.append(
                    texts.waiting_review_line(
                        found.id, label, words, found.unit, found.reporter, found.reported_at
                    )
                )
        if own_unit is not None:
            return Reply("review_list", texts.own_waiting_reviews(own_unit, total, lines))
        return Reply("review_list", texts.waiting_reviews(total, lines))

    @staticmethod
    def _words(task: TaskView) -> str:
        return texts.abridge_text(task.title or task.content, texts.REMINDER_WORDS)

    def _name(self) -> str | None:
        if self.member is None:
            return None
        return self.member.display_name

    def _progress(self, task: TaskView, command: Command) -> Reply:
        detail = (command.detail or "").strip()[:500]
        request = WriteRequest(
            "task_progress", task.plan, number=task.number, unit=self._unit(), detail=detail
        )
        label = self.view._label(task)
        return self._preview(
            request, [texts.task_heading(label, task.title or task.content), texts.progress_line(detail)]
        )

    def _delay(self, task: TaskView, command: Command) -> Reply:
        label = self.view._label(task)
        if task.ongoing or task.deadline is None:
            return Reply("refused", texts.delay_no_deadline(label))
        new = deadline_date(command.new_deadline, self.view.today) if command.new_deadline else None
        if new is None:
            return Reply("need_date", texts.NO_DELAY_DATE)
        if new < self.view.today:
            return Reply("refused", texts.delay_in_past(new))
        if new <= task.deadline:
            return Reply("refused", texts.delay_not_later(label, task.deadline, new))
        reason = (command.detail or "").strip()[:500] or None
        request = WriteRequest(
            "delay_requested",
            task.plan,
            number=task.number,
            unit=self._unit(),
            detail=reason,
            new_deadline=new,
        )
        lines = [
            texts.task_heading(label, task.title or task.content),
            *texts.delay_lines(task.deadline, new, reason),
        ]
        return self._preview(request, lines)

    def _delay_decision(self, task: TaskView, command: Command) -> Reply:
        label = self.view._label(task)
        status = self.view.ledger.statuses.get((task.plan, task.number))
        asked = status.delay_request if status else None
        if asked is None:
            return Reply("refused", texts.no_delay_request(label))
        approve = bool(command.approve)
        request = WriteRequest(
            "delay_approved" if approve else "delay_rejected",
            task.plan,
            number=task.number,
            unit=self._unit(),  # the deciding admin's office, for the record
            new_deadline=asked.new_deadline if approve else None,
            refers_to=asked.request_id,
        )
        try:
            record(self.knowledge.db, request, self.author)
        except DuplicateMessage:
            return Reply("already", texts.ALREADY_RECORDED)
        planned = self.view.planned.tasks[(task.plan, task.number)].deadline
        return Reply("delay_decided", texts.delay_decided(label, approve, asked.new_deadline, planned))

    # ---- indicators ----------------------------------------------------------------------------------

    def _report_value(self, command: Command) -> Reply:
        candidates = _closest_names(self._indicators(command.subject), compact(normalize(self.inbound.text)))
        if not candidates:
            return Reply("need_subject", texts.WHICH_INDICATOR)
        mine = [i for i in candidates if self._may_write(i.units)]
        if len(candidates) == 1 or len(mine) == 1:
            indicator = mine[0] if len(mine) == 1 else candidates[0]
            if not self._may_write(indicator.units):
                return Reply(
                    "refused",
                    texts.refuse_indicator(
                        indicator.region, indicator.name, indicator.assigned, self._unit()
                    ),
                )
            return self._value(indicator, command)
        options = tuple(
            Option(
                f"【{i.region}】{i.name}",
                "indicator_progress",
                Slots(indicators=(f"{i.plan}:{i.code}",), regions=(i.region,)),
                command=replace(
                    command, subject=Slots(indicators=(f"{i.plan}:{i.code}",), regions=(i.region,))
                ),
            )
            for i in (mine or candidates)[: texts.MAX_OPTIONS]
        )
        return Reply("choose", texts.choose([o.label for o in options]), options=options)

    def _value(self, indicator: IndicatorView, command: Command) -> Reply:
        if command.value is None:
            return Reply("need_value", texts.UNREADABLE_VALUE)
        if command.value.unclear:
            return Reply("need_value", texts.value_unclear(command.value.text))
        if _negative(command.value.text, normalize(self.inbound.text)):
            return Reply("refused", texts.NEGATIVE_VALUE)
        converted = to_indicator_unit(command.value, indicator.unit_of_measure)
        if converted.value is None:
            typed = command.value.measure or command.value.text
            return Reply("refused", texts.unit_mismatch(indicator.unit_of_measure, typed))
        if command.unread_date is not None:
            return Reply("need_date", texts.unreadable_as_of(command.unread_date))
        as_of = as_of_date(command.as_of, self.view.today)
        if as_of is None:
            return Reply("need_date", texts.UNREADABLE_AS_OF)
        if as_of > self.view.today:
            return Reply("refused", texts.as_of_in_future(as_of))
        value = converted.value
        territory = self._territory_named(indicator, command.subject)
        if territory is not None and territory != self._unit() and not self._is_admin():
            return Reply("refused", texts.territory_refused(territory, self._unit()))
        # 鼓楼区先行所已建成4个 from the office: 鼓楼's own part, entered for it, not the city's figure
        unit = territory or self._unit()
        shown = texts.quantity(value, indicator.unit_of_measure)
        problem = value_problem(value, indicator.unit_of_measure, indicator.period_kind)
        if problem is not None:
            return Reply("refused", _value_refusal(problem, shown))
        request = WriteRequest(
            "indicator_value", indicator.plan, code=indicator.code, unit=unit, value=value, as_of=as_of
        )
        assumed = indicator.unit_of_measure if converted.assumed_unit else None
        lines = texts.value_lines(indicator.region, indicator.name, shown, as_of, unit, assumed)
        if territory is not None and territory != self._unit():
            lines.append(texts.on_behalf(territory))
        return self._preview(request, lines + self._plausibility(indicator, value, unit))

    def _territory_named(self, indicator: IndicatorView, subject: Slots) -> str | None:
        """The one territory of the indicator the message names (仓山区先行所…), if any."""
        named = self._named_units(subject) & self._territories(indicator)
        return next(iter(named)) if len(named) == 1 else None

    def _plausibility(self, indicator: IndicatorView, value: Decimal, unit: str | None) -> list[str]:
        """Notes, never refusals: a value below the 2023 baseline, or far from the last report. A unit's own
        part of an indicator held together is set against its own last part, not the city's figure."""
        notes = []
        standing = self.view.ledger.reports.get((indicator.plan, indicator.code))
        own = self._own_part(
            indicator, self.view.ledger.breakdowns.get((indicator.plan, indicator.code)), unit
        )
        if own is not None:
            summed = additive(indicator.name, indicator.unit_of_measure)
            notes.append(texts.A_PART if summed else texts.A_PART_APART)
        if own is None and _comparable_baseline(indicator) and value < (indicator.baseline or value):
            shown = texts.quantity(indicator.baseline or value, indicator.unit_of_measure)
            notes.append(texts.below_baseline(shown, indicator.baseline_year))
        last = own.last if own is not None else standing
        ratio = change_ratio(value, last.value) if last else None
        if last and ratio is not None and abs(ratio) > PLAUSIBLE_CHANGE:
            notes.append(
                texts.big_change(ratio, texts.quantity(last.value, indicator.unit_of_measure), last.as_of)
            )
        return notes

    def _own_part(
        self, indicator: IndicatorView, standing: ReportView | None, unit: str | None
    ) -> _Part | None:
        """The unit's part, when it reports as one territory of an indicator a collective holds (the units
        listed from the first collective on, and that collective's members)."""
        if unit is None or unit not in self._territories(indicator):  # an admin of a district reports for it
            return None
        parts = standing.parts if standing is not None else ()
        return _Part(next((p for p in parts if p.unit == unit), None))

    def _territories(self, indicator: IndicatorView) -> set[str]:
        views = self.view.catalog.units.many(indicator.assigned)
        first = next(
            (i for i, name in enumerate(indicator.assigned) if name in views and views[name].members), None
        )
        if first is None:
            return set()
        later = indicator.assigned[first:]
        return {m for name in later for m in (views[name].members if name in views else ())} | {
            name for name in later if not (name in views and views[name].members)
        }

    # ---- undo ----------------------------------------------------------------------------------------

    def _undo(self, command: Command) -> Reply:
        pending = latest_pending(self.knowledge.db, self.inbound.platform, self.inbound.user_id)
        if pending is not None and self.inbound.at <= pending.expires_at and command.subject.subject_free():
            return self._close(pending, confirm=False)  # "撤销" before confirming is a cancel
        if command.subject.subject_free() or not self._is_admin():
            return self._undo_own(command.subject)
        return self._retract_latest(command.subject)

    def _undo_own(self, subject: Slots) -> Reply:
        newest, entry = self._own_last_write(with_retractions=True), self._own_last_write()
        undoing_a_retraction = newest is not None and newest.kind == "retraction"
        if undoing_a_retraction and subject.subject_free() and (entry is None or not entry.retracted):
            # 撤销 after an admin's 撤销 of another's report would withdraw one's own older report instead
            return Reply("refused", texts.LAST_WAS_RETRACTION)
        if entry is None:
            return Reply("nothing_to_undo", texts.NOTHING_TO_UNDO)
        if not self._is_admin() and entry.unit is not None and entry.unit != self._unit():
            return Reply("refused", texts.NOT_YOUR_UNITS_ANY_MORE)  # reported for a unit one has since left
        if not subject.subject_free() and not self._about(entry, subject):
            return Reply("refused", texts.ONLY_OWN_UNDO)
        summary = self._summary(entry)
        if entry.retracted:
            return Reply("already", texts.already_undone(summary))
        decided = submission(self.knowledge.db, entry.id) if entry.kind == "completed" else None
        if decided is not None and decided.state != "pending":  # the office has ruled on it: its word stands
            return Reply("refused", texts.reviewed_cannot_undo(summary, decided.state == "approved"))
        return self._retract(entry, summary)

    def _own_last_write(self, *, with_retractions: bool = False) -> HistoryEntry | None:
        """The sender's newest write within the undo window."""
        return last_write_by(
            self.knowledge.db,
            platform=self.inbound.platform,
            member_id=self.author.member_id,
            since=self.inbound.at - UNDO_WINDOW,
            with_retractions=with_retractions,
        )

    def _retract_latest(self, subject: Slots) -> Reply:
        entries = self._history_of(subject)
        if entries is None:
            return Reply("need_subject", texts.WHICH_TASK)
        live = [
            e
            for e in entries
            if not e.retracted and e.kind in ("completed", "completed_all", "report", "progress")
        ]
        named = self._named_units(subject)
        if named:  # 撤销仓山区的先行所上报: that unit's, not whoever reported last
            live = [e for e in live if e.unit in named]
        if not live:
            return Reply("nothing_to_undo", texts.nothing_to_retract(self._subject_name(subject)))
        entry = live[-1]
        request = _retraction(entry, self._unit())
        whose = texts.reported_by(self._who(entry), entry.recorded_at)
        return self._preview(request, [f"撤销：{self._summary(entry)}{whose}"])

    @staticmethod
    def _named_units(subject: Slots) -> set[str]:
        """The units a message names; a district named is its government (the parser gives both)."""
        return set(subject.units)

    def _retract(self, entry: HistoryEntry, summary: str) -> Reply:
        request = _retraction(entry, self._unit())
        try:
            record(self.knowledge.db, request, self.author)
        except DuplicateMessage:
            return Reply("already", texts.ALREADY_RECORDED)
        return Reply("undone", texts.undone(summary))

    # ---- history -------------------------------------------------------------------------------------

    def _history(self, subject: Slots) -> Reply:
        entries = self._history_of(subject)
        if entries is None:
            return Reply("need_subject", texts.WHICH_TASK)
        name = self._subject_name(subject)
        lines = [texts.history_heading(name, len(entries))]
        by_id = {e.id: e for e in entries}
        attached = evidence_notes(self.knowledge.db, entries)  # 📎 佐证材料 under each report
        lines += [
            texts.history_line(e.recorded_at, self._who(e), e.kind, self._what(e, by_id), e.retracted)
            + attached.get((e.ledger, e.id), "")
            for e in entries
        ]
        return Reply("history", "\n".join(lines))

    # ---- lookups -------------------------------------------------------------------------------------

    def _tasks(self, subject: Slots) -> list[TaskView]:
        keys = [(ref.plan or self._plan_of_item(subject, ref.number), ref.number) for ref in subject.tasks]
        known = [(plan, number) for plan, number in keys if plan is not None]
        found = self.view.catalog.tasks.many(known)
        return [found[k] for k in known if k in found]

    def _plan_of_item(self, subject: Slots, number: int) -> str | None:
        """鼓楼第3项已完成: the item of the plan (or the region's plan) the message names, as a question would
        read it; a bare 任务3 is the numbered plan's."""
        named = self.view._plans_in(subject) if subject.ordinal_only else []
        if named:  # 鼓楼第41项: that plan has no 41st item, which is said; it is not the city's 任务41
            return next((p.code for p in named if (p.code, number) in self.view.catalog.tasks), named[0].code)
        return self._numbered_plan(subject)

    def _numbered_plan(self, subject: Slots) -> str | None:
        """The plan a bare task number means: the one plan that numbers its tasks, or, where several do, the
        plan (or the region's plan) the message names."""
        numbered = self.view.numbered_plans
        if len(numbered) > 1:
            named = [p.code for p in self.view._plans_in(subject) if p.code in self.view.numbered]
            return named[0] if named else None
        return numbered[0] if numbered else None

    def _indicators(self, subject: Slots) -> list[IndicatorView]:
        views = self.view.catalog.indicators.many(subject.indicators)
        found = [views[k] for k in subject.indicators if k in views]
        in_region = [i for i in found if i.region in subject.regions]
        return in_region or found

    def _history_of(self, subject: Slots) -> list[HistoryEntry] | None:
        tasks, indicators = self._tasks(subject), self._indicators(subject)
        if tasks:
            return task_history(self.knowledge.db, tasks[0].plan, tasks[0].number)
        if indicators:
            return indicator_history(self.knowledge.db, indicators[0].plan, indicators[0].code)
        return None

    def _subject_name(self, subject: Slots) -> str:
        tasks, indicators = self._tasks(subject), self._indicators(subject)
        if tasks:
            return self.view._label(tasks[0])
        return f"【{indicators[0].region}】{indicators[0].name}" if indicators else ""

    def _about(self, entry: HistoryEntry, subject: Slots) -> bool:
        tasks, indicators = self._tasks(subject), self._indicators(subject)
        return any((t.plan, t.number) == (entry.plan, entry.task) for t in tasks) or any(
            (i.plan, i.code) == (entry.plan, entry.indicator) for i in indicators
        )

    def _summary(self, entry: HistoryEntry) -> str:
        if entry.ledger == "indicator":
            indicator = self.view.catalog.indicators[f"{entry.plan}:{entry.indicator}"]
            return f"【{indicator.region}】{indicator.name} {self._what(entry)}"
        task = self.view.catalog.tasks[(entry.plan, entry.task or 0)]
        return f"{self.view._label(task)} {texts.HISTORY_KIND.get(entry.kind, entry.kind)}"

    def _what(self, entry: HistoryEntry, others: dict[int, HistoryEntry] | None = None) -> str:
        if entry.value is not None and entry.indicator is not None:
            unit = self.view.catalog.indicators[f"{entry.plan}:{entry.indicator}"].unit_of_measure
            when = f"（截至 {texts.day(entry.as_of)}）" if entry.as_of else ""
            return texts.quantity(entry.value, unit) + when
        if entry.new_deadline is not None:
            return f"至 {texts.day(entry.new_deadline)}" + (f"，原因：{entry.detail}" if entry.detail else "")
        withdrawn = (others or {}).get(entry.refers_to or 0)
        if entry.kind == "retraction" and withdrawn is not None:
            kind = texts.HISTORY_KIND.get(withdrawn.kind, withdrawn.kind)
            return f"撤回 {texts.moment(withdrawn.recorded_at)} 的{kind}"
        if entry.kind in ("completion_approved", "completion_returned"):
            return f"审核号 {entry.refers_to}" + (f"，原因：{entry.detail}" if entry.detail else "")
        if entry.kind == "completed" and entry.id:
            return f"审核号 {entry.id}"
        return entry.detail or ""

    def _who(self, entry: HistoryEntry) -> str:
        return texts.reporter(
            entry.reporter or (texts.LOCAL_ADMIN_NAME if entry.platform == "local" else None), entry.unit
        )

    def _unit(self) -> str | None:
        return self.member.unit if self.member else None

    def _is_admin(self) -> bool:
        return self.member is not None and self.member.role == "admin"

    def _may_write(self, units: tuple[str, ...]) -> bool:
        return self._is_admin() or (self._unit() is not None and self._unit() in units)

    def _no_such_task(self, ref: TaskRef, subject: Slots) -> str:
        code = ref.plan or self._plan_of_item(subject, ref.number)
        if code is None or code not in self.view.catalog.plans:
            return texts.WHICH_TASK
        count = self.view.catalog.lookup.task_count(code)
        return texts.no_such_task(ref.number, self.view.catalog.plans[code].title, count)

    def _refuse_task(self, task: TaskView) -> Reply:
        return Reply("refused", texts.refuse_task(self.view._label(task), task.assigned, self._unit()))


@dataclass(frozen=True)
class _Part:
    last: ReportView | None  # the unit's own last part, if it reported one


def _local_day(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


def _title(preview: str) -> str:
    """The line of a preview that names what is reported (after 请确认以下上报：)."""
    lines = preview.splitlines()
    return (lines[1] if len(lines) > 1 else preview).rstrip("。.")


def _value_refusal(problem: ValueProblem, shown: str) -> str:
    if problem == "share_out_of_range":
        return texts.share_out_of_range(shown)
    if problem == "too_large":
        return texts.value_too_large(shown)
    return texts.value_too_precise(shown, DECIMAL_PLACES)


def _comparable_baseline(indicator: IndicatorView) -> bool:
    """A baseline in the indicator's own measure (a 年增幅 target's baseline is a count, not a rate)."""
    own = measure_parts(indicator.unit_of_measure)
    return (
        indicator.baseline is not None
        and measure_parts(indicator.baseline_unit or indicator.unit_of_measure) == own
    )


def _retraction(entry: HistoryEntry, actor_unit: str | None) -> WriteRequest:
    """The row that withdraws entry: it names the same subject and points at entry; its unit is the one of
    whoever withdraws it (an admin of 市监局 withdrawing 中院's report acts as 市监局, and the audit says so).
    The local operator belongs to no unit."""
    if entry.ledger == "indicator":
        return WriteRequest(
            "indicator_retraction", entry.plan, code=entry.indicator, unit=actor_unit, refers_to=entry.id
        )
    return WriteRequest("task_retraction", entry.plan, number=entry.task, unit=actor_unit, refers_to=entry.id)


def _closest_names(candidates: list[IndicatorView], text: str) -> list[IndicatorView]:
    """Those quoting most of their own name: 质押融资总金额 is the city's 质押融资总金额, not Gulou's
    专利质押贷款额度, though 质押融资 alone could be either."""
    if len(candidates) < 2:
        return candidates
    quoted = {
        id(i): SequenceMatcher(None, text, compact(i.name), autojunk=False).find_longest_match().size
        for i in candidates
    }
    best = max(quoted.values())
    return [i for i in candidates if quoted[id(i)] == best]


def _negative(value_text: str, message: str) -> bool:
    """A minus sign or 负 before the number: the parser reads digits only, so it must not pass as positive."""
    at = message.find(value_text)
    return at > 0 and message[:at].rstrip()[-1:] in ("-", "−", "负")
