"""one line of migrations again after the branches of 0004 (installations), 0005 (instructor
actions) and 0006 (the student's side)

Revision ID: 0007_merge_heads
Revises: 0004_installations, 0005_instructor_actions, 0006_student_side
Create Date: 2026-12-01 22:40:00
"""

revision = "0007_merge_heads"
down_revision = ("0004_installations", "0005_instructor_actions", "0006_student_side")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
