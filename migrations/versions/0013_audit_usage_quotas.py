"""seed 002: audit of actions, usage per day, partner quotas

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=256), nullable=True),
        sa.Column("company", sa.String(length=256), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("process_type", sa.String(length=16), nullable=False),
        sa.Column("operation", sa.String(length=256), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("request_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("request_points", sa.Integer(), nullable=False),
        sa.Column("replayed", sa.Boolean(), nullable=False),
        sa.Column("message", sa.String(length=512), nullable=True),
        sa.Column("pod", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_action")),
    )
    with op.batch_alter_table("audit_action", schema=None) as batch_op:
        batch_op.create_index("ix_audit_action_day", ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_action_time"), ["time"], unique=False)
        batch_op.create_index("ix_audit_action_user_day", ["user_id", "day"], unique=False)

    op.create_table(
        "usage_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("process_type", sa.String(length=16), nullable=False),
        sa.Column("processes", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("unique_points", sa.Integer(), nullable=False),
        sa.Column("elements", sa.Integer(), nullable=False),
        sa.Column("rolled_up_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_day")),
        sa.UniqueConstraint("user_id", "day", "service", "process_type", name=op.f("uq_usage_day_user_id")),
    )
    op.create_table(
        "quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("process_type", sa.String(length=16), nullable=False),
        sa.Column("points_per_request", sa.Integer(), nullable=False),
        sa.Column("points_per_day", sa.Integer(), nullable=False),
        sa.Column("max_concurrent_execution", sa.Integer(), nullable=False),
        sa.Column("edited_by", sa.String(length=256), nullable=True),
        sa.Column("edit_date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_quota_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota")),
        sa.UniqueConstraint("user_id", "service", "process_type", name=op.f("uq_quota_user_id")),
    )


def downgrade():
    op.drop_table("quota")
    op.drop_table("usage_day")
    with op.batch_alter_table("audit_action", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_action_user_day")
        batch_op.drop_index(batch_op.f("ix_audit_action_time"))
        batch_op.drop_index("ix_audit_action_day")
    op.drop_table("audit_action")
