"""办结审核: one verdict per completion report, enforced by the database.

Two admins deciding the same 审核号 at the same moment each passed the application's check and each appended a
verdict (found by an adversarial run); a partial unique index on the report a verdict refers to lets exactly
one of them in, on SQLite and on PostgreSQL alike, whatever the client.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_task_event_one_verdict"
_VERDICTS = sa.text("kind IN ('completion_approved', 'completion_returned')")


def upgrade() -> None:
    op.create_index(
        _INDEX,
        "task_event",
        ["refers_to_id"],
        unique=True,
        sqlite_where=_VERDICTS,
        postgresql_where=_VERDICTS,
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="task_event")
