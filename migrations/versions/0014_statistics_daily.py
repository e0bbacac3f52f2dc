"""statistics: daily aggregates (ФТ-013-017)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statistics_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subscriptions_started", sa.Integer(), nullable=False),
        sa.Column("subscriptions_ended", sa.Integer(), nullable=False),
        sa.Column("subscriptions_cancelled", sa.Integer(), nullable=False),
        sa.Column("failed_charges", sa.Integer(), nullable=False),
        sa.Column("events_received", sa.Integer(), nullable=False),
        sa.Column("events_approved", sa.Integer(), nullable=False),
        sa.Column("events_rejected", sa.Integer(), nullable=False),
        sa.Column("events_closed", sa.Integer(), nullable=False),
        sa.Column("moderation_seconds", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_statistics_day")),
    )
    op.create_table(
        "statistics_donation_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("donor", sa.String(length=8), nullable=False),
        sa.Column("donations", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "donor", name=op.f("pk_statistics_donation_day")),
    )
    op.create_table(
        "statistics_message_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "template_id", "channel", "status", name=op.f("pk_statistics_message_day")
        ),
    )
    op.create_table(
        "statistics_rollup",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("changes_since", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_statistics_rollup")),
    )
    # Plain CREATE INDEX (no batch mode): SQLite need not rebuild the two big tables.
    op.create_index("ix_donation_updated_at", "donation", ["updated_at"], unique=False)
    op.create_index("ix_message_updated_at", "message", ["updated_at"], unique=False)


def downgrade():
    op.drop_index("ix_message_updated_at", table_name="message")
    op.drop_index("ix_donation_updated_at", table_name="donation")
    op.drop_table("statistics_rollup")
    op.drop_table("statistics_message_day")
    op.drop_table("statistics_donation_day")
    op.drop_table("statistics_day")
