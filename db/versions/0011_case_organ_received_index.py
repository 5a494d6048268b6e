"""case organ and received index

Revision ID: 0011
Revises: 0010

A county holds every township's cases: the township's case list (`county cases AREA`, the 县级总览
page) filters by the owning organ and pages by 受理日期. Without an index every page scanned all the
county's cases; with (organ_id, received_at) a page is read in order from the index.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_organ_received_at", ["organ_id", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index("ix_case_organ_received_at")
