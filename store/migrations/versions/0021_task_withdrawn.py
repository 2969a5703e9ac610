"""A task or indicator a revised plan no longer holds is withdrawn: kept with its history, no longer chased
or listed.

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("task", "indicator"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in ("task", "indicator"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("withdrawn")
