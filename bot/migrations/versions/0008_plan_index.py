"""the clock's index: when each cohort next needs planning, and when a student's timezone
was last read from Slack

Revision ID: 0008_plan_index
Revises: 0007_merge_heads
Create Date: 2026-12-04 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_plan_index"
down_revision = "0007_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cohort") as batch:
        batch.add_column(sa.Column("plan_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("plan_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index("ix_cohort_plan_at", ["active", "plan_at"])
    with op.batch_alter_table("student") as batch:
        batch.add_column(sa.Column("timezone_read_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.drop_column("timezone_read_at")
    with op.batch_alter_table("cohort") as batch:
        batch.drop_index("ix_cohort_plan_at")
        batch.drop_column("plan_version")
        batch.drop_column("plan_at")
