"""Which open items a sweep's rules reach, worked out inside the database into scratch tables.

The planner (schedules/plan.py, pure) decides which deadlines, check-ins and data requests fall due on the
swept days; here those rules meet every open task, unit and indicator at once, by set-based statements. At
national scale a day holds tens of thousands of reminders: reading tasks out and writing reminders back one by
one spent seconds on round trips and Python objects, while the database does the same joins in a fraction of
that, with nothing held in memory (memory stays flat in the number of tasks).

The work goes step by step through temporary tables (store/sweep_scratch.py), each statement simple enough
for SQLite's planner to use the indexes (one query joining everything took it 40 s at national scale), and
no statement ever looks for rows in the table it is filling: on PostgreSQL a growing table is scanned again
for every row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    Table,
    and_,
    cast,
    exists,
    extract,
    false,
    func,
    literal,
    null,
    or_,
    select,
)

from store.delivery_events import ACKED, CARRIED, CLAIMED, DIGEST, FINISHED, SENT
from store.ledger import COMPLETED, COMPLETED_ALL, COMPLETION_APPROVED, DELAY_APPROVED, RETRACTION
from store.models import (
    CollectiveMember,
    DeliveryEvent,
    Indicator,
    IndicatorUnit,
    Plan,
    ReminderItem,
    ReminderMessage,
    Task,
    TaskEvent,
    TaskUnit,
    Unit,
)
from store.plan_status import chasing_on
from store.sweep_scratch import DELAYS, PLANNED, PLANNED_COLUMNS, RECIPIENTS, RESENDS, RULES, TASKS

DEADLINE_KINDS = ("before_deadline", "due_today", "overdue")
CHECK_IN, DATA_REQUEST, ESCALATION = "check_in", "data_request", "escalation"


@dataclass(frozen=True)
class DueRule:
    """One line of the planner's verdict: items of this kind are reminded, planned for day.

    Deadline rules name the (approved-delay) deadline they apply to; check-in rules apply to every ongoing
    task, data-request rules to every indicator. plan is a plan with its own policy, None every other plan.
    workdays and kind are as of the sweep's day (a missed day's reminder restated); escalate: the reminder was
    an overdue notice when planned, so the plan's supervising office is told of each late unit."""

    kind: str
    day: date
    plan: str | None = None
    deadline: date | None = None
    workdays: int | None = None
    escalate: bool = False


_task: Table = Task.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_task_unit: Table = TaskUnit.__table__  # type: ignore[attr-defined]
_members: Table = CollectiveMember.__table__  # type: ignore[attr-defined]
_events: Table = TaskEvent.__table__  # type: ignore[attr-defined]
_indicator: Table = Indicator.__table__  # type: ignore[attr-defined]
_indicator_unit: Table = IndicatorUnit.__table__  # type: ignore[attr-defined]
_message: Table = ReminderMessage.__table__  # type: ignore[attr-defined]
_item: Table = ReminderItem.__table__  # type: ignore[attr-defined]
_delivery: Table = DeliveryEvent.__table__  # type: ignore[attr-defined]


def plan_reminders(
    connection: Connection, rules: Sequence[DueRule], own_policy_plans: Collection[str]
) -> None:
    """Fill PLANNED with every reminder the rules give: to each responsible unit still to report, to the
    supervising office for each late unit, and to each indicator's units after a quarter."""
    if not rules:
        return
    connection.execute(RULES.insert(), [_rule_row(rule) for rule in rules])
    kinds = {rule.kind for rule in rules}
    plans = _PlanGroups(own_policy_plans)
    if kinds & {*DEADLINE_KINDS, CHECK_IN}:
        connection.execute(DELAYS.insert().from_select(["task_id", "deadline"], delays()))
        for tasks in _due_tasks(kinds, plans):
            connection.execute(TASKS.insert().from_select([c.name for c in TASKS.columns], tasks))
        connection.execute(RECIPIENTS.insert().from_select(["task_id", "unit_id", "rank"], open_recipients()))
        connection.execute(PLANNED.insert().from_select(PLANNED_COLUMNS, _task_reminders()))
        connection.execute(PLANNED.insert().from_select(PLANNED_COLUMNS, _escalations()))
    if DATA_REQUEST in kinds:
        connection.execute(PLANNED.insert().from_select(PLANNED_COLUMNS, _data_requests(plans)))


def plan_resends(
    connection: Connection,
    previous: date,
    today: date,
    *,
    carry_since: date | None = None,
    now: datetime | None = None,
) -> int:
    """Add to PLANNED the previous working day's unread reminders, once, and the reminders of every digest
    since carry_since that never went out (a platform down until the window closed), unless today's digest
    has them anyway. Returns how many."""
    connection.execute(RESENDS.insert().from_select(PLANNED_COLUMNS, _resends(previous, today)))
    if carry_since is not None and now is not None:
        connection.execute(RESENDS.insert().from_select(PLANNED_COLUMNS, _carries(carry_since, today, now)))
    planned = PLANNED.alias("today_item")
    connection.execute(
        RESENDS.delete().where(
            exists().where(planned.c.unit_id == RESENDS.c.unit_id, planned.c.item == RESENDS.c.item)
        )
    )
    statement = PLANNED.insert().from_select(PLANNED_COLUMNS, select(RESENDS))
    return int(connection.execute(statement.execution_options(preserve_rowcount=True)).rowcount)


def forget_known(connection: Connection, since: date) -> None:
    """Drop from PLANNED what the outbox already holds (the same unit, item, kind and day)."""
    there = _item.alias("there")
    connection.execute(
        PLANNED.delete().where(
            exists().where(
                there.c.day >= since,  # the days swept: the key's leading column bounds the search
                there.c.day == PLANNED.c.day,
                there.c.unit_id == PLANNED.c.unit_id,
                there.c.item == PLANNED.c.item,
                there.c.kind == PLANNED.c.kind,
            )
        )
    )


def _rule_row(rule: DueRule) -> dict[str, Any]:
    return {
        "plan_code": rule.plan,
        "kind": rule.kind,
        "day": rule.day,
        "deadline": rule.deadline,
        "workdays": rule.workdays,
        "escalate": rule.escalate,
    }


class _PlanGroups:
    """Which rules apply to a plan: its own (rule.plan is its code), or the default ones (rule.plan is NULL)
    when it has no policy of its own."""

    def __init__(self, own_policy_plans: Collection[str]) -> None:
        self.own = sorted(own_policy_plans)

    def match(self, plan_code: ColumnElement[Any]) -> ColumnElement[bool]:
        if not self.own:
            return RULES.c.plan_code.is_(None)
        return or_(
            RULES.c.plan_code == plan_code,
            and_(RULES.c.plan_code.is_(None), plan_code.not_in(self.own)),
        )


# --- what is still open ----------------------------------------------------------------------------------


def _not_retracted(event: Any) -> ColumnElement[bool]:
    retraction = _events.alias("retraction")
    return ~exists().where(retraction.c.kind == RETRACTION, retraction.c.refers_to_id == event.c.id)


def _task_done(task_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """An admin marked the whole task done (and nobody retracted it)."""
    done = _events.alias("done_all")
    return exists().where(done.c.task_id == task_id, done.c.kind == COMPLETED_ALL, _not_retracted(done))


def _unit_done(task_id: ColumnElement[Any], unit_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """The unit reported its part of the task done and the supervising office approved it (nobody retracted
    either); a part waiting for review, or returned, is still chased."""
    done = _events.alias("done_unit")
    verdict = _events.alias("verdict")
    approved = exists().where(
        verdict.c.refers_to_id == done.c.id, verdict.c.kind == COMPLETION_APPROVED, _not_retracted(verdict)
    )
    return exists().where(
        done.c.task_id == task_id,
        done.c.unit_id == unit_id,
        done.c.kind == COMPLETED,
        _not_retracted(done),
        approved,
    )


def delays() -> Select[Any]:
    """Each delayed task's deadline: the newest approved delay nobody retracted."""
    approval = _events.alias("approval")
    newest = (
        select(func.max(approval.c.id))
        .where(
            approval.c.kind == DELAY_APPROVED,
            approval.c.new_deadline.is_not(None),
            _not_retracted(approval),
        )
        .group_by(approval.c.task_id)
    )
    chosen = _events.alias("delay")
    return select(chosen.c.task_id, chosen.c.new_deadline).where(chosen.c.id.in_(newest))


def _due_tasks(kinds: set[str], plans: _PlanGroups) -> list[Select[Any]]:
    """The tasks today's rules reach, each with its rule: dated tasks through the deadline index, delayed
    ones by their approved date, and on a check-in day the ongoing and undated ones. A task is either dated
    or ongoing, so each is reached by one rule at most."""
    found: list[Select[Any]] = []
    delayed = select(DELAYS.c.task_id)
    dated = and_(RULES.c.kind.in_(DEADLINE_KINDS), _task.c.ongoing.is_(False))
    if kinds & set(DEADLINE_KINDS):
        on_time = RULES.join(_task, _task.c.deadline == RULES.c.deadline)
        found.append(_with_rule(on_time, _task.c.deadline, plans).where(dated, _task.c.id.not_in(delayed)))
        moved = RULES.join(DELAYS, DELAYS.c.deadline == RULES.c.deadline).join(
            _task, _task.c.id == DELAYS.c.task_id
        )
        found.append(_with_rule(moved, DELAYS.c.deadline, plans).where(dated))
    if CHECK_IN in kinds:
        ongoing = RULES.join(_task, RULES.c.kind == CHECK_IN).outerjoin(
            DELAYS, DELAYS.c.task_id == _task.c.id
        )
        undated = and_(_task.c.deadline.is_(None), DELAYS.c.task_id.is_(None))
        deadline = func.coalesce(DELAYS.c.deadline, _task.c.deadline)
        found.append(
            _with_rule(ongoing, deadline, plans).where(
                or_(_task.c.ongoing.is_(True), undated), _period_begins(RULES.c.day)
            )
        )
    return found


def _period_begins(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """A recurring task is checked in only in the months its periods begin (schedules.plan.RULE_MONTHS,
    mirrored here: store does not import schedules); every other ongoing task every month."""
    month = extract("month", day)
    return or_(
        _task.c.deadline_rule.is_(None),
        _task.c.deadline_rule.not_in(tuple(_RULE_MONTHS)),
        *(and_(_task.c.deadline_rule == rule, month.in_(months)) for rule, months in _RULE_MONTHS.items()),
    )


_RULE_MONTHS = {"quarterly": (1, 4, 7, 10), "half-yearly": (1, 7), "yearly": (1,)}


def _with_rule(source: Any, deadline: ColumnElement[Any], plans: _PlanGroups) -> Select[Any]:
    """TASKS rows from rules joined to tasks: the task, its item name, effective deadline and rule."""
    return (
        select(
            _task.c.id,
            _task.c.plan_id,
            _plan.c.code + literal(":task:") + cast(_task.c.number, String),
            deadline,
            RULES.c.kind,
            RULES.c.day,
            RULES.c.workdays,
            RULES.c.escalate,
        )
        .select_from(source.join(_plan, _plan.c.id == _task.c.plan_id))
        .where(plans.match(_plan.c.code), _in_force(RULES.c.day), _task.c.withdrawn.is_(False))
    )


def _in_force(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """The plan is in force on the rule's day: not a draft, not expired, not archived (schedules.plan)."""
    return chasing_on(day, _plan)


def open_recipients() -> Select[Any]:
    """Each reached task's responsible units still to report, collectives expanded in place, unless the task
    is done; a unit named both on its own and through a collective counts once, at its first place."""
    member = _members.alias("member")
    recipient = func.coalesce(member.c.member_id, _task_unit.c.unit_id)
    return (
        select(TASKS.c.task_id, recipient, func.min(unit_rank(_task_unit.c.position, member.c.position)))
        .select_from(TASKS)
        .join(_task_unit, _task_unit.c.task_id == TASKS.c.task_id)
        .outerjoin(member, member.c.collective_id == _task_unit.c.unit_id)
        .where(~_task_done(TASKS.c.task_id), ~_unit_done(TASKS.c.task_id, recipient))
        .group_by(TASKS.c.task_id, recipient)
    )


def unit_rank(position: ColumnElement[Any], member_position: ColumnElement[Any]) -> ColumnElement[Any]:
    """A unit's place in a written list: its own place, or its collective's and then its place in that."""
    return position * 1000 + func.coalesce(member_position, 0)


# --- the day's reminders -----------------------------------------------------------------------------------


def _task_reminders() -> Select[Any]:
    return (
        select(
            RECIPIENTS.c.unit_id,
            TASKS.c.item,
            TASKS.c.kind,
            TASKS.c.day,
            TASKS.c.plan_id,
            TASKS.c.task_id,
            cast(null(), Integer),
            TASKS.c.deadline,
            TASKS.c.workdays,
            cast(null(), Integer),
            cast(null(), Integer),
            TASKS.c.escalate,
        )
        .select_from(RECIPIENTS)
        .join(TASKS, TASKS.c.task_id == RECIPIENTS.c.task_id)
    )


def _escalations() -> Select[Any]:
    """Each overdue notice also goes to the plan's supervising office, naming the late unit (unless the late
    unit is that office: its own notice told it)."""
    late = PLANNED.alias("late")
    return (
        select(
            _plan.c.supervising_unit_id,
            late.c.item + literal("@") + _unit.c.name,
            literal(ESCALATION, String),
            late.c.day,
            late.c.plan_id,
            late.c.task_id,
            cast(null(), Integer),
            late.c.deadline,
            late.c.workdays,
            late.c.unit_id,
            cast(null(), Integer),
            false(),
        )
        .select_from(late)
        .join(_plan, _plan.c.id == late.c.plan_id)
        .join(_unit, _unit.c.id == late.c.unit_id)
        .where(late.c.escalate.is_(True), late.c.unit_id != _plan.c.supervising_unit_id)
    )


def _data_requests(plans: _PlanGroups) -> Select[Any]:
    """After a quarter: each indicator's responsible units are asked for its data."""
    member = _members.alias("indicator_member")
    recipient = func.coalesce(member.c.member_id, _indicator_unit.c.unit_id)
    return (
        select(
            recipient,
            _plan.c.code + literal(":indicator:") + _indicator.c.code,
            RULES.c.kind,
            RULES.c.day,
            _indicator.c.plan_id,
            cast(null(), Integer),
            _indicator.c.id,
            cast(null(), Date),
            cast(null(), Integer),
            cast(null(), Integer),
            cast(null(), Integer),
            false(),
        )
        .distinct()  # a unit named both on its own and through a collective is asked once
        .select_from(_indicator)
        .join(_indicator_unit, _indicator_unit.c.indicator_id == _indicator.c.id)
        .outerjoin(member, member.c.collective_id == _indicator_unit.c.unit_id)
        .join(_plan, _plan.c.id == _indicator.c.plan_id)
        .join(RULES, plans.match(_plan.c.code))
        .where(RULES.c.kind == DATA_REQUEST, _in_force(RULES.c.day), _indicator.c.withdrawn.is_(False))
        .where(_report_month(RULES.c.day))
    )


def _report_month(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """An indicator's data is asked for in the months its periods begin (schedules.plan.RULE_MONTHS, mirrored:
    store does not import schedules): every month for 按月, after each quarter when its plan says nothing."""
    month = extract("month", day)
    rule = func.coalesce(_indicator.c.report_rule, "quarterly")
    return or_(rule == "monthly", *(and_(rule == r, month.in_(months)) for r, months in _RULE_MONTHS.items()))


def _carries(since: date, today: date, now: datetime) -> Select[Any]:
    """The open reminders of digests of the days since, before today, that never went out and are not being
    sent right now: planned again for today, to go in its digest instead (see carried_away)."""
    message = _message.alias("unsent")
    item = _item.alias("unsent_item")
    responsible = func.coalesce(item.c.about_unit_id, item.c.unit_id)
    first = (  # one row per reminder, should a digest hold the same one twice
        select(func.min(item.c.id))
        .join(message, message.c.id == item.c.message_id)
        .where(_unsent(message, since, today, now))
        .group_by(item.c.unit_id, item.c.item, item.c.kind)
    )
    return (
        select(
            item.c.unit_id,
            item.c.item,
            item.c.kind,
            literal(today, Date),
            item.c.plan_id,
            item.c.task_id,
            item.c.indicator_id,
            item.c.deadline,
            item.c.workdays,
            item.c.about_unit_id,
            item.c.id,
            false(),
        )
        .where(item.c.id.in_(first))
        .where(
            or_(
                item.c.task_id.is_(None),
                and_(~_task_done(item.c.task_id), ~_unit_done(item.c.task_id, responsible)),
            )
        )
        .where(_plan_in_force(item.c.plan_id, today))
    )


def _plan_in_force(plan_id: ColumnElement[Any], today: date) -> ColumnElement[bool]:
    """A plan out of force chases no more, not even by re-sending or carrying what was planned before."""
    return exists().where(_plan.c.id == plan_id, chasing_on(today, _plan))


def carried_away(connection: Connection, since: date, today: date, now: datetime, worker: str) -> int:
    """Close the digests whose reminders today's digest now carries: a CARRIED event each, so they are not
    sent late as well. Only those never sent and not being sent (the same test as _carries)."""
    message = _message.alias("carried")
    later = _delivery.alias("later")
    unsent = select(message.c.id).where(_unsent(message, since, today, now))
    rows = (
        select(
            message.c.id,
            func.coalesce(func.max(later.c.seq), 0) + 1,
            literal(CARRIED, String),
            literal(now, _delivery.c.at.type),
            literal(worker, String),
        )
        .select_from(message)
        .outerjoin(later, later.c.message_id == message.c.id)
        .where(message.c.id.in_(unsent))
        .group_by(message.c.id)
    )
    statement = _delivery.insert().from_select(["message_id", "seq", "kind", "at", "worker"], rows)
    return int(connection.execute(statement.execution_options(preserve_rowcount=True)).rowcount)


def _unsent(message: Any, since: date, today: date, now: datetime) -> ColumnElement[bool]:
    """A digest of those days that nobody sent, failed or closed, and that no live claim is sending."""
    done = _delivery.alias("done")
    live = _delivery.alias("live")
    return and_(
        message.c.day >= since,
        message.c.day < today,
        message.c.kind == DIGEST,
        ~exists().where(done.c.message_id == message.c.id, done.c.kind.in_(FINISHED)),
        ~exists().where(live.c.message_id == message.c.id, live.c.kind == CLAIMED, live.c.lease_until > now),
    )


def _resends(previous: date, today: date) -> Select[Any]:
    """The reminders of the previous working day's digests that were sent but never acknowledged, planned
    again for today: not re-sends themselves, and still open."""
    message = _message.alias("unread")
    item = _item.alias("unread_item")
    sent = _delivery.alias("sent")
    acked = _delivery.alias("acked")
    responsible = func.coalesce(item.c.about_unit_id, item.c.unit_id)
    return (
        select(
            item.c.unit_id,
            item.c.item,
            item.c.kind,
            literal(today, Date),
            item.c.plan_id,
            item.c.task_id,
            item.c.indicator_id,
            item.c.deadline,
            item.c.workdays,
            item.c.about_unit_id,
            item.c.id,
            false(),
        )
        .select_from(item)
        .join(message, message.c.id == item.c.message_id)
        .where(message.c.day == previous, message.c.kind == DIGEST, item.c.resent_from_id.is_(None))
        .where(exists().where(sent.c.message_id == message.c.id, sent.c.kind == SENT))
        .where(~exists().where(acked.c.message_id == message.c.id, acked.c.kind == ACKED))
        .where(
            or_(
                item.c.task_id.is_(None),
                and_(~_task_done(item.c.task_id), ~_unit_done(item.c.task_id, responsible)),
            )
        )
        .where(_plan_in_force(item.c.plan_id, today))
    )
