"""Members can be removed (kept for attribution), an append-only member log, one-time invite codes.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by_member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "member_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("invite_id", sa.Integer(), sa.ForeignKey("invite.id"), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    _guard_member_event()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS member_event_append_only ON member_event")
    op.drop_table("member_event")
    op.drop_table("invite")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("removed_at")


def _guard_member_event() -> None:
    """The member log is a ledger like the reports (0001 created duban_refuse_change on PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER member_event_append_only BEFORE UPDATE OR DELETE ON member_event "
            "FOR EACH ROW EXECUTE FUNCTION duban_refuse_change()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER member_event_no_{action.lower()} BEFORE {action} ON member_event "
            "BEGIN SELECT RAISE(ABORT, 'member_event is append-only'); END"
        )
