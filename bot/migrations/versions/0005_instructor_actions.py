"""instructors act on the digest: excused students, a record of every action, hand-in links

Revision ID: 0005_instructor_actions
Revises: 0002_handins
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_instructor_actions"
down_revision = "0002_handins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment") as batch:
        batch.add_column(sa.Column("excused_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("excused_by", sa.String(length=32), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("post_link", sa.String(length=300), nullable=True))
    op.create_table(
        "instructor_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("by_user", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_instructor_action_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["student.id"],
            name=op.f("fk_instructor_action_student_id_student"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructor_action")),
    )
    with op.batch_alter_table("instructor_action") as batch:
        batch.create_index("ix_instructor_action_cohort", ["cohort_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("instructor_action") as batch:
        batch.drop_index("ix_instructor_action_cohort")
    op.drop_table("instructor_action")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("post_link")
    with op.batch_alter_table("enrollment") as batch:
        batch.drop_column("excused_by")
        batch.drop_column("excused_at")
