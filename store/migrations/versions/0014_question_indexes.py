"""Indexes for answering questions at national scale, derived from the catalog and the ledger:

- task_state: each task's standing (done, when, the deadline in force), kept in step with task_event, so
  that 逾期/未完成/已完成 lists over 150,000 tasks are one indexed query (rows are filled at start-up by
  `fill_missing_task_states` and refreshed with every task event);
- name_term, name_core, name_mask: the catalog's names as the parser matches them, looked up by the
  question's own characters instead of a tokenizer dictionary of every name in memory;
- wording, task_wording, wording_pair, wording_pair_count: task wording by character pairs, for questions
  that quote a task;
- index_version: the catalog version the name index was built from (rebuilt by `duban init`).

Revision ID: 0014
Revises: 0012 (no 0013 exists: the number was held for a branch that needed no migration)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"  # no 0013: held for a branch that needed none
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_state",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("ongoing", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    for name, columns in (
        ("open", ["done", "deadline", "plan_id", "number"]),
        ("by_plan", ["done", "plan_id", "deadline"]),
        ("deadline", ["deadline", "plan_id", "number"]),
        ("plan", ["plan_id", "number"]),
        ("featured", ["featured", "plan_id", "number"]),
        ("ongoing", ["ongoing", "plan_id", "number"]),
    ):
        op.create_index(f"ix_task_state_{name}", "task_state", columns)
    op.create_index("ix_indicator_region", "indicator", ["region"])
    op.create_table(
        "name_term",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("head", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
    )
    op.create_index("ix_name_term_head", "name_term", ["head"])
    op.create_table(
        "name_core",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("core", sa.Text(), nullable=False),
        sa.Column("head", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
    )
    op.create_index("ix_name_core_head", "name_core", ["head"])
    op.create_table(
        "name_mask",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("mask", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
    )
    op.create_index("ix_name_mask_mask", "name_mask", ["mask"])
    op.create_table(
        "wording",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "task_wording",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("wording_id", sa.Integer(), sa.ForeignKey("wording.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_index("ix_task_wording_wording_seq", "task_wording", ["wording_id", "seq"])
    op.create_table(
        "wording_pair",
        sa.Column("pair", sa.String(length=8), primary_key=True),
        sa.Column("wording_id", sa.Integer(), sa.ForeignKey("wording.id"), primary_key=True),
    )
    op.create_table(
        "wording_pair_count",
        sa.Column("pair", sa.String(length=8), primary_key=True),
        sa.Column("wordings", sa.Integer(), nullable=False),
    )
    op.create_table(
        "index_version",
        sa.Column("name", sa.String(length=20), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_indicator_region", table_name="indicator")
    for table in ("index_version", "wording_pair_count", "wording_pair", "task_wording", "wording",
                  "name_mask", "name_core", "name_term", "task_state"):  # fmt: skip
        op.drop_table(table)
