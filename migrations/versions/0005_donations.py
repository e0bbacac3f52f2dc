"""donations, payment notifications, sandbox CloudPayments, the donation letters (ФТ-005/007/008, ФТ-010)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:56:09.735180

"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


LAYOUT = """<!doctype html>
<html lang="ru">
<body style="margin:0;padding:0;background:#f3f5f8;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8;padding:24px 0;">
    <tr><td align="center">
      <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;padding:32px;">
        <tr><td style="font-size:22px;font-weight:bold;color:#0b5394;padding-bottom:16px;">Маяк</td></tr>
        <tr><td style="font-size:18px;padding-bottom:12px;">Здравствуйте!</td></tr>
BODY
        <tr><td style="font-size:13px;color:#6b7785;border-top:1px solid #e4e8ee;padding-top:16px;">
          Вы получили это письмо, потому что сделали пожертвование на платформе «Маяк».
        </td></tr>
      </table>
    </td></tr>
  </table>
</body>
</html>
"""

P = '        <tr><td style="font-size:15px;line-height:1.6;padding-bottom:12px;">{}</td></tr>'
BUTTON = (
    '        <tr><td style="padding:8px 0 24px;"><a href="{}" style="background:#0b5394;color:#ffffff;'
    'text-decoration:none;padding:12px 24px;border-radius:6px;font-size:15px;display:inline-block;">{}</a></td></tr>'
)


def letter(*rows: str) -> str:
    return LAYOUT.replace("BODY", "\n".join(rows))


FOR_EVENT = "{% if event_name %} на сбор «{{ event_name }}»{% endif %}"

TEMPLATES = [
    {
        "code": "donation_thanks_first",
        "name": "Благодарность за первое пожертвование",
        "trigger": "ФТ-005/007/008: CloudPayments Pay, первое пожертвование адреса",
        "subject": "Спасибо за ваше первое пожертвование!",
        "body_html": letter(
            P.format(f"Вы сделали своё первое пожертвование{FOR_EVENT}: <b>{{{{ donor_amount }}}}</b>."),
            P.format(
                "Это начало большого доброго дела. Мы расскажем, чем помогли ваши деньги, когда сбор завершится."
            ),
        ),
        "body_text": "Здравствуйте!\n\nВы сделали своё первое пожертвование"
        + FOR_EVENT
        + ": {{ donor_amount }}.\nЭто начало большого доброго дела. Мы расскажем, чем помогли ваши деньги, "
        "когда сбор завершится.\n\n— Команда «Маяка»\n",
        "variables": ["donor_amount", "event_name", "is_first_donation"],
    },
    {
        "code": "donation_thanks_repeat",
        "name": "Благодарность за повторное пожертвование",
        "trigger": "ФТ-005/007/008: CloudPayments Pay, у адреса уже были пожертвования",
        "subject": "Спасибо, что снова помогаете!",
        "body_html": letter(
            P.format(f"Мы получили ваше пожертвование{FOR_EVENT}: <b>{{{{ donor_amount }}}}</b>."),
            P.format("Спасибо, что вы снова с нами — такие люди, как вы, делают «Маяк» возможным."),
        ),
        "body_text": "Здравствуйте!\n\nМы получили ваше пожертвование"
        + FOR_EVENT
        + ": {{ donor_amount }}.\nСпасибо, что вы снова с нами — такие люди, как вы, делают «Маяк» "
        "возможным.\n\n— Команда «Маяка»\n",
        "variables": ["donor_amount", "event_name", "is_first_donation"],
    },
    {
        "code": "donation_failed",
        "name": "Пожертвование не прошло",
        "trigger": "ФТ-010: CloudPayments Fail по разовому пожертвованию",
        "subject": "Пожертвование не прошло — попробуйте ещё раз",
        "body_html": letter(
            P.format(f"Ваше пожертвование{FOR_EVENT} на сумму {{{{ donor_amount }}}} не прошло."),
            P.format("Причина: {{ failure_reason }}"),
            BUTTON.format("{{ retry_link }}", "Попробовать ещё раз"),
        ),
        "body_text": "Здравствуйте!\n\nВаше пожертвование"
        + FOR_EVENT
        + " на сумму {{ donor_amount }} не прошло.\nПричина: {{ failure_reason }}\n\n"
        "Попробовать ещё раз: {{ retry_link }}\n\n— Команда «Маяка»\n",
        "variables": ["donor_amount", "event_name", "failure_reason", "retry_link"],
    },
]

template = sa.table(
    "message_template",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("trigger", sa.String),
    sa.column("channel", sa.String),
    sa.column("subject", sa.String),
    sa.column("body_html", sa.Text),
    sa.column("body_text", sa.Text),
    sa.column("variables", sa.JSON),
    sa.column("version", sa.Integer),
    sa.column("updated_at", sa.DateTime),
)


def add_letters(templates: list[dict]) -> None:
    """Seed letter templates (this revision's and later ones', which load this file)."""
    now = datetime.utcnow()
    op.bulk_insert(template, [{**t, "channel": "email", "version": 1, "updated_at": now} for t in templates])


def remove_letters(templates: list[dict]) -> None:
    """Remove seeded templates, with the letters written from them and their status history."""
    codes = ", ".join(f"'{t['code']}'" for t in templates)
    ours = f"SELECT id FROM message WHERE template_id IN (SELECT id FROM message_template WHERE code IN ({codes}))"
    op.execute(f"DELETE FROM message_event WHERE message_id IN ({ours})")
    op.execute(f"DELETE FROM message WHERE id IN ({ours})")
    op.execute(template.delete().where(template.c.code.in_([t["code"] for t in templates])))


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "payment_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("invoice_id", sa.String(length=64), nullable=True),
        sa.Column("subscription_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=256), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_payment_notification_dedupe_key")),
    )
    with op.batch_alter_table("payment_notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_notification_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payment_notification_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_notification_subscription_id"), ["subscription_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_notification_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "sandbox_payment_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("invoice_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=256), nullable=True),
        sa.Column("json_data", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_payment_order")),
        sa.UniqueConstraint("code", name=op.f("uq_sandbox_payment_order_code")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sandbox_payment_order_request_id")),
    )
    op.create_table(
        "donation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.String(length=64), nullable=False),
        sa.Column("donor_email", sa.String(length=256), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("event_name", sa.String(length=256), nullable=True),
        sa.Column("agree_newsletter", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("payment_url", sa.String(length=512), nullable=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("is_first_donation", sa.Boolean(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("reason_code", sa.Integer(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_donation_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donation")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_donation_invoice_id")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_donation_transaction_id")),
    )
    with op.batch_alter_table("donation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_donation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_donation_donor_email"), ["donor_email"], unique=False)
        batch_op.create_index(batch_op.f("ix_donation_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_donation_status"), ["status"], unique=False)

    op.create_table(
        "sandbox_payment_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.Integer(), nullable=True),
        sa.Column("card_last_four", sa.String(length=4), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("invoice_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=256), nullable=True),
        sa.Column("json_data", sa.JSON(), nullable=True),
        sa.Column("notification_state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sandbox_payment_order.id"],
            name=op.f("fk_sandbox_payment_transaction_order_id_sandbox_payment_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_payment_transaction")),
    )
    with op.batch_alter_table("sandbox_payment_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_payment_transaction_order_id"), ["order_id"], unique=False
        )

    # ### end Alembic commands ###

    add_letters(TEMPLATES)


def downgrade():
    codes = [t["code"] for t in TEMPLATES]
    op.execute(template.delete().where(template.c.code.in_(codes)))
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("sandbox_payment_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_payment_transaction_order_id"))

    op.drop_table("sandbox_payment_transaction")
    with op.batch_alter_table("donation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_donation_status"))
        batch_op.drop_index(batch_op.f("ix_donation_event_id"))
        batch_op.drop_index(batch_op.f("ix_donation_donor_email"))
        batch_op.drop_index(batch_op.f("ix_donation_created_at"))

    op.drop_table("donation")
    op.drop_table("sandbox_payment_order")
    with op.batch_alter_table("payment_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_notification_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_payment_notification_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_payment_notification_received_at"))
        batch_op.drop_index(batch_op.f("ix_payment_notification_invoice_id"))

    op.drop_table("payment_notification")
    # ### end Alembic commands ###
