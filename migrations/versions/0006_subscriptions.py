"""regular donations: subscriptions, their charges and letters (ФТ-009, ФТ-005/012, ФТ-010/011, ФТ-011);
notifications applied by a worker

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:15:03.411491

"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The letters share 0005's layout.
_spec = importlib.util.spec_from_file_location(
    "_donations_0005", Path(__file__).with_name("0005_donations.py")
)
_0005 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_0005)
P, BUTTON, letter, FOR_EVENT, template = _0005.P, _0005.BUTTON, _0005.letter, _0005.FOR_EVENT, _0005.template

SIGN = "\n\n— Команда «Маяка»\n"
MANAGE = BUTTON.format("{{ manage_link }}", "Управлять подпиской")
REACTIVATE = BUTTON.format("{{ reactivate_link }}", "Возобновить подписку")

TEMPLATES = [
    {
        "code": "subscription_details",
        "name": "Подписка оформлена",
        "trigger": "ФТ-009: первый платёж подписки прошёл, подписка создана в CloudPayments",
        "subject": "Ваша регулярная помощь «Маяку» оформлена",
        "body_html": letter(
            P.format(f"Спасибо! Вы оформили регулярное пожертвование{FOR_EVENT}."),
            P.format("Сумма: <b>{{ recurrent_amount }}</b>, {{ frequency }}."),
            P.format(
                "Следующее списание — {{ next_charge_date }}. Изменить или отменить подписку можно в любой момент."
            ),
            MANAGE,
        ),
        "body_text": "Здравствуйте!\n\nСпасибо! Вы оформили регулярное пожертвование" + FOR_EVENT + ".\n"
        "Сумма: {{ recurrent_amount }}, {{ frequency }}.\nСледующее списание — {{ next_charge_date }}.\n\n"
        "Управлять подпиской: {{ manage_link }}" + SIGN,
        "variables": ["recurrent_amount", "frequency", "manage_link", "next_charge_date", "event_name"],
    },
    {
        "code": "subscription_thanks",
        "name": "Благодарность за регулярное пожертвование",
        "trigger": "ФТ-005/012: CloudPayments Pay по подписке",
        "subject": "Спасибо за вашу регулярную помощь",
        "body_html": letter(
            P.format(
                f"Мы получили ваше регулярное пожертвование{FOR_EVENT}: <b>{{{{ recurrent_amount }}}}</b>."
            ),
            P.format("Следующее списание — {{ next_charge_date }}."),
            MANAGE,
        ),
        "body_text": "Здравствуйте!\n\nМы получили ваше регулярное пожертвование"
        + FOR_EVENT
        + ": {{ recurrent_amount }}.\nСледующее списание — {{ next_charge_date }}.\n\n"
        "Управлять подпиской: {{ manage_link }}" + SIGN,
        "variables": ["recurrent_amount", "next_charge_date", "manage_link", "event_name", "charge_number"],
    },
    {
        "code": "subscription_year",
        "name": "Год поддержки",
        "trigger": "ФТ-005/012: CloudPayments Pay по подписке, год регулярных пожертвований",
        "subject": "Год вместе: спасибо за вашу поддержку",
        "body_html": letter(
            P.format("Вот уже год вы регулярно помогаете «Маяку» — спасибо!"),
            P.format("За этот год: <b>{{ yearly_stats }}</b>."),
            P.format("Последнее списание — {{ recurrent_amount }}, следующее — {{ next_charge_date }}."),
            MANAGE,
        ),
        "body_text": "Здравствуйте!\n\nВот уже год вы регулярно помогаете «Маяку» — спасибо!\n"
        "За этот год: {{ yearly_stats }}.\nПоследнее списание — {{ recurrent_amount }}, следующее — "
        "{{ next_charge_date }}.\n\nУправлять подпиской: {{ manage_link }}" + SIGN,
        "variables": [
            "recurrent_amount",
            "next_charge_date",
            "yearly_stats",
            "year_total",
            "year_charges",
            "manage_link",
        ],
    },
    {
        "code": "subscription_charge_failed",
        "name": "Регулярное списание не прошло",
        "trigger": "ФТ-010/011: CloudPayments Fail по подписке, попытки 1–3",
        "subject": "Не удалось списать регулярное пожертвование",
        "body_html": letter(
            P.format(
                "Нам не удалось списать ваше регулярное пожертвование {{ recurrent_amount }} (попытка {{ attempt_number }})."
            ),
            P.format("Причина: {{ failure_reason }}"),
            P.format(
                "Мы попробуем ещё раз {{ next_retry_date }}. Пожалуйста, проверьте, что на карте достаточно средств."
            ),
            MANAGE,
        ),
        "body_text": "Здравствуйте!\n\nНам не удалось списать ваше регулярное пожертвование "
        "{{ recurrent_amount }} (попытка {{ attempt_number }}).\nПричина: {{ failure_reason }}\n"
        "Мы попробуем ещё раз {{ next_retry_date }}.\n\nУправлять подпиской: {{ manage_link }}" + SIGN,
        "variables": [
            "recurrent_amount",
            "failure_reason",
            "next_retry_date",
            "attempt_number",
            "manage_link",
        ],
    },
    {
        "code": "subscription_cancelled",
        "name": "Подписка отменена после неудачных списаний",
        "trigger": "ФТ-010/011: четвёртое неудачное списание или CloudPayments Recurrent Rejected",
        "subject": "Ваша регулярная помощь отменена",
        "body_html": letter(
            P.format(
                "Мы несколько раз не смогли списать ваше регулярное пожертвование {{ recurrent_amount }}, поэтому подписка отменена {{ cancellation_date }}."
            ),
            P.format("Последняя причина: {{ failure_reason }}"),
            P.format("Если хотите продолжить помогать, оформите подписку заново — это займёт пару минут."),
            REACTIVATE,
        ),
        "body_text": "Здравствуйте!\n\nМы несколько раз не смогли списать ваше регулярное пожертвование "
        "{{ recurrent_amount }}, поэтому подписка отменена {{ cancellation_date }}.\n"
        "Последняя причина: {{ failure_reason }}\n\nВозобновить подписку: {{ reactivate_link }}" + SIGN,
        "variables": ["recurrent_amount", "failure_reason", "cancellation_date", "reactivate_link"],
    },
    {
        "code": "subscription_farewell",
        "name": "Подписка отменена по желанию благотворителя",
        "trigger": "ФТ-011: благотворитель отменил подписку",
        "subject": "Подписка отменена — спасибо, что были с нами",
        "body_html": letter(
            P.format(
                "Ваша регулярная помощь {{ recurrent_amount }} отменена {{ cancellation_date }}. Больше списаний не будет."
            ),
            P.format("Всего вы пожертвовали {{ total_donated }}. Спасибо за каждый рубль!"),
            P.format("Если захотите вернуться, подписку можно оформить снова по ссылке ниже."),
            REACTIVATE,
        ),
        "body_text": "Здравствуйте!\n\nВаша регулярная помощь {{ recurrent_amount }} отменена "
        "{{ cancellation_date }}. Больше списаний не будет.\nВсего вы пожертвовали {{ total_donated }}. "
        "Спасибо за каждый рубль!\n\nВозобновить подписку: {{ reactivate_link }}" + SIGN,
        "variables": ["recurrent_amount", "cancellation_date", "total_donated", "reactivate_link"],
    },
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "sandbox_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=256), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("max_periods", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("successful_transactions", sa.Integer(), nullable=False),
        sa.Column("failed_transactions", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.DateTime(), nullable=False),
        sa.Column("last_transaction_date", sa.DateTime(), nullable=True),
        sa.Column("next_transaction_date", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_subscription")),
        sa.UniqueConstraint("code", name=op.f("uq_sandbox_subscription_code")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sandbox_subscription_request_id")),
    )
    with op.batch_alter_table("sandbox_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_subscription_account_id"), ["account_id"], unique=False)

    op.create_table(
        "recurring_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("cp_subscription_id", sa.String(length=64), nullable=True),
        sa.Column("donor_email", sa.String(length=256), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("event_name", sa.String(length=256), nullable=True),
        sa.Column("agree_newsletter", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cp_status", sa.String(length=16), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("payment_url", sa.String(length=512), nullable=True),
        sa.Column("card_token", sa.String(length=128), nullable=True),
        sa.Column("successful_charges", sa.Integer(), nullable=False),
        sa.Column("total_charged", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failure_reason", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("last_charge_at", sa.DateTime(), nullable=True),
        sa.Column("next_charge_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("pending_action", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_recurring_subscription_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_subscription")),
        sa.UniqueConstraint("cp_subscription_id", name=op.f("uq_recurring_subscription_cp_subscription_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_recurring_subscription_public_id")),
    )
    with op.batch_alter_table("recurring_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recurring_subscription_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recurring_subscription_donor_email"), ["donor_email"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recurring_subscription_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recurring_subscription_pending_action"), ["pending_action"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recurring_subscription_status"), ["status"], unique=False)

    with op.batch_alter_table("donation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="one_off"))
        batch_op.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_donation_subscription_id"), ["subscription_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_donation_subscription_id_recurring_subscription"),
            "recurring_subscription",
            ["subscription_id"],
            ["id"],
        )

    with op.batch_alter_table("payment_notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_payment_notification_unapplied", ["applied_at", "id"], unique=False)
    op.execute("UPDATE payment_notification SET applied_at = received_at")  # 0005 applied them at once

    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_message_reference"), ["reference"], unique=False)

    with op.batch_alter_table("sandbox_payment_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_code", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sandbox_payment_transaction_subscription_code"),
            ["subscription_code"],
            unique=False,
        )

    # ### end Alembic commands ###

    _0005.add_letters(TEMPLATES)


def downgrade():
    _0005.remove_letters(TEMPLATES)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("sandbox_payment_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_payment_transaction_subscription_code"))
        batch_op.drop_column("subscription_code")

    with op.batch_alter_table("payment_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_notification_unapplied")
        batch_op.drop_column("applied_at")

    # Not in batch mode: on SQLite that would rebuild `message`, and dropping the old table
    # cascades to every message_event row. SQLite (3.35+) drops a plain column in place.
    op.drop_index(op.f("ix_message_reference"), table_name="message")
    op.drop_column("message", "reference")

    with op.batch_alter_table("donation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_donation_subscription_id_recurring_subscription"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_donation_subscription_id"))
        batch_op.drop_column("subscription_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("recurring_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recurring_subscription_status"))
        batch_op.drop_index(batch_op.f("ix_recurring_subscription_pending_action"))
        batch_op.drop_index(batch_op.f("ix_recurring_subscription_event_id"))
        batch_op.drop_index(batch_op.f("ix_recurring_subscription_donor_email"))
        batch_op.drop_index(batch_op.f("ix_recurring_subscription_created_at"))

    op.drop_table("recurring_subscription")
    with op.batch_alter_table("sandbox_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_subscription_account_id"))

    op.drop_table("sandbox_subscription")
    # ### end Alembic commands ###
