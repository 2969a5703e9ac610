"""Sender leases (one sender per platform across processes) and append-only guards SQL cannot slip past.

- `sender_lease`: a row per chat platform naming the process that sends on it until the lease expires, so two
  `duban run` instances never both pace to a platform's limit.
- PostgreSQL: every append-only ledger refuses TRUNCATE (a statement-level trigger; UPDATE and DELETE were
  refused row by row already). The bot itself is meant to run as a role that owns nothing (README's
  deployment section), which can neither truncate nor disable triggers.
- SQLite: `INSERT OR REPLACE` deletes the row it replaces without firing DELETE triggers unless the
  connection turns recursive triggers on. duban's connections do (store/db.py); for the audit ledgers —
  what people reported, decided and were told — a BEFORE INSERT trigger also refuses a row whose key is
  already there, so a REPLACE through any connection fails instead of rewriting history. The high-volume
  outbox tables (written by the tens of thousands in a sweep, with ON CONFLICT DO NOTHING) rely on the
  connection setting only.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "indicator_report",
    "task_event",
    "member_event",
    "pending_write",
    "pending_outcome",
    "unit_chat",
    "calendar_override",
    "reminder_sweep",
    "reminder_message",
    "reminder_item",
    "delivery_event",
    "inbound_event",
)
# table -> the column sets that identify a row (its primary key and unique constraints)
AUDIT_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "indicator_report": (("id",), ("platform", "message_id")),
    "task_event": (("id",), ("platform", "message_id")),
    "member_event": (("id",),),
    "pending_write": (("id",), ("platform", "message_id")),
    "pending_outcome": (("id",), ("pending_id",)),
    "unit_chat": (("id",),),
    "calendar_override": (("id",),),
    "reminder_sweep": (("id",),),
}


def upgrade() -> None:
    op.create_table(
        "sender_lease",
        sa.Column("platform", sa.String(length=20), primary_key=True),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION duban_refuse_change()"
            )
        return
    for table, keys in AUDIT_KEYS.items():
        taken = " OR ".join(_exists(table, columns) for columns in keys)
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key exists'); END"
        )


def _exists(table: str, columns: tuple[str, ...]) -> str:
    matches = " AND ".join(f"old.{c} = NEW.{c}" for c in columns)
    return f"EXISTS (SELECT 1 FROM {table} AS old WHERE {matches})"


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        for table in AUDIT_KEYS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    op.drop_table("sender_lease")
