"""student side: when a scheduled chat takes place, and chats kept for an undo

Revision ID: 0006_student_side
Revises: 0002_handins
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_student_side"
down_revision = "0002_handins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outreach") as batch:
        batch.add_column(sa.Column("scheduled_for", sa.DateTime(), nullable=True))
    op.create_table(
        "removed_chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("takeaways", sa.Text(), nullable=True),
        sa.Column("thank_you_sent_at", sa.DateTime(), nullable=True),
        sa.Column("chat_created_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_removed_chat_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_chat")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_removed_chat_contact_id")),
    )


def downgrade() -> None:
    op.drop_table("removed_chat")
    with op.batch_alter_table("outreach") as batch:
        batch.drop_column("scheduled_for")
