"""佐证材料 (evidence): photos and files attached to reports, append-only like every ledger.

The bytes are files under the data directory named by their sha256; this table says who sent each, when,
through which message (unique per platform: a redelivered message stores nothing new), what it is and what
it is attached to. Guarded as the audit ledgers are (migrations 0003 and 0009): UPDATE and DELETE refused by
triggers on both databases, TRUNCATE on PostgreSQL, and on SQLite a row whose key exists refused, so INSERT
OR REPLACE cannot rewrite one through any connection.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "evidence"
_INDEXED = ("sha256", "member_id", "unit_id", "pending_id", "task_event_id", "indicator_report_id")


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=120), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_user_id", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("pending_id", sa.Integer(), sa.ForeignKey("pending_write.id"), nullable=True),
        sa.Column("task_event_id", sa.Integer(), sa.ForeignKey("task_event.id"), nullable=True),
        sa.Column("indicator_report_id", sa.Integer(), sa.ForeignKey("indicator_report.id"), nullable=True),
        sa.UniqueConstraint("platform", "message_id"),
    )
    for column in _INDEXED:
        op.create_index(f"ix_{_TABLE}_{column}", _TABLE, [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {_TABLE}_append_only BEFORE UPDATE OR DELETE ON {_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION duban_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {_TABLE}_no_truncate BEFORE TRUNCATE ON {_TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION duban_refuse_change()"
        )
        return
    taken = " OR ".join(
        (
            f"EXISTS (SELECT 1 FROM {_TABLE} AS old WHERE old.id = NEW.id)",
            f"EXISTS (SELECT 1 FROM {_TABLE} AS old "
            "WHERE old.platform = NEW.platform AND old.message_id = NEW.message_id)",
        )
    )
    op.execute(
        f"CREATE TRIGGER {_TABLE}_no_replace BEFORE INSERT ON {_TABLE} WHEN {taken} "
        f"BEGIN SELECT RAISE(ABORT, '{_TABLE} is append-only: a row with this key exists'); END"
    )
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {_TABLE}_no_{action.lower()} BEFORE {action} ON {_TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{_TABLE} is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_append_only ON {_TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_truncate ON {_TABLE}")
    else:
        for name in ("no_replace", "no_update", "no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_{name}")
    for column in _INDEXED:
        op.drop_index(f"ix_{_TABLE}_{column}", table_name=_TABLE)
    op.drop_table(_TABLE)
