"""the reminder letters (ФТ-021, ФТ-023) and the closing letters of an Event (ФТ-003, ФТ-006, ФТ-027)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:50:00

"""

import importlib.util
from pathlib import Path

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_spec = importlib.util.spec_from_file_location(
    "_donations_0005", Path(__file__).with_name("0005_donations.py")
)
_0005 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_0005)
P, template = _0005.P, _0005.template
SIGN = "\n\n— Команда «Маяка»\n"


USER = "Вы получили это письмо, потому что зарегистрировались на платформе «Маяк»."
CREATOR = "Вы получили это письмо, потому что создали Событие на платформе «Маяк»."
DONOR = "Вы получили это письмо, потому что поддержали этот сбор на платформе «Маяк»."


def letter(footer: str, *rows: str) -> str:
    layout = _0005.LAYOUT.replace(
        "Вы получили это письмо, потому что сделали пожертвование на платформе «Маяк».", footer
    )
    if footer == USER:  # the reminders know the user's name
        layout = layout.replace(
            "Здравствуйте!", "Здравствуйте{% if user_name %}, {{ user_name }}{% endif %}!"
        )
    return layout.replace("BODY", "\n".join(rows))


HELLO = "Здравствуйте{% if user_name %}, {{ user_name }}{% endif %}!\n\n"

TEMPLATES = [
    {
        "code": "event_reminder",
        "name": "Напоминание создать первое Событие",
        "trigger": "ФТ-021: через 7 дней после регистрации, если Событий ещё нет",
        "subject": "Создайте своё первое Событие на «Маяке»",
        "body_html": letter(
            USER,
            P.format("Неделю назад вы присоединились к «Маяку». Самое время создать своё первое Событие!"),
            P.format(
                "Это может быть день рождения, праздник или просто повод помочь: друзья поддержат сбор."
            ),
        ),
        "body_text": HELLO + "Неделю назад вы присоединились к «Маяку». Самое время создать своё первое "
        "Событие!\nЭто может быть день рождения, праздник или просто повод помочь: друзья поддержат сбор."
        + SIGN,
        "variables": ["user_name"],
    },
    {
        "code": "birthday_reminder",
        "name": "Напоминание о дне рождения",
        "trigger": "ФТ-023: за 2 недели до дня рождения",
        "subject": "Скоро ваш день рождения — подарите помощь",
        "body_html": letter(
            USER,
            P.format("Через две недели, {{ birth_date }}, ваш день рождения."),
            P.format("Создайте Событие на «Маяке» и попросите друзей вместо подарков поддержать сбор."),
        ),
        "body_text": HELLO + "Через две недели, {{ birth_date }}, ваш день рождения.\nСоздайте Событие на "
        "«Маяке» и попросите друзей вместо подарков поддержать сбор." + SIGN,
        "variables": ["user_name", "birth_date"],
    },
    {
        "code": "event_closed_creator",
        "name": "Сбор завершён (создателю)",
        "trigger": "ФТ-003: Событие завершено, собрано больше нуля",
        "subject": "Сбор «{{ event_name }}» завершён: собрано {{ total_amount }}",
        "body_html": letter(
            CREATOR,
            P.format("Ваше Событие <b>«{{ event_name }}»</b> завершено."),
            P.format("Всего собрано: <b>{{ total_amount }}</b>. Спасибо вам и всем, кто поддержал сбор!"),
        ),
        "body_text": "Здравствуйте!\n\nВаше Событие «{{ event_name }}» завершено.\nВсего собрано: "
        "{{ total_amount }}. Спасибо вам и всем, кто поддержал сбор!" + SIGN,
        "variables": ["event_name", "total_amount"],
    },
    {
        "code": "event_closed_zero",
        "name": "Сбор завершён без пожертвований (создателю)",
        "trigger": "ФТ-027: Событие завершено, собрано 0 ₽",
        "subject": "Сбор «{{ event_name }}» завершён",
        "body_html": letter(
            CREATOR,
            P.format(
                "Ваше Событие <b>«{{ event_name }}»</b> завершено, но пожертвований в этот раз не было."
            ),
            P.format(
                "Так бывает. Попробуйте рассказать о следующем Событии друзьям и в соцсетях — это помогает."
            ),
        ),
        "body_text": "Здравствуйте!\n\nВаше Событие «{{ event_name }}» завершено, но пожертвований в этот раз "
        "не было.\nТак бывает. Попробуйте рассказать о следующем Событии друзьям и в соцсетях — это помогает."
        + SIGN,
        "variables": ["event_name", "total_amount"],
    },
    {
        "code": "event_closed_donor",
        "name": "Сбор завершён (благотворителям)",
        "trigger": "ФТ-006: Событие завершено, каждому благотворителю",
        "subject": "Сбор «{{ event_name }}», который вы поддержали, завершён",
        "body_html": letter(
            DONOR,
            P.format(
                "Сбор <b>«{{ event_name }}»</b> завершён. Вместе удалось собрать <b>{{ total_amount }}</b>."
            ),
            P.format("Спасибо, что были частью этого! Мы расскажем, чем помогли собранные деньги."),
        ),
        "body_text": "Здравствуйте!\n\nСбор «{{ event_name }}» завершён. Вместе удалось собрать "
        "{{ total_amount }}.\nСпасибо, что были частью этого! Мы расскажем, чем помогли собранные деньги."
        + SIGN,
        "variables": ["event_name", "total_amount"],
    },
]


def upgrade():
    _0005.add_letters(TEMPLATES)


def downgrade():
    _0005.remove_letters(TEMPLATES)
