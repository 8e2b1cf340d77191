"""usage for cost estimates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:20:27.137305
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("content_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("usage", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("content_requests", schema=None) as batch_op:
        batch_op.drop_column("usage")
