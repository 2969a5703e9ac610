"""Digests are found by their key, not by an index on their unit.

A national-scale sweep adds 30,000 digests at once; every index whose entries land at random places in a
large tree costs a page write each (and after a checkpoint a full page image in the log). The unit index was
one; the other, the digest key, now leads with the day (digest:<day>:unit:<id>) so a day's digests go side by
side at its end. A unit's recent digests are found by their keys (store/outbox.py), which the unique key
index answers; older rows keep the key they were written with (digest:unit:<id>:<day>) and are looked up by
both.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_reminder_message_unit_id", table_name="reminder_message")


def downgrade() -> None:
    op.create_index("ix_reminder_message_unit_id", "reminder_message", ["unit_id"])
