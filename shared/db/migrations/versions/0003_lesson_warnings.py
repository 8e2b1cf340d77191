"""lesson warnings and reading level, shown to users

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00.000000

Additive: both columns are nullable, so code from before this revision runs on the new schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("content_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reading_grade", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("content_requests", schema=None) as batch_op:
        batch_op.drop_column("reading_grade")
        batch_op.drop_column("warnings")
