"""Reminders: the outbox (sweeps, messages, items, delivery events), unit reminder chats, calendar overrides,
per-plan reminder settings and an index on task deadlines; all new tables append-only.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "unit_chat",
    "calendar_override",
    "reminder_sweep",
    "reminder_message",
    "reminder_item",
    "delivery_event",
)


def _fk(name: str, target: str, *, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    op.add_column("plan", sa.Column("reminder_policy", sa.Text(), nullable=True))
    op.create_index("ix_task_deadline", "task", ["deadline"])
    op.create_table(
        "unit_chat",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("unit_id", "unit.id", nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        _fk("member_id", "member.id"),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
    )
    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "reminder_sweep",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("covered_from", sa.Date(), nullable=False),
        sa.Column("covered_to", sa.Date(), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
    )
    op.create_table(
        "reminder_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _fk("unit_id", "unit.id"),
        _fk("member_id", "member.id"),
        sa.Column("catch_up", sa.Boolean(), nullable=False),
        _fk("about_message_id", "reminder_message.id"),
        sa.Column("body", sa.Text(), nullable=True),
        _fk("sweep_id", "reminder_sweep.id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "reminder_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("message_id", "reminder_message.id", nullable=False),
        _fk("unit_id", "unit.id"),
        sa.Column("item", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _fk("plan_id", "plan.id", nullable=False),
        _fk("task_id", "task.id"),
        _fk("indicator_id", "indicator.id"),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=True),
        _fk("about_unit_id", "unit.id"),
        _fk("resent_from_id", "reminder_item.id"),
        sa.UniqueConstraint("unit_id", "item", "kind", "day"),
    )
    op.create_table(
        "delivery_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("message_id", "reminder_message.id", nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("target", sa.String(length=140), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("platform_message_id", sa.String(length=100), nullable=True),
        _fk("member_id", "member.id"),
        sa.Column("inbound_message_id", sa.String(length=100), nullable=True),
        sa.UniqueConstraint("message_id", "seq"),
    )
    for table, columns in _INDEXES:
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column])
    for table in _TABLES:
        _guard(table)


_INDEXES = (
    ("unit_chat", ("unit_id", "member_id")),
    ("calendar_override", ("day",)),
    ("reminder_sweep", ("covered_to",)),
    ("reminder_message", ("day", "unit_id", "member_id", "about_message_id", "sweep_id")),
    (
        "reminder_item",
        ("message_id", "unit_id", "plan_id", "task_id", "indicator_id", "about_unit_id", "resent_from_id"),
    ),
    ("delivery_event", ("message_id", "member_id")),
)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in reversed(_TABLES):
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.drop_table(table)
    op.drop_index("ix_task_deadline", table_name="task")
    op.drop_column("plan", "reminder_policy")


def _guard(table: str) -> None:
    """The outbox is append-only too: a delivery is told by adding events, never by editing a row."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION duban_refuse_change()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
