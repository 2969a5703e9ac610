"""Reports waiting for confirmation, and how each ended; both append-only.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("pending_write", "pending_outcome")
_MISSED_INDEXES = (
    ("invite", "unit_id"),
    ("invite", "used_by_member_id"),
    ("member_event", "invite_id"),
    ("member_event", "member_id"),
    ("member_event", "unit_id"),
)


def upgrade() -> None:
    op.create_table(
        "pending_write",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_user_id", sa.String(length=100), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("preview", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("message_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "message_id"),
    )
    op.create_index("ix_pending_write_member_id", "pending_write", ["member_id"])
    op.create_index("ix_pending_write_sender", "pending_write", ["platform", "platform_user_id"])
    op.create_table(
        "pending_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pending_id", sa.Integer(), sa.ForeignKey("pending_write.id"), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pending_id"),
    )
    for table in _TABLES:
        _guard(table)
    # 0002 left the foreign keys of its tables unindexed, unlike the models; the drift test now checks this.
    for table, column in _MISSED_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column in _MISSED_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in _TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.drop_table("pending_outcome")
    op.drop_index("ix_pending_write_sender", table_name="pending_write")
    op.drop_index("ix_pending_write_member_id", table_name="pending_write")
    op.drop_table("pending_write")


def _guard(table: str) -> None:
    """A pending write is decided by adding an outcome row, never by editing it (0001 made the function)."""
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
