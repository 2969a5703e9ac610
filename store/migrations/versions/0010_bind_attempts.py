"""Bind attempts: every invite code sent in chat and its outcome, so guessing can be locked out.

Append-only like every ledger here. The sender index answers "this sender's recent attempts", the time index
"everyone's wrong codes in the last minute".

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bind_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_user_id", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
    )
    op.create_index("ix_bind_attempt_sender", "bind_attempt", ["platform", "platform_user_id", "at"])
    op.create_index("ix_bind_attempt_at", "bind_attempt", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER bind_attempt_append_only BEFORE UPDATE OR DELETE ON bind_attempt "
            "FOR EACH ROW EXECUTE FUNCTION duban_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER bind_attempt_no_truncate BEFORE TRUNCATE ON bind_attempt "
            "FOR EACH STATEMENT EXECUTE FUNCTION duban_refuse_change()"
        )
        return
    op.execute(  # INSERT OR REPLACE would delete the row it replaces (see migration 0009)
        "CREATE TRIGGER bind_attempt_no_replace BEFORE INSERT ON bind_attempt "
        "WHEN EXISTS (SELECT 1 FROM bind_attempt AS old WHERE old.id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'bind_attempt is append-only: a row with this key exists'); END"
    )
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER bind_attempt_no_{action.lower()} BEFORE {action} ON bind_attempt "
            "BEGIN SELECT RAISE(ABORT, 'bind_attempt is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bind_attempt_append_only ON bind_attempt")
        op.execute("DROP TRIGGER IF EXISTS bind_attempt_no_truncate ON bind_attempt")
    op.drop_index("ix_bind_attempt_at", table_name="bind_attempt")
    op.drop_index("ix_bind_attempt_sender", table_name="bind_attempt")
    op.drop_table("bind_attempt")
