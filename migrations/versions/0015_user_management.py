"""staff and partner accounts managed in the portal: each account's change history

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_change_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("account_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_change_user_id"))
    op.drop_table("account_change")
