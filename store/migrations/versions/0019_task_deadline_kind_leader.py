"""Imported plans: a task's deadline as the document words it and its kind, its 责任领导, and how many of its
units lead (牵头) before the cooperating ones (配合). The catalog's changes to a task (deadline, units,
leader) are recorded in catalog_event, append-only: a revised plan never overwrites silently.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "catalog_event"


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("deadline_text", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("deadline_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("leader", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("lead_units", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_code", sa.String(length=100), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index(f"ix_{_TABLE}_plan_code", _TABLE, ["plan_code"])
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
    op.drop_index(f"ix_{_TABLE}_plan_code", table_name=_TABLE)
    op.drop_table(_TABLE)
    with op.batch_alter_table("task") as batch:
        for column in ("lead_units", "leader", "deadline_kind", "deadline_text"):
            batch.drop_column(column)
