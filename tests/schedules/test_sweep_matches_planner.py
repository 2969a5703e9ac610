"""The sweep plans inside the database (store/due_items.py); the dry run plans task by task in Python
(schedules/plan.py). Both must put exactly the same reminders in front of each unit, so here the sweep's
outbox is compared, sweep by sweep, with the per-task planner folded the way a catch-up folds: on a generated
database with collectives, partial completions and approved delays, some of them retracted, a plan with its
own policy, quarter and month starts, and days of downtime."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, literal, select

from schedules.calendar import SHANGHAI, WorkCalendar
from schedules.plan import Policy, Reminder, ReminderKind, is_check_in_day, overdue_stage
from schedules.sources import Policies, reminders_for_day
from schedules.sweep import missed_workdays, run_sweep
from store.db import Database
from store.ledger import COMPLETED, DELAY_APPROVED, RETRACTION
from store.models import (
    DeliveryEvent,
    Indicator,
    Plan,
    ReminderItem,
    ReminderMessage,
    Task,
    TaskEvent,
    TaskUnit,
    Unit,
)
from store.plan_status import set_plan_status

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import national

Key = tuple[str, str, str, date, date | None, int | None, str | None]


@pytest.fixture
def generated(db_url: str) -> Database:
    db = Database(db_url)
    national.generate(db, plans=24, tasks_per_plan=40, units=600, seed=5, today=date(2025, 9, 1))
    _retract_some(db)
    _archive_one_and_start_one_late(db)
    return db


def _archive_one_and_start_one_late(db: Database) -> None:
    """Plan 5 archived by its office from 10 October, plan 7 a draft until 2026: both paths must agree."""
    plans = Plan.__table__  # type: ignore[attr-defined]
    tasks = Task.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as connection:
        connection.execute(plans.update().where(plans.c.id == 7).values(valid_from=date(2026, 1, 1)))
        # some ongoing tasks recur quarterly or yearly (每季度, 每年): checked in when their period begins
        for rule, remainder in (("quarterly", 0), ("yearly", 1)):
            connection.execute(
                tasks.update()
                .where(tasks.c.ongoing.is_(True), (tasks.c.id % 7) == remainder)
                .values(deadline_rule=rule)
            )
        # some tasks withdrawn by a revised plan (store/catalog.py): never reminded on either path
        connection.execute(tasks.update().where((tasks.c.id % 11) == 3).values(withdrawn=True))
        # some indicators reported monthly, half-yearly or yearly (报送频次): asked for data after their periods
        indicators = Indicator.__table__  # type: ignore[attr-defined]
        for rule, remainder in (("monthly", 0), ("half-yearly", 1), ("yearly", 2)):
            connection.execute(
                indicators.update().where((indicators.c.id % 5) == remainder).values(report_rule=rule)
            )
    set_plan_status(
        db, plan=_plan_code(db, 5), status="archived", effective_on=date(2025, 10, 10), note="提前验收",
        actor="test", at=datetime(2025, 9, 30, tzinfo=UTC),
    )  # fmt: skip


def _retract_some(db: Database) -> None:
    """A completion and an approved delay taken back: the unit is reminded again, the old deadline holds."""
    table = TaskEvent.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as connection:
        for kind in (COMPLETED, DELAY_APPROVED):
            event = connection.execute(
                select(table.c.id, table.c.task_id).where(table.c.kind == kind).order_by(table.c.id).limit(1)
            ).one()
            connection.execute(
                table.insert().values(
                    task_id=event.task_id, kind=RETRACTION, refers_to_id=event.id, platform="test",
                    recorded_at=datetime(2025, 9, 1, tzinfo=UTC),
                )
            )  # fmt: skip


def test_the_sweep_reminds_exactly_what_the_planner_plans(generated: Database) -> None:
    db = generated
    calendar = WorkCalendar()
    own = _plan_code(db, 3)
    policies = Policies(Policy(), {own: Policy(lead_workdays=(10, 2), overdue_every_workdays=3)})
    # sweeps on these days; the gaps are downtime the next sweep catches up on
    sweep_days = [
        date(2025, 9, 26), date(2025, 9, 28), date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 15),
        date(2025, 11, 3), date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 9), date(2026, 2, 2),
        date(2026, 4, 1), date(2026, 4, 8),
    ]  # fmt: skip
    last: date | None = None
    compared = 0
    for day in sweep_days:
        now = datetime.combine(day, time(9), SHANGHAI)
        report = run_sweep(db, now=now, calendar=calendar, instance="test", policies=policies)
        assert report is not None, day
        days = (*missed_workdays(last, day, calendar), day)
        expected = _keys(
            fold([r for d in days for r in reminders_for_day(db, d, calendar, policies)], day, calendar)
        )
        assert _outbox_keys(db, report.created.sweep_id) == expected, day
        assert report.digests == len({k[0] for k in expected})
        _delivered_and_read(db, report.created.sweep_id, now)
        compared += len(expected)
        last = day
    assert compared > 5000  # the comparison is not vacuous
    again = run_sweep(db, now=now, calendar=calendar, instance="again", policies=policies)
    assert again is not None and (again.created.messages, again.created.items) == (0, 0)


def _delivered_and_read(db: Database, sweep_id: int, now: datetime) -> None:
    """The sweep's digests as sent and acknowledged: nothing for the next sweep to re-send or to carry over
    (those are tested in tests/schedules/test_delivery_faults.py), so it plans exactly what the planner does."""
    message = ReminderMessage.__table__  # type: ignore[attr-defined]
    event = DeliveryEvent.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as connection:
        for seq, kind in ((1, "sent"), (2, "acked")):
            rows = select(
                message.c.id, literal(seq), literal(kind), literal(now, event.c.at.type), literal("test")
            ).where(message.c.sweep_id == sweep_id)
            connection.execute(
                event.insert().from_select(["message_id", "seq", "kind", "at", "worker"], rows)
            )


def fold(reminders: Sequence[Reminder], today: date, calendar: WorkCalendar) -> list[Reminder]:
    """What a catch-up sends: per unit and item only the latest day's reminder, restated as of today — the
    supervising office's escalation too, which as of today stops once the task is a month late (the
    cadence then chases the unit alone)."""
    latest: dict[tuple[str, str], Reminder] = {}
    for reminder in sorted(reminders, key=lambda r: r.day):
        latest[(reminder.unit, reminder.item)] = reminder
    return [
        _as_of(r, today, calendar)
        for r in latest.values()
        if not (
            r.kind == "escalation"
            and r.deadline
            and overdue_stage(today, r.deadline, Policy()) != "first_month"
        )
    ]


def _as_of(reminder: Reminder, today: date, calendar: WorkCalendar) -> Reminder:
    if reminder.day == today or reminder.deadline is None:
        return reminder
    due_day = calendar.on_or_before(reminder.deadline)
    if reminder.kind in ("before_deadline", "due_today") and today <= due_day:
        left = calendar.count_between(today, due_day)
        return replace(reminder, kind="due_today" if left == 0 else "before_deadline", workdays=left)
    if reminder.kind in ("before_deadline", "due_today", "overdue", "escalation"):
        kind: ReminderKind = "escalation" if reminder.kind == "escalation" else "overdue"
        return replace(reminder, kind=kind, workdays=calendar.count_between(reminder.deadline, today))
    return reminder


def _keys(reminders: Iterable[Reminder]) -> set[Key]:
    return {(r.unit, r.item, r.kind, r.day, r.deadline, r.workdays, r.about_unit) for r in reminders}


def _outbox_keys(db: Database, sweep_id: int) -> set[Key]:
    item = ReminderItem.__table__  # type: ignore[attr-defined]
    message = ReminderMessage.__table__  # type: ignore[attr-defined]
    unit = Unit.__table__  # type: ignore[attr-defined]
    about = unit.alias("about")
    statement = (
        select(
            unit.c.name, item.c.item, item.c.kind, item.c.day, item.c.deadline, item.c.workdays, about.c.name
        )
        .join(message, message.c.id == item.c.message_id)
        .join(unit, unit.c.id == item.c.unit_id)
        .outerjoin(about, about.c.id == item.c.about_unit_id)
        .where(message.c.sweep_id == sweep_id)
    )
    with db.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(statement)]
    assert len(rows) == len(set(rows))
    return set(rows)  # type: ignore[arg-type]


def _plan_code(db: Database, plan_id: int) -> str:
    plan = Plan.__table__  # type: ignore[attr-defined]
    with db.engine.connect() as connection:
        return str(connection.execute(select(plan.c.code).where(plan.c.id == plan_id)).scalar_one())


def test_the_generated_data_has_what_the_comparison_needs(generated: Database) -> None:
    """Collectives among the responsible units, completions, approved delays and the two retractions."""
    events = TaskEvent.__table__  # type: ignore[attr-defined]
    units = Unit.__table__  # type: ignore[attr-defined]
    links = TaskUnit.__table__  # type: ignore[attr-defined]
    with generated.engine.connect() as connection:
        counted = connection.execute(select(events.c.kind, func.count()).group_by(events.c.kind))
        kinds = {str(kind): int(count) for kind, count in counted}
        collective_links = connection.execute(
            select(func.count()).select_from(links.join(units, units.c.id == links.c.unit_id))
            .where(units.c.kind == "collective")
        ).scalar_one()  # fmt: skip
    assert kinds[COMPLETED] > 50 and kinds[DELAY_APPROVED] >= 3 and kinds[RETRACTION] == 2
    assert collective_links > 0


def test_an_archived_plan_and_a_draft_are_left_alone_on_both_paths(generated: Database) -> None:
    """Plan 5 is chased before its archive and never from that day; plan 7 not before it starts."""
    calendar = WorkCalendar()
    archived, draft = _plan_code(generated, 5), _plan_code(generated, 7)

    def plans_on(day: date) -> set[str]:
        return {r.plan for r in reminders_for_day(generated, day, calendar, Policies(Policy(), {}))}

    assert archived in plans_on(date(2025, 9, 26)) | plans_on(date(2025, 10, 9))
    later = [date(2025, 10, 10), date(2025, 10, 15), date(2026, 1, 5), date(2026, 2, 2)]
    assert not any(archived in plans_on(day) for day in later)
    assert draft not in plans_on(date(2025, 10, 9)) | plans_on(date(2025, 10, 15))
    assert draft in plans_on(date(2026, 1, 5)) | plans_on(date(2026, 1, 6)) | plans_on(date(2026, 2, 2))


def test_withdrawn_tasks_are_reminded_on_neither_path(generated: Database) -> None:
    calendar, tasks, plans = WorkCalendar(), Task.__table__, Plan.__table__  # type: ignore[attr-defined]
    with generated.engine.connect() as connection:
        rows = connection.execute(
            select(plans.c.code, tasks.c.number)
            .join(tasks, tasks.c.plan_id == plans.c.id)
            .where(tasks.c.withdrawn.is_(True))
        ).all()
    withdrawn = {(str(code), int(number)) for code, number in rows}
    assert len(withdrawn) > 20
    days = [date(2025, 9, 1) + timedelta(days=n) for n in range(0, 150, 3)]
    reached = {
        (r.plan, r.task)
        for day in days
        for r in reminders_for_day(generated, day, calendar, Policies(Policy(), {}))
        if r.task is not None
    }
    assert reached and not reached & withdrawn


def test_the_generated_data_has_recurring_tasks_checked_in_only_when_their_period_begins(
    generated: Database,
) -> None:
    """The comparison above covers them: quarterly tasks are checked in in October and January, not in
    November or February."""
    calendar, tasks = WorkCalendar(), Task.__table__  # type: ignore[attr-defined]
    with generated.engine.connect() as connection:
        rows = connection.execute(
            select(Plan.__table__.c.code, tasks.c.number)  # type: ignore[attr-defined]
            .join(tasks, tasks.c.plan_id == Plan.__table__.c.id)  # type: ignore[attr-defined]
            .where(tasks.c.deadline_rule == "quarterly")
        ).all()
    quarterly = {(str(code), int(number)) for code, number in rows}
    assert quarterly

    def reached(day: date) -> set[tuple[str, int]]:
        found = reminders_for_day(generated, day, calendar, Policies(Policy(), {}))
        return {(r.plan, r.task) for r in found if r.kind == "check_in" and r.task is not None}

    def check_in_day(year: int, month: int) -> date:
        days = (date(year, month, 1) + timedelta(days=n) for n in range(28))
        return next(d for d in days if is_check_in_day(d, calendar, Policy()))

    assert reached(check_in_day(2025, 10)) & quarterly and reached(check_in_day(2026, 1)) & quarterly
    assert not reached(check_in_day(2026, 2)) & quarterly and not reached(check_in_day(2025, 11)) & quarterly


def test_indicators_are_asked_for_data_after_their_own_periods(generated: Database) -> None:
    """按月 indicators in every month's request, the others in theirs only (quarterly by default); the
    comparison above holds the sweep to the same."""
    calendar, table, plans = WorkCalendar(), Indicator.__table__, Plan.__table__  # type: ignore[attr-defined]
    with generated.engine.connect() as connection:
        rows = connection.execute(
            select(plans.c.code, table.c.code, table.c.report_rule).join(plans, plans.c.id == table.c.plan_id)
        ).all()
    rules = {(str(plan), str(code)): rule for plan, code, rule in rows}
    assert {None, "monthly", "half-yearly", "yearly"} <= set(rules.values())

    def asked(year: int, month: int) -> set[str | None]:
        days = (date(year, month, 1) + timedelta(days=n) for n in range(28))
        found = [
            r for day in days for r in reminders_for_day(generated, day, calendar, Policies(Policy(), {}))
        ]
        return {rules[(r.plan, r.indicator)] for r in found if r.kind == "data_request" and r.indicator}

    assert asked(2025, 11) == {"monthly"}
    assert asked(2025, 10) == {"monthly", None}
    assert asked(2026, 1) == {"monthly", None, "half-yearly", "yearly"}
