"""Inbound events: each platform update or event seen once, so a redelivery gets no second reply or record.

Append-only like every ledger here.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "event_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER inbound_event_append_only BEFORE UPDATE OR DELETE ON inbound_event "
            "FOR EACH ROW EXECUTE FUNCTION duban_refuse_change()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER inbound_event_no_{action.lower()} BEFORE {action} ON inbound_event "
            "BEGIN SELECT RAISE(ABORT, 'inbound_event is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS inbound_event_append_only ON inbound_event")
    op.drop_table("inbound_event")
