"""The reminder outbox written set-based: its hot rows lose their foreign-key checks, its reminder key leads
with the day.

The sweep now plans and writes a day's reminders inside the database (store/day_plan.py). At national scale
that is 30,000 digests and 78,000 reminders in one transaction, and what remained of its time went to
per-row work the data cannot need:
- foreign-key checks on reminder_item (message, re-sent item) and reminder_message (unit, sweep): every id is
  taken, in the same transaction, from the row it names, and none of those rows can go away (the outbox
  tables refuse DELETE; units are only ever upserted; sweeps are append-only). On PostgreSQL the checks cost
  a third of the insert, on SQLite seven eighths. Notices keep theirs (member, the message they are about).
- the reminder key (unit, item, kind, day) keeps its columns but leads with the day: a sweep adds the day's
  reminders side by side at the end of the index instead of scattered through it (half the insert time on
  PostgreSQL).

SQLite cannot drop a constraint, so there both tables are rebuilt (rows, ids, indexes and append-only guards
kept); `Database.upgrade` runs migrations with SQLite's foreign-key enforcement off, as SQLite's own
procedure for such rebuilds requires, and checks every reference afterwards.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KEY, _NEW_KEY = "reminder_item_unit_id_item_kind_day_key", "uq_reminder_item_day_unit_item_kind"
_UNCHECKED = (
    ("reminder_item", "message_id", "reminder_message"),
    ("reminder_item", "resent_from_id", "reminder_item"),
    ("reminder_message", "unit_id", "unit"),
    ("reminder_message", "sweep_id", "reminder_sweep"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, _ in _UNCHECKED:
            op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")
        op.drop_constraint(_OLD_KEY, "reminder_item", type_="unique")
        op.create_unique_constraint(_NEW_KEY, "reminder_item", ["day", "unit_id", "item", "kind"])
    else:
        _rebuild_sqlite(checked=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_NEW_KEY, "reminder_item", type_="unique")
        op.create_unique_constraint(_OLD_KEY, "reminder_item", ["unit_id", "item", "kind", "day"])
        for table, column, parent in _UNCHECKED:
            op.create_foreign_key(f"{table}_{column}_fkey", table, parent, [column], ["id"])
    else:
        _rebuild_sqlite(checked=True)


def _rebuild_sqlite(*, checked: bool) -> None:
    """SQLite's procedure for changing constraints (its foreign keys are off meanwhile): create the new
    table, copy the rows with their ids, drop the old one, give the new one its name, recreate the indexes
    and the append-only guards."""
    for table, create, indexes in (
        ("reminder_message", _message_table, (("day",), ("unit_id",), ("member_id",))),
        ("reminder_item", _item_table, (("message_id",),)),
    ):
        columns = ", ".join(c["name"] for c in sa.inspect(op.get_bind()).get_columns(table))
        create(f"{table}_new", checked=checked)
        op.execute(f"INSERT INTO {table}_new ({columns}) SELECT {columns} FROM {table} ORDER BY id")
        op.drop_table(table)  # its indexes and triggers go with it
        op.rename_table(f"{table}_new", table)
        for (column,) in indexes:
            op.create_index(f"ix_{table}_{column}", table, [column])
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _ref(column: str, parent: str, *, checked: bool, nullable: bool = True) -> sa.Column[int]:
    if checked:
        return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{parent}.id"), nullable=nullable)
    return sa.Column(column, sa.Integer(), nullable=nullable)


def _message_table(name: str, *, checked: bool) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _ref("unit_id", "unit", checked=checked),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("catch_up", sa.Boolean(), nullable=False),
        sa.Column("about_message_id", sa.Integer(), sa.ForeignKey("reminder_message.id"), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        _ref("sweep_id", "reminder_sweep", checked=checked),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def _item_table(name: str, *, checked: bool) -> None:
    key = (
        sa.UniqueConstraint("unit_id", "item", "kind", "day")
        if checked
        else sa.UniqueConstraint("day", "unit_id", "item", "kind", name=_NEW_KEY)
    )
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        _ref("message_id", "reminder_message", checked=checked, nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=True),
        sa.Column("about_unit_id", sa.Integer(), nullable=True),
        _ref("resent_from_id", "reminder_item", checked=checked),
        key,
    )
