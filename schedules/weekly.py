"""The weekly 通报 (issue 17 item 9), pure: the day it goes out, the moment it compares with, its figures.

Figures are counted in parts, one per task and responsible unit (a collective's members each have one), from
each part's standing now and at the previous 通报 (store/weekly.py reads both from the append-only ledger).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from schedules.calendar import SHANGHAI, WorkCalendar
from store.weekly import Part, Standing, WeeklyPlan

TOP_OVERDUE = 5  # the units named as the most overdue
SENT_AT = time(9)  # the 通报 goes out when the sending window opens; a moment of a past week is its 09:00
_WEEK = timedelta(days=7)
_LOOK_BACK_WEEKS = 8  # how far back a previous 通报 is looked for in the outbox (and a week without one)


def first_workday_of_week(day: date, calendar: WorkCalendar) -> date | None:
    """The first working day of day's ISO week (Monday to Sunday); None for a week without one."""
    monday = day - timedelta(days=day.weekday())
    first = calendar.on_or_after(monday)
    return first if first < monday + _WEEK else None


def weekly_due(day: date, calendar: WorkCalendar) -> bool:
    """Whether day is its week's first working day: the 通报 goes out then, once."""
    return first_workday_of_week(day, calendar) == day


def iso_week(day: date) -> str:
    """2025-W39: the 通报's week in its outbox key (notice:weekly:<plan>:<week>:<admin>)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def recent_first_workdays(day: date, calendar: WorkCalendar) -> list[date]:
    """The first working days of day's week and of the weeks before it (the days a 通报 can have gone out),
    those before day only, newest first."""
    found = [first_workday_of_week(day - _WEEK * n, calendar) for n in range(_LOOK_BACK_WEEKS + 1)]
    return [d for d in found if d is not None and d < day]


def previous_moment(day: date, calendar: WorkCalendar, last_sent: datetime | None) -> datetime:
    """What "since the last 通报" counts from: when the last 通报 before day went into the outbox, else the
    09:00 of the last first-working-day-of-a-week before day (the 通报 that would have gone out then)."""
    if last_sent is not None:
        return last_sent
    earlier = recent_first_workdays(day, calendar)
    fallback = earlier[0] if earlier else day - _WEEK
    return datetime.combine(fallback, SENT_AT, SHANGHAI)


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    parts: int
    done: int
    pending: int  # 待审核
    returned: int  # 已退回, not reported again
    overdue: int  # past its deadline and not done (whether waiting for review, returned or not reported)
    order: tuple[int, int]  # where the plan first names the unit


@dataclass(frozen=True)
class Changes:
    """Since the previous 通报."""

    reported: int  # parts with a completion report received since (still standing)
    done: int  # parts done now that were not then
    returned: int  # parts returned since
    overdue: int  # parts overdue now that were not then
    overdue_before: int
    pending_before: int


@dataclass(frozen=True)
class WeeklyReport:
    plan: WeeklyPlan
    day: date
    since: date  # the previous 通报's day (Shanghai)
    parts: int
    ongoing: int  # parts of 长期推进 (or undated) tasks: no deadline, never overdue, not in the on-time rate
    done: int
    pending: int
    returned: int
    unreported: int
    overdue: int
    due: int  # parts whose deadline has passed: the on-time rate's denominator
    on_time: int  # …done on or before the deadline
    done_late: int  # …done after it
    units: tuple[UnitFigures, ...]  # most overdue first, then most returned, most waiting, the plan's order
    top_overdue: tuple[UnitFigures, ...]  # most overdue first, then the plan's order
    changes: Changes


def weekly_report(
    plan: WeeklyPlan, parts: Sequence[Part], *, day: date, now: datetime, before: datetime
) -> WeeklyReport:
    """The figures of one plan's 通报 for day, from its parts' standings as of now and as of before."""
    since = before.astimezone(SHANGHAI).date()
    dated = [p for p in parts if p.now.deadline is not None]
    due = [p for p in dated if _past(p.now, day)]
    on_time = sum(1 for p in due if p.now.done_at is not None and _local(p.now.done_at) <= _deadline(p.now))
    done_late = sum(1 for p in due if p.now.done_at is not None) - on_time
    units = _units(parts, day)
    return WeeklyReport(
        plan=plan,
        day=day,
        since=since,
        parts=len(parts),
        ongoing=len(parts) - len(dated),
        done=_count(parts, "done"),
        pending=_count(parts, "pending"),
        returned=_count(parts, "returned"),
        unreported=_count(parts, "open"),
        overdue=sum(1 for p in parts if _overdue(p.now, day)),
        due=len(due),
        on_time=on_time,
        done_late=done_late,
        units=units,
        top_overdue=tuple(sorted((u for u in units if u.overdue), key=lambda u: (-u.overdue, u.order)))[
            :TOP_OVERDUE
        ],
        changes=_changes(parts, day, since, before),
    )


def _changes(parts: Sequence[Part], day: date, since: date, before: datetime) -> Changes:
    return Changes(
        reported=sum(1 for p in parts if p.now.reported_at is not None and p.now.reported_at > before),
        done=sum(1 for p in parts if p.now.state == "done" and p.before.state != "done"),
        returned=sum(1 for p in parts if p.now.returned_at is not None and p.now.returned_at > before),
        overdue=sum(1 for p in parts if _overdue(p.now, day) and not _overdue(p.before, since)),
        overdue_before=sum(1 for p in parts if _overdue(p.before, since)),
        pending_before=sum(1 for p in parts if p.before.state == "pending"),
    )


def _units(parts: Iterable[Part], day: date) -> tuple[UnitFigures, ...]:
    grouped: dict[str, list[Part]] = {}
    for part in parts:
        grouped.setdefault(part.unit, []).append(part)
    figures = [
        UnitFigures(
            unit,
            len(own),
            _count(own, "done"),
            _count(own, "pending"),
            _count(own, "returned"),
            sum(1 for p in own if _overdue(p.now, day)),
            min(p.order for p in own),
        )
        for unit, own in grouped.items()
    ]
    return tuple(sorted(figures, key=lambda u: (-u.overdue, -u.returned, -u.pending, u.order)))


def _count(parts: Iterable[Part], state: str) -> int:
    return sum(1 for p in parts if p.now.state == state)


def _past(standing: Standing, day: date) -> bool:
    """The deadline (the last day allowed) is over by day."""
    return standing.deadline is not None and standing.deadline < day


def _overdue(standing: Standing, day: date) -> bool:
    return standing.state != "done" and _past(standing, day)


def _deadline(standing: Standing) -> date:
    return standing.deadline or date.max


def _local(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def by_plan(parts: Iterable[Part]) -> Mapping[int, list[Part]]:
    """Parts grouped by their plan's id."""
    found: dict[int, list[Part]] = {}
    for part in parts:
        found.setdefault(part.plan_id, []).append(part)
    return found
