"""Reminder planning on a table of dates: lead times, overdue steps, check-ins and data requests, in working
days that know 国庆, 春节 and 调休 Saturdays; a year the calendar lacks falls back to Monday–Friday."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from schedules.calendar import WorkCalendar
from schedules.plan import DayRule, OpenIndicator, OpenTask, Policy, Reminder, day_rules, digests, plan_day

SUPERVISOR = "市市场监管局（知识产权局）"
CALENDAR = WorkCalendar()


def task(deadline: date | None, *units: str, number: int = 41, ongoing: bool = False) -> OpenTask:
    return OpenTask("fuzhou-protection", number, deadline, ongoing, units or ("鼓楼区人民政府",), SUPERVISOR)


def days_with_reminders(
    item: OpenTask, start: date, end: date, calendar: WorkCalendar = CALENDAR
) -> list[tuple[date, str, int | None]]:
    found, day = [], start
    while day <= end:
        found += [
            (r.day, r.kind, r.workdays)
            for r in plan_day(day, [item], [], calendar)
            if r.unit == item.units[0]
        ]
        day += timedelta(days=1)
    return found


def test_task_41_before_and_after_a_sunday_deadline() -> None:
    """2025-08-31 is a Sunday: the deadline-day notice moves to Friday 29th, counting starts there."""
    assert days_with_reminders(task(date(2025, 8, 31)), date(2025, 7, 1), date(2025, 9, 20)) == [
        (date(2025, 8, 1), "before_deadline", 20),
        (date(2025, 8, 22), "before_deadline", 5),
        (date(2025, 8, 28), "before_deadline", 1),
        (date(2025, 8, 29), "due_today", 0),
        (date(2025, 9, 1), "overdue", 1),
        (date(2025, 9, 8), "overdue", 6),
        (date(2025, 9, 15), "overdue", 11),
    ]


def test_national_day_holiday_and_its_make_up_days() -> None:
    """国庆 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days."""
    assert days_with_reminders(task(date(2025, 10, 5)), date(2025, 9, 20), date(2025, 10, 16)) == [
        (date(2025, 9, 24), "before_deadline", 5),  # 25, 26, 28 (Sunday, worked), 29, 30
        (date(2025, 9, 29), "before_deadline", 1),
        (date(2025, 9, 30), "due_today", 0),  # the last working day before the holiday
        (date(2025, 10, 9), "overdue", 1),
        (date(2025, 10, 15), "overdue", 6),  # 9, 10, 11 (Saturday, worked), 13, 14, 15
    ]


def test_spring_festival_moves_the_notice_to_a_make_up_sunday() -> None:
    """春节 2025: 28 January – 4 February off; Sunday 26 January and Saturday 8 February are worked."""
    assert days_with_reminders(task(date(2025, 1, 31)), date(2024, 12, 20), date(2025, 2, 14)) == [
        (date(2024, 12, 30), "before_deadline", 20),
        (date(2025, 1, 21), "before_deadline", 5),  # 22, 23, 24, 26 (Sunday, worked), 27
        (date(2025, 1, 26), "before_deadline", 1),
        (date(2025, 1, 27), "due_today", 0),  # the deadline falls in the holiday
        (date(2025, 2, 5), "overdue", 1),
        (date(2025, 2, 11), "overdue", 6),  # 5, 6, 7, 8 (Saturday, worked), 10, 11
    ]


def test_nothing_on_a_non_working_day() -> None:
    assert CALENDAR.is_workday(date(2025, 10, 11)) and not CALENDAR.is_workday(date(2025, 10, 12))
    item = task(date(2025, 10, 12))
    for offset in range(-40, 40):
        day = date(2025, 10, 12) + timedelta(days=offset)
        if not CALENDAR.is_workday(day):
            assert plan_day(day, [item], [], CALENDAR) == []


def test_overdue_notices_are_escalated_to_the_supervising_office() -> None:
    reminders = plan_day(
        date(2025, 9, 1), [task(date(2025, 8, 31), "鼓楼区人民政府", "台江区人民政府")], [], CALENDAR
    )
    escalations = [r for r in reminders if r.kind == "escalation"]
    assert {(r.unit, r.about_unit) for r in escalations} == {
        (SUPERVISOR, "鼓楼区人民政府"),
        (SUPERVISOR, "台江区人民政府"),
    }


def test_a_unit_that_reported_its_part_gets_nothing() -> None:
    """The sweep passes only the units still to report; with none left there is nothing to send."""
    done = OpenTask("fuzhou-protection", 41, date(2025, 8, 31), False, (), SUPERVISOR)
    assert plan_day(date(2025, 9, 1), [done], [], CALENDAR) == []
    partly = task(date(2025, 8, 31), "台江区人民政府")
    assert {r.unit for r in plan_day(date(2025, 9, 1), [partly], [], CALENDAR)} == {
        "台江区人民政府",
        SUPERVISOR,
    }


def test_an_approved_delay_moves_the_schedule() -> None:
    """Task 41 delayed to 2025-10-31: the 20-day notice lands on Sunday 28 September, a 调休 working day."""
    assert days_with_reminders(task(date(2025, 10, 31)), date(2025, 8, 25), date(2025, 11, 10)) == [
        (date(2025, 9, 28), "before_deadline", 20),
        (date(2025, 10, 24), "before_deadline", 5),
        (date(2025, 10, 30), "before_deadline", 1),
        (date(2025, 10, 31), "due_today", 0),
        (date(2025, 11, 3), "overdue", 1),
        (date(2025, 11, 10), "overdue", 6),
    ]


def test_ongoing_tasks_get_a_check_in_on_the_first_working_day_of_each_month() -> None:
    ongoing = task(None, "市中级人民法院", number=17, ongoing=True)
    found = days_with_reminders(ongoing, date(2025, 9, 1), date(2026, 1, 31))
    assert [day for day, kind, _ in found if kind == "check_in"] == [
        date(2025, 9, 1),
        date(2025, 10, 9),  # after 国庆
        date(2025, 11, 3),
        date(2025, 12, 1),
        date(2026, 1, 4),  # a make-up Sunday after 元旦
    ]


def test_data_requests_on_the_fifth_working_day_after_a_quarter() -> None:
    indicator = OpenIndicator("fuzhou-protection", "8", ("市中级人民法院",))
    found = []
    day = date(2025, 9, 25)
    while day <= date(2025, 10, 31):
        found += plan_day(day, [], [indicator], CALENDAR)
        day += timedelta(days=1)
    assert [(r.day, r.kind, r.unit) for r in found] == [
        (date(2025, 10, 14), "data_request", "市中级人民法院")
    ]


def test_a_year_outside_the_calendar_falls_back_to_weekdays(caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkCalendar()
    assert not calendar.covers(2027)
    with caplog.at_level(logging.WARNING):
        assert calendar.is_workday(date(2027, 2, 1)) and not calendar.is_workday(date(2027, 2, 6))
        calendar.is_workday(date(2027, 3, 1))
    assert [r.message for r in caplog.records] == [
        "chinese_calendar has no data for 2027: Monday-Friday assumed"
    ]
    ongoing = task(None, "市中级人民法院", number=17, ongoing=True)
    assert [r.day for r in plan_day(date(2027, 2, 1), [ongoing], [], calendar)] == [date(2027, 2, 1)]


def test_admin_overrides_beat_the_calendar() -> None:
    calendar = WorkCalendar({date(2027, 2, 1): False, date(2027, 2, 6): True})
    assert not calendar.is_workday(date(2027, 2, 1)) and calendar.is_workday(date(2027, 2, 6))
    ongoing = task(None, "市中级人民法院", number=17, ongoing=True)
    assert plan_day(date(2027, 2, 1), [ongoing], [], calendar) == []
    assert [r.kind for r in plan_day(date(2027, 2, 2), [ongoing], [], calendar)] == ["check_in"]


def test_one_digest_per_unit_and_day_most_urgent_first() -> None:
    day = date(2025, 9, 1)
    items = [
        task(date(2025, 8, 31), number=41),
        task(date(2025, 9, 2), number=3),
        task(date(2025, 9, 1), number=5),
    ]
    (digest,) = [d for d in digests(plan_day(day, items, [], CALENDAR)) if d.unit == "鼓楼区人民政府"]
    assert [(r.kind, r.task) for r in digest.items] == [
        ("overdue", 41),
        ("due_today", 5),
        ("before_deadline", 3),
    ]


def test_reminder_keys_are_unique_per_unit_item_kind_and_day() -> None:
    reminders = plan_day(
        date(2025, 9, 1), [task(date(2025, 8, 31), "鼓楼区人民政府", "台江区人民政府")], [], CALENDAR
    )
    keys = [r.key for r in reminders]
    assert len(keys) == len(set(keys)) == 4
    assert isinstance(reminders[0], Reminder)


# --- the rules a sweep hands the database (day_rules) -----------------------------------------------------


def rules_for(deadline: date, days: list[date], today: date) -> list[DayRule]:
    return [r for r in day_rules(days, today, date(2024, 1, 1), CALENDAR, Policy()) if r.deadline == deadline]


def test_a_day_rule_is_what_the_per_task_planner_says_for_that_deadline() -> None:
    day = date(2025, 9, 1)
    in_20 = CALENDAR.shift(day, 20)  # a Sunday, and a 调休 working day
    assert in_20 == date(2025, 9, 28)
    assert rules_for(date(2025, 8, 31), [day], day) == [DayRule("overdue", day, date(2025, 8, 31), 1, True)]
    assert rules_for(in_20, [day], day) == [DayRule("before_deadline", day, in_20, 20)]
    assert rules_for(date(2025, 9, 2), [day], day) == [DayRule("before_deadline", day, date(2025, 9, 2), 1)]
    assert rules_for(date(2025, 9, 3), [day], day) == []


def test_after_downtime_only_the_latest_missed_reminder_counts_restated_as_of_today() -> None:
    """Down from Friday 29 August (the deadline day) to Wednesday 3 September: the due-day notice and the
    first overdue notice fold into one overdue notice as of today, still told to the supervisor."""
    missed = [date(2025, 8, 29), date(2025, 9, 1), date(2025, 9, 2)]
    today = date(2025, 9, 3)
    assert rules_for(date(2025, 8, 31), [*missed, today], today) == [
        DayRule("overdue", date(2025, 9, 1), date(2025, 8, 31), 3, escalate=True)
    ]


def test_a_missed_reminder_whose_deadline_passed_meanwhile_becomes_overdue_without_escalation() -> None:
    """Missed: the 1-working-day reminder of 28 August. By 1 September the deadline has passed; the unit
    hears it is overdue, the supervisor hears nothing until an overdue notice is actually due."""
    today = date(2025, 9, 2)
    [rule] = rules_for(date(2025, 8, 29), [date(2025, 8, 28), today], today)
    assert rule == DayRule("overdue", date(2025, 8, 28), date(2025, 8, 29), 2, escalate=False)


def test_check_ins_and_data_requests_keep_their_day() -> None:
    today = date(2025, 10, 15)  # after 国庆: October's first working day (9th) and the quarter's 5th (14th)
    missed = [date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 13), date(2025, 10, 14)]
    rules = day_rules([*missed, today], today, today, CALENDAR, Policy())
    kinds = {r.kind: r.day for r in rules if r.deadline is None}
    assert kinds == {"check_in": date(2025, 10, 9), "data_request": date(2025, 10, 14)}


def test_the_supervising_office_is_not_escalated_its_own_lateness() -> None:
    late = task(date(2025, 8, 31), SUPERVISOR, "鼓楼区人民政府")
    found = [(r.unit, r.kind, r.about_unit) for r in plan_day(date(2025, 9, 1), [late], [], CALENDAR)]
    assert sorted(found, key=str) == sorted(
        [
            (SUPERVISOR, "overdue", None),
            ("鼓楼区人民政府", "overdue", None),
            (SUPERVISOR, "escalation", "鼓楼区人民政府"),
        ],
        key=str,
    )


def test_overdue_chasing_escalates_instead_of_nagging_forever() -> None:
    """Issue 17 item 6: every 5 working days for the first month late (the office told each time), then
    weekly to the unit alone (the week's first working day), then monthly (the month's first working day)."""
    calendar = WorkCalendar()
    late = OpenTask("p", 1, date(2025, 6, 30), False, ("甲",), "督办办")
    days = [date(2025, 7, 1) + timedelta(days=n) for n in range(200)]
    chased = {d: plan_day(d, [late], [], calendar) for d in days}
    to_unit = [d for d, found in chased.items() if any(r.kind == "overdue" for r in found)]
    escalated = [d for d, found in chased.items() if any(r.kind == "escalation" for r in found)]
    first_month = [d for d in to_unit if d <= date(2025, 7, 30)]
    assert first_month == [date(2025, 7, 1), date(2025, 7, 8), date(2025, 7, 15), date(2025, 7, 22),
                           date(2025, 7, 29)]  # fmt: skip
    assert escalated == first_month
    weekly = [d for d in to_unit if date(2025, 7, 30) < d <= date(2025, 9, 30)]
    assert weekly and all(d.weekday() == 0 for d in weekly)  # Mondays (none a holiday in that stretch)
    assert len(weekly) == 9
    monthly = [d for d in to_unit if d > date(2025, 9, 30)]
    # 1 October is a holiday: October's first working day is the 9th (after the National Day break)
    assert monthly == [
        date(2025, 10, 9),
        date(2025, 11, 3),
        date(2025, 12, 1),
        date(2026, 1, 4),
    ]  # a 调休 Sunday


def test_a_recurring_task_is_checked_in_when_its_period_begins() -> None:
    """每季度: the check-in of January, April, July and October only; 每月 and 长期推进 every month."""
    quarterly = OpenTask("p", 5, None, True, ("市商务局",), SUPERVISOR, rule="quarterly")
    monthly = OpenTask("p", 6, None, True, ("市商务局",), SUPERVISOR, rule="monthly")
    months = {
        task.number: [
            r.day.month
            for d in range(0, 366)
            for r in plan_day(date(2025, 1, 1) + timedelta(days=d), [task], [], CALENDAR)
        ]
        for task in (quarterly, monthly)
    }
    assert months[5] == [1, 4, 7, 10] and months[6] == list(range(1, 13))
