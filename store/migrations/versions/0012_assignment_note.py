"""A plan's assignment note: where the document names no unit per work item (the 鼓楼 draft), how the
transcription assigned them, so that answers say so instead of passing an interpretation off as the text.

Catalog data, upserted from the seeds.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.add_column(sa.Column("assignment_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.drop_column("assignment_note")
