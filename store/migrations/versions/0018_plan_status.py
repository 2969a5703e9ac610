"""A plan's status set by its office: archived (no more chasers, one closing request) or back in force.

Draft, in force and expired follow from the validity dates; archiving is an admin's decision, so it is a
ledger row (who, when, from which day, why), append-only and guarded like every ledger (migration 0016):
UPDATE and DELETE refused by triggers on both databases, TRUNCATE on PostgreSQL, and on SQLite a row whose
key exists refused. The newest row per plan is in force.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "plan_status_event"


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('archived', 'in_force')", name="ck_plan_status_event_status"),
    )
    op.create_index(f"ix_{_TABLE}_plan_id", _TABLE, ["plan_id"])
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
    op.execute(
        f"CREATE TRIGGER {_TABLE}_no_replace BEFORE INSERT ON {_TABLE} "
        f"WHEN EXISTS (SELECT 1 FROM {_TABLE} AS old WHERE old.id = NEW.id) "
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
    op.drop_index(f"ix_{_TABLE}_plan_id", table_name=_TABLE)
    op.drop_table(_TABLE)
