"""A leaner reminder outbox for national-scale sweeps: fewer indexes and foreign keys on its busiest table.

A national-scale sweep writes tens of thousands of reminder items a day and pays for every index and every
foreign-key check on each of them (on PostgreSQL the seven checks took three quarters of the insert).
- Indexes no query uses are dropped: items are looked up by message only (their unique key already leads
  with the unit); messages are never looked up by sweep or by the message a notice is about.
- reminder_item keeps its foreign keys to reminder_message and to itself. Its unit, plan, task, indicator
  and late-unit ids lose theirs: they are copied from rows the same sweep has just read, the unit is the
  message's (checked there), and the catalog never deletes a unit, plan, task or indicator (it upserts).

SQLite cannot drop a foreign key, so there the table is rebuilt, rows, indexes and guards included.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED_INDEXES = (
    ("reminder_message", ("about_message_id", "sweep_id")),
    ("reminder_item", ("unit_id", "plan_id", "task_id", "indicator_id", "about_unit_id", "resent_from_id")),
)
_UNCHECKED = ("unit_id", "plan_id", "task_id", "indicator_id", "about_unit_id")
_PARENTS = {
    "unit_id": "unit.id",
    "plan_id": "plan.id",
    "task_id": "task.id",
    "indicator_id": "indicator.id",
    "about_unit_id": "unit.id",
}


def upgrade() -> None:
    for table, columns in _DROPPED_INDEXES:
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        for column in _UNCHECKED:
            op.drop_constraint(f"reminder_item_{column}_fkey", "reminder_item", type_="foreignkey")
    else:
        _rebuild_sqlite_items(checked=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in _UNCHECKED:
            op.create_foreign_key(
                f"reminder_item_{column}_fkey",
                "reminder_item",
                _PARENTS[column].split(".")[0],
                [column],
                ["id"],
            )
    else:
        _rebuild_sqlite_items(checked=True)
    for table, columns in _DROPPED_INDEXES:
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column])


def _items_table(name: str, *, checked: bool) -> None:
    def ref(column: str, *, nullable: bool = True) -> sa.Column[int]:
        if checked:
            return sa.Column(column, sa.Integer(), sa.ForeignKey(_PARENTS[column]), nullable=nullable)
        return sa.Column(column, sa.Integer(), nullable=nullable)

    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("reminder_message.id"), nullable=False),
        ref("unit_id"),
        sa.Column("item", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        ref("plan_id", nullable=False),
        ref("task_id"),
        ref("indicator_id"),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=True),
        ref("about_unit_id"),
        sa.Column("resent_from_id", sa.Integer(), sa.ForeignKey("reminder_item.id"), nullable=True),
        sa.UniqueConstraint("unit_id", "item", "kind", "day"),
    )


def _rebuild_sqlite_items(*, checked: bool) -> None:
    """Move reminder_item aside, create it anew with the wanted foreign keys and copy the rows, ids kept.

    Renaming first (rather than copying into a new table and swapping names) keeps the foreign keys valid
    at every step: the old rows' self-references follow the renamed table, the copies point at the new one,
    and each re-send is copied after the item it repeats, so the checks pass row by row."""
    columns = (
        "id, message_id, unit_id, item, kind, day, plan_id, task_id, indicator_id, deadline, workdays, "
        "about_unit_id, resent_from_id"
    )
    op.execute("DROP TRIGGER IF EXISTS reminder_item_no_update")
    op.execute("DROP TRIGGER IF EXISTS reminder_item_no_delete")
    op.drop_index("ix_reminder_item_message_id", table_name="reminder_item")
    op.rename_table("reminder_item", "reminder_item_before_0005")
    _items_table("reminder_item", checked=checked)
    op.execute(
        f"INSERT INTO reminder_item ({columns}) SELECT {columns} FROM reminder_item_before_0005 ORDER BY id"
    )
    op.drop_table("reminder_item_before_0005")
    op.create_index("ix_reminder_item_message_id", "reminder_item", ["message_id"])
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER reminder_item_no_{action.lower()} BEFORE {action} ON reminder_item "
            "BEGIN SELECT RAISE(ABORT, 'reminder_item is append-only'); END"
        )
