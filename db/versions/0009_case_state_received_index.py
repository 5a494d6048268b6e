"""case state and received index

Revision ID: 0009
Revises: 0008

The case list filtered by state and sorted by 受理日期 (its default) sorted every matching row for each
page: 已归档 (108,799 of 200,000 demo cases) took ~90 ms for its first page and ~190 ms for its last.
With (state, received_at) the rows of one state come in order from the index (0–10 ms); several
states (办理中) still merge, which the list pages from the nearer end (docs/decisions/gui-case-list-paging.md).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_state_received_at", ["state", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index("ix_case_state_received_at")
