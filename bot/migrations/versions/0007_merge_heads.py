"""one line of migrations again after the branches of 0004 (installations) and 0005 (instructor
actions)

Revision ID: 0007_merge_heads
Revises: 0004_installations, 0005_instructor_actions
Create Date: 2026-12-01 22:40:00
"""

revision = "0007_merge_heads"
down_revision = ("0004_installations", "0005_instructor_actions")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
