"""A plan's validity note: where the document states no 有效期 and the transcription takes the dates from
elsewhere (the 示范区 plan's 进度安排), how, so that answers say so instead of passing an inference off as
the text.

Catalog data, upserted from the seeds.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.add_column(sa.Column("validity_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.drop_column("validity_note")
