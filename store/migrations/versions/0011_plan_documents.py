"""Plan documents: each plan's text by section (plan_passage), its short names and schedule, and the
indicators' everyday names — data with the plan rather than words in the parser.

Catalog data, upserted from the seeds like the other catalog tables (not a ledger).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.add_column(sa.Column("short_names", sa.Text(), nullable=False, server_default="[]"))
        plan.add_column(sa.Column("schedule", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("indicator") as indicator:
        indicator.add_column(sa.Column("aliases", sa.Text(), nullable=False, server_default="[]"))
    op.create_table(
        "plan_passage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=60), nullable=False),
        sa.Column("heading", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.UniqueConstraint("plan_id", "seq"),
    )
    op.create_index("ix_plan_passage_plan_id", "plan_passage", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_passage_plan_id", table_name="plan_passage")
    op.drop_table("plan_passage")
    with op.batch_alter_table("indicator") as indicator:
        indicator.drop_column("aliases")
    with op.batch_alter_table("plan") as plan:
        plan.drop_column("schedule")
        plan.drop_column("short_names")
