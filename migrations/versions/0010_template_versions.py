"""letter templates: every save a version with its author (ФТ-018); resending failed letters (ФТ-019)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:00:00

Columns are added natively, not by rebuilding `message` or `message_template` in SQLite's
batch mode: a rebuild drops the table, and with foreign keys on that cascades to
`message_event`. On SQLite the new self-reference of `message` is therefore a plain column.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SAMPLES = {
    "user_name": "Анна",
    "registration_date": "30.11.2026",
    "donor_amount": "500 ₽",
    "event_name": "День рождения Анны",
    "is_first_donation": True,
    "failure_reason": "Недостаточно средств на карте",
    "retry_link": "https://mayak.example/pay/retry",
    "recurrent_amount": "300 ₽",
    "frequency": "ежемесячно",
    "manage_link": "https://mayak.example/donor/manage",
    "next_charge_date": "30 декабря 2026",
    "charge_number": 3,
    "yearly_stats": "12 пожертвований на сумму 3 600 ₽",
    "year_total": "3 600 ₽",
    "year_charges": 12,
    "next_retry_date": "1 декабря 2026",
    "attempt_number": 1,
    "cancellation_date": "30 ноября 2026",
    "reactivate_link": "https://mayak.example/donor/reactivate",
    "total_donated": "3 600 ₽",
    "event_id": "1040",
    "event_url": "https://mayak.example/events/1040",
    "rejection_reason": "Не хватает описания сбора",
    "birth_date": "5 декабря",
    "total_amount": "25 000 ₽",
}


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "message_template", sa.Column("sample_values", sa.JSON(), nullable=False, server_default="{}")
    )
    op.add_column(
        "message_template",
        sa.Column(
            "updated_by_id", sa.Integer(), sa.ForeignKey("app_user.id") if postgres else None, nullable=True
        ),
    )
    op.add_column("message", sa.Column("resent_at", sa.DateTime(), nullable=True))
    op.add_column(
        "message",
        sa.Column(
            "resent_from_id", sa.Integer(), sa.ForeignKey("message.id") if postgres else None, nullable=True
        ),
    )
    op.create_index("ix_message_resent_from_id", "message", ["resent_from_id"])

    versions = op.create_table(
        "message_template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("sample_values", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_message_template_version_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_template.id"],
            name=op.f("fk_message_template_version_template_id_message_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template_version")),
        sa.UniqueConstraint("template_id", "version", name=op.f("uq_message_template_version_template_id")),
    )
    op.create_table(
        "resend_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("filter", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("resent", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_resend_run_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resend_run")),
    )
    op.create_table(
        "resend_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("refusal", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_resend_item_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["resend_run.id"], name=op.f("fk_resend_item_run_id_resend_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resend_item")),
    )
    op.create_index("ix_resend_item_original_id", "resend_item", ["original_id"])
    op.create_index("ix_resend_item_run_id", "resend_item", ["run_id"])

    # Every template's current text becomes its first recorded version, with example values.
    templates = sa.table(
        "message_template",
        sa.column("id", sa.Integer()),
        sa.column("version", sa.Integer()),
        sa.column("subject", sa.String()),
        sa.column("body_html", sa.Text()),
        sa.column("body_text", sa.Text()),
        sa.column("variables", sa.JSON()),
        sa.column("sample_values", sa.JSON()),
        sa.column("updated_at", sa.DateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(templates)).mappings().all()
    for row in rows:
        samples = {name: SAMPLES[name] for name in row["variables"] if name in SAMPLES}
        bind.execute(templates.update().where(templates.c.id == row["id"]).values(sample_values=samples))
        bind.execute(
            versions.insert().values(
                template_id=row["id"],
                version=row["version"],
                subject=row["subject"],
                body_html=row["body_html"],
                body_text=row["body_text"],
                variables=row["variables"],
                sample_values=samples,
                note="исходная версия",
                created_at=row["updated_at"],
            )
        )


def downgrade():
    op.drop_index("ix_resend_item_run_id", table_name="resend_item")
    op.drop_index("ix_resend_item_original_id", table_name="resend_item")
    op.drop_table("resend_item")
    op.drop_table("resend_run")
    op.drop_table("message_template_version")
    op.drop_index("ix_message_resent_from_id", table_name="message")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_message_resent_from_id_message", "message", type_="foreignkey")
        op.drop_constraint(
            "fk_message_template_updated_by_id_app_user", "message_template", type_="foreignkey"
        )
    op.drop_column("message", "resent_from_id")
    op.drop_column("message", "resent_at")
    op.drop_column("message_template", "updated_by_id")
    op.drop_column("message_template", "sample_values")
