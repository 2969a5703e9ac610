"""Which reminders fall due on a day: a pure function of the open items, the policy and the calendar.

Nothing here reads a clock or a database; a sweep passes in the day and plain item values, so every rule is
tested on a table of dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Literal

from schedules.calendar import WorkCalendar

ReminderKind = Literal["before_deadline", "due_today", "overdue", "escalation", "check_in", "data_request"]
URGENCY: dict[ReminderKind, int] = {  # most urgent first in a digest
    "escalation": 0,
    "overdue": 1,
    "due_today": 2,
    "before_deadline": 3,
    "data_request": 4,
    "check_in": 5,
}


@dataclass(frozen=True)
class Policy:
    """When to remind; settings with these defaults, overridable per plan."""

    lead_workdays: tuple[int, ...] = (20, 5, 1)
    overdue_every_workdays: int = 5  # for the first month late; the supervising office hears each time
    weekly_after_months: int = 1  # then weekly (the week's first working day), the unit only
    monthly_after_months: int = 3  # then monthly (the month's first working day); the office gets a summary
    check_in_month_workday: int = 1  # 长期推进: the first working day of each month
    data_request_workday: int = 5  # indicators: the 5th working day after a quarter ends

    @classmethod
    def from_json(cls, text: str | None, base: Policy | None = None) -> Policy:
        """A plan's settings (validated by the seed schema) over the defaults; None keeps the defaults."""
        policy = base or cls()
        if not text:
            return policy
        known = {f.name for f in fields(cls)}
        values = {
            k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(text).items() if k in known
        }
        return cls(**{**policy.__dict__, **values})


@dataclass(frozen=True)
class OpenTask:
    plan: str
    number: int
    deadline: date | None  # the approved delay's date when there is one
    ongoing: bool
    units: tuple[str, ...]  # responsible units still to report their part (collectives expanded)
    supervisor: str  # the plan's supervising office, told of every overdue notice
    valid_to: date | None = None  # the plan's last day of chasing (expired or archived after it)
    valid_from: date | None = None  # before it the plan is a draft and chases nothing
    rule: str | None = None  # a recurring task's (每季度 → quarterly): checked in when a period begins


@dataclass(frozen=True)
class OpenIndicator:
    plan: str
    code: str
    units: tuple[str, ...]
    valid_to: date | None = None
    valid_from: date | None = None
    rule: str | None = None  # how often its data is asked for (RULE_MONTHS); None: after each quarter


@dataclass(frozen=True)
class Reminder:
    day: date
    unit: str
    kind: ReminderKind
    plan: str
    task: int | None = None
    indicator: str | None = None
    deadline: date | None = None
    workdays: int | None = None  # before: working days left; overdue: working days late
    about_unit: str | None = None  # escalation: the unit that is late

    @property
    def item(self) -> str:
        """The delivery ledger's name for what this is about: "<plan>:task:<n>" or "<plan>:indicator:<code>",
        with "@<late unit>" for an escalation."""
        thing = f"task:{self.task}" if self.task is not None else f"indicator:{self.indicator}"
        return f"{self.plan}:{thing}@{self.about_unit}" if self.about_unit else f"{self.plan}:{thing}"

    @property
    def key(self) -> tuple[str, str, str, str, date]:
        """One reminder per unit, item, kind and day: the delivery ledger's unique key."""
        item = f"task:{self.task}" if self.task is not None else f"indicator:{self.indicator}"
        return (self.unit, f"{self.plan}:{item}", self.kind, self.about_unit or "", self.day)


@dataclass(frozen=True)
class Digest:
    """All of one unit's reminders for one day, most urgent first."""

    day: date
    unit: str
    items: tuple[Reminder, ...] = field(default_factory=tuple)


def plan_day(
    day: date,
    tasks: Iterable[OpenTask],
    indicators: Iterable[OpenIndicator],
    calendar: WorkCalendar,
    policy: Policy = Policy(),
    plan_policies: Mapping[str, Policy] | None = None,
) -> list[Reminder]:
    """Every reminder due on day; nothing on a non-working day. plan_policies: plans with their own."""
    if not calendar.is_workday(day):
        return []
    own = plan_policies or {}
    found: list[Reminder] = []
    for task in tasks:
        found.extend(_task_reminders(day, task, calendar, own.get(task.plan, policy)))
    requests: list[OpenIndicator] = list(indicators)
    for plan_policy in {own.get(i.plan, policy) for i in requests}:
        chosen = [i for i in requests if own.get(i.plan, policy) == plan_policy]
        found.extend(_data_requests(day, chosen, calendar, plan_policy))
    return found


def deadlines_due(day: date, earliest: date, calendar: WorkCalendar, policy: Policy) -> frozenset[date]:
    """The deadlines that give a task a before/due/overdue reminder on day, from earliest on.

    The sweep asks the database only for tasks with these deadlines, so its work grows with the day's
    reminders, not with the number of tasks.
    """
    if not calendar.is_workday(day):
        return frozenset()
    latest = calendar.shift(day, max(policy.lead_workdays, default=0) + 1) + timedelta(days=10)
    found, candidate = set(), earliest
    while candidate <= latest:
        if _deadline_kind(day, candidate, calendar, policy)[0] is not None:
            found.add(candidate)
        candidate += timedelta(days=1)
    return frozenset(found)


@dataclass(frozen=True)
class DayRule:
    """A reminder every item of a kind gets on a day: deadline rules for the tasks due on that deadline,
    check-in rules for every ongoing task, data-request rules for every indicator. kind and workdays are as
    of the sweep's day; escalate: it was an overdue notice when planned, so the supervisor is told too."""

    kind: ReminderKind
    day: date  # the working day it was planned for (a missed one, on a catch-up)
    deadline: date | None = None
    workdays: int | None = None
    escalate: bool = False


def day_rules(
    days: Iterable[date], today: date, earliest: date, calendar: WorkCalendar, policy: Policy
) -> list[DayRule]:
    """What falls due on the given working days, folded for today: per deadline (and for check-ins and data
    requests) only the latest day's reminder, restated as of today — after downtime one reminder per item,
    never one per missed day. Every task with that deadline and every unit still to report gets the rule."""
    latest: dict[date | ReminderKind, DayRule] = {}
    for day in sorted(days):
        if not calendar.is_workday(day):
            continue
        for deadline in sorted(deadlines_due(day, min(earliest, day), calendar, policy)):
            kind, workdays = _deadline_kind(day, deadline, calendar, policy)
            assert kind is not None  # deadlines_due returns only deadlines with a reminder on day
            # restated as of today, like the counts: past its first month a task is no longer escalated
            escalate = kind == "overdue" and overdue_stage(today, deadline, policy) == "first_month"
            latest[deadline] = DayRule(kind, day, deadline, workdays, escalate=escalate)
        if is_check_in_day(day, calendar, policy):
            latest["check_in"] = DayRule("check_in", day)
        if is_data_request_day(day, calendar, policy, "monthly"):  # each indicator's rule picks the months
            latest["data_request"] = DayRule("data_request", day)
    return [restate(rule, today, calendar) for rule in latest.values()]


def restate(rule: DayRule, today: date, calendar: WorkCalendar) -> DayRule:
    """A missed day's reminder as of today: a deadline that passed while the process was down makes a
    before-deadline reminder an overdue one; working-day counts are today's."""
    if rule.day == today or rule.deadline is None:
        return rule
    due_day = calendar.on_or_before(rule.deadline)
    if rule.kind in ("before_deadline", "due_today") and today <= due_day:
        left = calendar.count_between(today, due_day)
        return replace(rule, kind="due_today" if left == 0 else "before_deadline", workdays=left)
    return replace(rule, kind="overdue", workdays=calendar.count_between(rule.deadline, today))


# The months a recurring task's period begins in: it is checked in on those months' check-in day only.
RULE_MONTHS: dict[str, frozenset[int]] = {
    "monthly": frozenset(range(1, 13)),
    "quarterly": frozenset({1, 4, 7, 10}),
    "half-yearly": frozenset({1, 7}),
    "yearly": frozenset({1}),
}


def checked_in_this_month(rule: str | None, month: int) -> bool:
    return rule is None or month in RULE_MONTHS.get(rule, RULE_MONTHS["monthly"])


def is_check_in_day(day: date, calendar: WorkCalendar, policy: Policy) -> bool:
    return calendar.is_workday(day) and day == _month_workday(day, calendar, policy.check_in_month_workday)


DEFAULT_REPORT_RULE = "quarterly"  # an indicator whose plan says nothing: its data after each quarter


def is_data_request_day(day: date, calendar: WorkCalendar, policy: Policy, rule: str | None = None) -> bool:
    """The working day data is asked for after a period of the rule ends: the policy's nth working day of
    a month a period begins (each month; January, April, July, October; …)."""
    months = RULE_MONTHS.get(rule or DEFAULT_REPORT_RULE, RULE_MONTHS[DEFAULT_REPORT_RULE])
    return (
        day.month in months
        and calendar.is_workday(day)
        and day == _month_workday(day, calendar, policy.data_request_workday)
    )


def digests(reminders: Iterable[Reminder]) -> list[Digest]:
    """One digest per unit and day; within it the most urgent first, then by deadline and item."""
    grouped: dict[tuple[date, str], list[Reminder]] = {}
    for reminder in reminders:
        grouped.setdefault((reminder.day, reminder.unit), []).append(reminder)
    return [
        Digest(day, unit, tuple(sorted(items, key=_urgency)))
        for (day, unit), items in sorted(grouped.items())
    ]


def _urgency(r: Reminder) -> tuple[int, date, str, int, str]:
    return (URGENCY[r.kind], r.deadline or date.max, r.plan, r.task or 0, r.indicator or "")


PlanStatus = Literal["draft", "in_force", "expired"]


def plan_status(valid_from: date | None, valid_to: date | None, day: date) -> PlanStatus:
    """A plan's standing on a day from its validity: before it starts a draft, after its last day expired.
    Only a plan in force chases; an expired one's office is asked once for the closing report instead.
    (An archive ends the window early: the caller passes the day before it as valid_to.)"""
    if valid_from is not None and day < valid_from:
        return "draft"
    if valid_to is not None and day > valid_to:
        return "expired"
    return "in_force"


def _task_reminders(day: date, task: OpenTask, calendar: WorkCalendar, policy: Policy) -> Iterator[Reminder]:
    if not task.units or plan_status(task.valid_from, task.valid_to, day) != "in_force":
        return
    if task.ongoing or task.deadline is None:
        if is_check_in_day(day, calendar, policy) and checked_in_this_month(task.rule, day.month):
            yield from _to_units(day, task, "check_in", None)
        return
    kind, workdays = _deadline_kind(day, task.deadline, calendar, policy)
    if kind is None:
        return
    yield from _to_units(day, task, kind, workdays)
    if kind == "overdue" and overdue_stage(day, task.deadline, policy) == "first_month":
        # the supervising office hears of every late unit but itself: its own notice already told it
        for unit in (u for u in task.units if u != task.supervisor):
            yield Reminder(
                day, task.supervisor, "escalation", task.plan, task=task.number, deadline=task.deadline,
                workdays=workdays, about_unit=unit,
            )  # fmt: skip


def _deadline_kind(
    day: date, deadline: date, calendar: WorkCalendar, policy: Policy
) -> tuple[ReminderKind | None, int | None]:
    """Before: N working days ahead (a non-working deadline counts from the working day before it);
    overdue: the first working day after, then every N working days."""
    due_day = calendar.on_or_before(deadline)
    if day <= due_day:
        left = calendar.count_between(day, due_day)
        if left == 0:
            return "due_today", 0
        return ("before_deadline", left) if left in policy.lead_workdays else (None, None)
    late = calendar.count_between(deadline, day)
    if late < 1:
        return None, None
    stage = overdue_stage(day, deadline, policy)
    if stage == "first_month":
        due = (late - 1) % policy.overdue_every_workdays == 0
    elif stage == "weekly":
        due = day == _week_first_workday(day, calendar)
    else:
        due = day == _month_workday(day, calendar, 1)
    return ("overdue", late) if due else (None, None)


OverdueStage = Literal["first_month", "weekly", "monthly"]


def overdue_stage(day: date, deadline: date, policy: Policy) -> OverdueStage:
    """How long a task has been late decides how it is chased: every few working days in the first month
    (the office told each time), then weekly to the unit, then monthly — chasing that escalates instead of
    nagging the same way forever."""
    if day <= add_months(deadline, policy.weekly_after_months):
        return "first_month"
    if day <= add_months(deadline, policy.monthly_after_months):
        return "weekly"
    return "monthly"


def add_months(day: date, months: int) -> date:
    """The same day so many months on (the month's last day where it has no such day: 31 Jan → 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def _week_first_workday(day: date, calendar: WorkCalendar) -> date:
    """The first working day of day's week (Monday to Sunday); a holiday Monday moves it on."""
    monday = day - timedelta(days=day.weekday())
    return calendar.on_or_after(monday)


def _to_units(day: date, task: OpenTask, kind: ReminderKind, workdays: int | None) -> Iterator[Reminder]:
    for unit in task.units:
        yield Reminder(
            day,
            unit,
            kind,
            task.plan,
            task=task.number,
            deadline=task.deadline,
            workdays=workdays,
        )


def _data_requests(
    day: date, indicators: Iterable[OpenIndicator], calendar: WorkCalendar, policy: Policy
) -> Iterator[Reminder]:
    if not is_data_request_day(day, calendar, policy, "monthly"):
        return
    for indicator in indicators:
        if plan_status(indicator.valid_from, indicator.valid_to, day) != "in_force":
            continue
        if not is_data_request_day(day, calendar, policy, indicator.rule):
            continue
        for unit in indicator.units:
            yield Reminder(day, unit, "data_request", indicator.plan, indicator=indicator.code)


def _month_workday(day: date, calendar: WorkCalendar, nth: int) -> date:
    """The nth working day of day's month."""
    return calendar.shift(calendar.on_or_after(date(day.year, day.month, 1)), nth - 1)
