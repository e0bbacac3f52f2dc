"""the registration thank-you letter (ФТ-022)

Revision ID: 0002
Revises: 0001
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SUBJECT = "{{ user_name }}, спасибо за регистрацию в «Маяке»"

HTML = """<!doctype html>
<html lang="ru">
<body style="margin:0;padding:0;background:#f3f5f8;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8;padding:24px 0;">
    <tr><td align="center">
      <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;padding:32px;">
        <tr><td style="font-size:22px;font-weight:bold;color:#0b5394;padding-bottom:16px;">Маяк</td></tr>
        <tr><td style="font-size:18px;padding-bottom:12px;">Здравствуйте, {{ user_name }}!</td></tr>
        <tr><td style="font-size:15px;line-height:1.6;padding-bottom:12px;">
          Спасибо, что зарегистрировались на платформе «Маяк» {{ registration_date }}.
          Теперь вы можете создать своё первое Событие — например, сбор к дню рождения — и
          пригласить друзей поддержать дело, которое вам дорого.
        </td></tr>
        <tr><td style="font-size:15px;line-height:1.6;padding-bottom:24px;">
          Каждое Событие проходит модерацию, а после завершения сбора мы расскажем вам и всем,
          кто помог, какая сумма собрана.
        </td></tr>
        <tr><td style="font-size:13px;color:#6b7785;border-top:1px solid #e4e8ee;padding-top:16px;">
          Вы получили это письмо, потому что зарегистрировались на платформе «Маяк».
        </td></tr>
      </table>
    </td></tr>
  </table>
</body>
</html>
"""

TEXT = """Здравствуйте, {{ user_name }}!

Спасибо, что зарегистрировались на платформе «Маяк» {{ registration_date }}.
Теперь вы можете создать своё первое Событие — например, сбор к дню рождения — и
пригласить друзей поддержать дело, которое вам дорого.

Каждое Событие проходит модерацию, а после завершения сбора мы расскажем вам и всем,
кто помог, какая сумма собрана.

— Команда «Маяка»
"""

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


def upgrade():
    op.bulk_insert(
        template,
        [
            {
                "code": "registration",
                "name": "Благодарность за регистрацию",
                "trigger": "ФТ-022: регистрация пользователя (Битрикс, kind=registration)",
                "channel": "email",
                "subject": SUBJECT,
                "body_html": HTML,
                "body_text": TEXT,
                "variables": ["user_name", "registration_date"],
                "version": 1,
                "updated_at": datetime.utcnow(),
            }
        ],
    )


def downgrade():
    op.execute(template.delete().where(template.c.code == "registration"))
