"""application logs kept in the database (НФТ-5.1)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "log_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("component", sa.String(length=128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("exception", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_entry")),
    )
    with op.batch_alter_table("log_entry", schema=None) as batch_op:
        batch_op.create_index("ix_log_entry_component_created_at", ["component", "created_at"], unique=False)
        batch_op.create_index("ix_log_entry_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_log_entry_level_created_at", ["level", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_entry_request_id"), ["request_id"], unique=False)


def downgrade():
    with op.batch_alter_table("log_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_entry_request_id"))
        batch_op.drop_index("ix_log_entry_level_created_at")
        batch_op.drop_index("ix_log_entry_created_at_id")
        batch_op.drop_index("ix_log_entry_component_created_at")

    op.drop_table("log_entry")
