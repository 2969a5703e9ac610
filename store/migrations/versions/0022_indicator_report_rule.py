"""How often an indicator's figure is reported (按月报送): its data is asked for after each such period.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("report_rule", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("report_rule")
