"""A sweep's day into the outbox: one transaction plans the reminders inside the database
(store/due_items.py) and adds one digest per unit with the reminders in it.

Nothing is added twice. The reminder key (day, unit, item, kind) and the digest key (unit, day) are unique,
and a later sweep of the day first drops what is already there. On PostgreSQL sweeps take an advisory lock in
turn, so two instances never add the same rows; the plain INSERTs that this allows cost half of what
ON CONFLICT's speculative insertion did. SQLite serialises writers and keeps ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Insert,
    Integer,
    Select,
    String,
    Table,
    cast,
    exists,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects import sqlite

from store.db import Database
from store.delivery_events import DIGEST, digest_key_prefix
from store.due_items import DueRule, carried_away, forget_known, plan_reminders, plan_resends
from store.models import (
    DeliveryEvent,
    Indicator,
    Plan,
    ReminderItem,
    ReminderMessage,
    ReminderSweep,
    Task,
    Unit,
)
from store.sweep_scratch import (
    DELAYS,
    DIGESTS,
    PLANNED,
    PLANNED_COLUMNS,
    RECIPIENTS,
    RESENDS,
    RULES,
    TASKS,
    scratch,
)

SWEEP_LOCK = 0x64756261  # "duba": the advisory lock key PostgreSQL sweeps take in turn
ITEM_COLUMNS = [name for name in PLANNED_COLUMNS if name != "escalate"]


@dataclass(frozen=True)
class DaySweep:
    """What a sweep writes: its own record, the day's rules, and the day whose unread digests to re-send."""

    day: date
    covered_from: date
    instance: str
    at: datetime
    rules: Sequence[DueRule]
    own_policy_plans: Collection[str]  # plan codes whose rules name them; every other plan takes plan=None
    resend_from: date | None  # the previous working day, on the day's first sweep; None otherwise
    carry_from: date | None = None  # on the day's first sweep: unsent digests since then go into today's


@dataclass(frozen=True)
class DayWritten:
    sweep_id: int
    units: int  # digests planned (one per unit with something today)
    planned: int  # reminders planned, re-sends included
    resent: int
    messages: int  # created by this sweep
    items: int


_message: Table = ReminderMessage.__table__  # type: ignore[attr-defined]
_item: Table = ReminderItem.__table__  # type: ignore[attr-defined]
_delivery: Table = DeliveryEvent.__table__  # type: ignore[attr-defined]
_sweep: Table = ReminderSweep.__table__  # type: ignore[attr-defined]


def write_day(db: Database, day: DaySweep) -> DayWritten:
    """Plan the day's reminders in the database and add the digests and items not already there."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One sweep at a time: a second waits here, then finds the day swept and adds nothing. The sorts
            # and hashes over a day's reminders fit in memory instead of spilling to disk.
            connection.execute(select(func.pg_advisory_xact_lock(SWEEP_LOCK)))
            connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        with scratch(connection, (RULES, DELAYS, TASKS, RECIPIENTS, PLANNED, RESENDS, DIGESTS)):
            return _write(connection, day)


def _write(connection: Connection, day: DaySweep) -> DayWritten:
    plan_reminders(connection, day.rules, day.own_policy_plans)
    resent = (
        plan_resends(connection, day.resend_from, day.day, carry_since=day.carry_from, now=day.at)
        if day.resend_from is not None
        else 0
    )
    units, planned = connection.execute(
        select(func.count(func.distinct(PLANNED.c.unit_id)), func.count()).select_from(PLANNED)
    ).one()
    # A sweep whose days no earlier sweep covered (the day's first, the lock held) finds no digest or
    # reminder of them in the outbox and skips looking; later sweeps of the day (every scheduler run) and
    # sweeps run for a past day leave out what is there.
    fresh = not _covered_since(connection, day.covered_from)
    if not fresh:
        _note_digests(connection, day.day, sweep_id=None)
        forget_known(connection, day.covered_from)
    sweep_id = _insert_sweep(connection, day, int(units), int(planned))
    messages = _add_digests(connection, day, sweep_id, fresh=fresh)
    _note_digests(connection, day.day, sweep_id=sweep_id)
    items = _add_items(connection)
    if day.resend_from is not None and day.carry_from is not None:
        carried_away(connection, day.carry_from, day.day, day.at, day.instance)
    return DayWritten(sweep_id, int(units), int(planned), resent, messages, items)


def _covered_since(connection: Connection, first: date) -> bool:
    """Whether an earlier sweep covered first or a later day."""
    return connection.execute(select(exists().where(_sweep.c.covered_to >= first))).scalar() is True


def _insert_sweep(connection: Connection, day: DaySweep, units: int, planned: int) -> int:
    result = connection.execute(
        _sweep.insert().values(
            day=day.day,
            covered_from=day.covered_from,
            covered_to=day.day,
            instance=day.instance,
            started_at=day.at,
            messages=units,
            items=planned,
        )
    )
    return int((result.inserted_primary_key or (0,))[0])


def digest_key(unit_id: Any, day: date) -> Any:
    """The digest message's unique key, for a unit id column."""
    return literal(digest_key_prefix(day)) + cast(unit_id, String)


def _add_digests(connection: Connection, day: DaySweep, sweep_id: int, *, fresh: bool) -> int:
    """One digest per unit with something today (catch_up when any of its reminders is a missed day's),
    unless the unit has one already. Returns how many digests were new."""
    unit = PLANNED.c.unit_id
    rows = select(
        digest_key(unit, day.day),
        literal(day.day, Date),
        literal(DIGEST, String),
        unit,
        func.min(PLANNED.c.day) < literal(day.day, Date),
        literal(sweep_id, Integer),
        literal(day.at, _message.c.created_at.type),
    ).where(true())  # SQLite reads INSERT … SELECT … ON CONFLICT unambiguously only after a WHERE
    if not fresh:
        rows = rows.where(unit.not_in(select(DIGESTS.c.unit_id)))
    columns = ["key", "day", "kind", "unit_id", "catch_up", "sweep_id", "created_at"]
    statement = _new_rows(connection, _message, columns, rows.group_by(unit), ["key"])
    return int(connection.execute(statement).rowcount)


def _note_digests(connection: Connection, today: date, *, sweep_id: int | None) -> None:
    """Note today's digests in DIGESTS: those an earlier sweep made (sweep_id None), with whether their
    delivery began, or those this sweep just made. Found by the day's index, never by scanning the outbox's
    history."""
    digests = select(_message.c.unit_id, _message.c.id).where(
        _message.c.day == today, _message.c.kind == DIGEST
    )
    if sweep_id is None:
        started = _delivery.alias("started")
        rows = digests.add_columns(exists().where(started.c.message_id == _message.c.id))
    else:
        rows = digests.add_columns(false()).where(_message.c.sweep_id == sweep_id)
    connection.execute(DIGESTS.insert().from_select(["unit_id", "message_id", "started"], rows))


def _add_items(connection: Connection) -> int:
    """The planned reminders into their unit's digest, unless its delivery has begun."""
    rows = (
        select(DIGESTS.c.message_id, *(PLANNED.c[name] for name in ITEM_COLUMNS))
        .select_from(PLANNED)
        .join(DIGESTS, DIGESTS.c.unit_id == PLANNED.c.unit_id)
        .where(DIGESTS.c.started.is_(False))
    )
    columns = ["message_id", *ITEM_COLUMNS]
    statement = _new_rows(connection, _item, columns, rows, ["day", "unit_id", "item", "kind"])
    return int(connection.execute(statement).rowcount)


def _new_rows(
    connection: Connection, table: Table, columns: list[str], rows: Select[Any], keys: list[str]
) -> Insert:
    """INSERT … SELECT of rows whose unique key is not there yet (the caller left them out).

    On PostgreSQL the sweep holds the advisory lock, so nobody else adds the same keys meanwhile and a plain
    INSERT suffices; should a key appear all the same, the unique constraint aborts the sweep and the next
    run repeats it. SQLite serialises writers but may let a second one read first: ON CONFLICT stays."""
    if connection.dialect.name == "postgresql":
        statement: Insert = table.insert().from_select(columns, rows)
    else:
        statement = (
            sqlite.insert(table).from_select(columns, rows).on_conflict_do_nothing(index_elements=keys)
        )
    return statement.execution_options(preserve_rowcount=True)  # else INSERT … SELECT reports -1


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder a sweep would plan, by name (the dry run's view of it)."""

    unit: str
    kind: str
    plan: str
    task: int | None
    indicator: str | None
    deadline: date | None
    workdays: int | None
    about_unit: str | None
    task_title: str | None = None  # the task's words, for the reminder's line (read with it, not after)
    task_content: str | None = None
    task_leader: str | None = None  # 责任领导, named to the supervising office in its escalations


def plan_without_writing(
    db: Database, rules: Sequence[DueRule], own_policy_plans: Collection[str]
) -> list[PlannedReminder]:
    """What a sweep with these rules plans, by the sweep's own statements, in a transaction that is rolled
    back: the dry run (`duban reminders --from --to`) costs what a sweep costs and says exactly what a sweep
    would send. Re-sends of unacknowledged digests are left out (a dry run sends nothing to acknowledge)."""
    with db.engine.connect() as connection:
        transaction = connection.begin()
        try:
            with scratch(connection, (RULES, DELAYS, TASKS, RECIPIENTS, PLANNED)):
                plan_reminders(connection, rules, own_policy_plans)
                return [PlannedReminder(*row) for row in connection.execute(_planned_by_name())]
        finally:
            transaction.rollback()


def _planned_by_name() -> Select[Any]:
    unit, about = Unit.__table__.alias("unit"), Unit.__table__.alias("about")  # type: ignore[attr-defined]
    plan, task = Plan.__table__, Task.__table__  # type: ignore[attr-defined]
    indicator = Indicator.__table__  # type: ignore[attr-defined]
    return (
        select(
            unit.c.name, PLANNED.c.kind, plan.c.code, task.c.number, indicator.c.code,
            PLANNED.c.deadline, PLANNED.c.workdays, about.c.name, task.c.title, task.c.content,
            task.c.leader,
        )
        .select_from(PLANNED)
        .join(unit, unit.c.id == PLANNED.c.unit_id)
        .join(plan, plan.c.id == PLANNED.c.plan_id)
        .outerjoin(task, task.c.id == PLANNED.c.task_id)
        .outerjoin(indicator, indicator.c.id == PLANNED.c.indicator_id)
        .outerjoin(about, about.c.id == PLANNED.c.about_unit_id)
    )  # fmt: skip
