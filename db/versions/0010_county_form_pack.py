"""county form pack

Revision ID: 0010
Revises: 0009

The county's form pack (县级文书格式包): one row per TOML file the county sets, carried whole in its
bundles to each township (brigade_desk/core/model/form_pack.py, docs/decisions/forms-county-pack.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brigade_desk.core.model.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "county_form_file",
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", brigade_desk.core.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("file_name", name=op.f("pk_county_form_file")),
    )


def downgrade() -> None:
    op.drop_table("county_form_file")
