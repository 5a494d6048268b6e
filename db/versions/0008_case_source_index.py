"""case source index

Revision ID: 0008
Revises: 0007

The case list sorts by source in SQL; without an index, showing the last page of 200,000 cases sorted
by source took about 0.45 s (a full scan and sort per page). With it the list pages like the other
sorted columns (docs/decisions/gui-case-list-paging.md).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_source", ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index("ix_case_source")
