"""Letters: Bitrix triggers, the hub's send and subscribe operations, reading a message."""

from portal.api.email import MAX_RECIPIENTS
from portal.api.emails import KINDS
from portal.api_docs.schemas import (
    AGREE_NEWSLETTER,
    TIMESTAMP,
    VARIABLES,
    email,
    nullable,
    obj,
    ok,
    operation,
    ref,
    request_body,
    text,
)
from portal.models import Role

TAG = {"name": "mailing", "description": "Письма: триггеры Битрикс, отправка по шаблону, подписка на список."}

USER_ID = {
    "type": ["string", "integer", "null"],
    "description": "Идентификатор пользователя в Битрикс (для журнала).",
}
SEND_AT = {**TIMESTAMP, "description": "Когда отправить (не дальше чем через 400 дней); без поля — сразу."}


def _kind(name: str) -> dict:
    return {"type": "string", "const": name, "description": "Вид триггера."}


TRIGGERS = {
    "registration": obj(
        {
            "kind": _kind("registration"),
            "user_email": email("Адрес зарегистрировавшегося."),
            "user_name": text(1, 256, "Имя."),
            "agree_newsletter": AGREE_NEWSLETTER,
            "registration_date": {**TIMESTAMP, "description": "Дата регистрации."},
            "user_id": USER_ID,
        },
        ("kind", "user_email", "user_name", "registration_date"),
        title="registration",
        description="ФТ-001: приветственное письмо; при согласии — подписка на рассылку.",
    ),
    "event_reminder": obj(
        {
            "kind": _kind("event_reminder"),
            "user_id": USER_ID,
            "user_email": email("Адрес пользователя."),
            "user_name": nullable(text(1, 256, "Имя.")),
            "registration_date": {**TIMESTAMP, "description": "Дата регистрации."},
            "event_exists": {
                "type": "boolean",
                "default": False,
                "description": "true — у пользователя уже есть Событие: письмо не нужно "
                "(ответ 200, skipped).",
            },
            "send_at": SEND_AT,
        },
        ("kind", "user_email", "registration_date"),
        title="event_reminder",
        description="ФТ-021: напоминание создать Событие через 7 дней после регистрации.",
    ),
    "birthday_reminder": obj(
        {
            "kind": _kind("birthday_reminder"),
            "user_id": USER_ID,
            "user_email": email("Адрес пользователя."),
            "user_name": text(1, 256, "Имя."),
            "birth_date": {**TIMESTAMP, "description": "Дата рождения, не в будущем."},
            "send_at": SEND_AT,
        },
        ("kind", "user_email", "user_name", "birth_date"),
        title="birthday_reminder",
        description="ФТ-023: идея События ко дню рождения, за две недели.",
    ),
}
assert set(TRIGGERS) == set(KINDS), "every kind of POST /api/v1/emails/send is documented"

RECIPIENT = {
    "oneOf": [
        email("Адрес получателя."),
        obj({"email": text(1, 256, "Адрес получателя.", format="email"), "vars": VARIABLES}, ("email",)),
    ]
}

PATHS = {
    "/api/v1/emails/send": {
        "post": operation(
            "emailsSend",
            "Триггер письма из Битрикс",
            tag="mailing",
            roles=(Role.PARTNER, Role.ADMIN),
            description="Вид письма задаёт поле kind: " + ", ".join(KINDS) + ". Письма ставятся в очередь "
            "и отправляются в фоне; статус — GET /api/v1/messages/{message_id}.",
            body=request_body(
                {"oneOf": list(TRIGGERS.values()), "discriminator": {"propertyName": "kind"}},
                {
                    "kind": "registration",
                    "user_email": "ivanova@example.org",
                    "user_name": "Анна",
                    "agree_newsletter": True,
                    "registration_date": "2026-11-23",
                },
            ),
            responses={
                202: ok(
                    "Письма в очереди (и подписка, если было согласие).",
                    {
                        "type": "object",
                        "required": ["kind", "messages", "subscriptions"],
                        "properties": {
                            "kind": {"type": "string", "enum": list(KINDS)},
                            "messages": {"type": "array", "items": ref("Message")},
                            "subscriptions": {"type": "array", "items": ref("ContactSubscription")},
                        },
                    },
                ),
                200: ok(
                    "event_reminder для пользователя, у которого уже есть Событие: ничего не отправлено.",
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"type": "string"},
                            "messages": {"type": "array", "maxItems": 0},
                            "subscriptions": {"type": "array", "maxItems": 0},
                            "skipped": {"type": "string", "const": "event_exists"},
                        },
                    },
                ),
            },
            errors=(400,),
            idempotent=True,
        )
    },
    "/api/v1/email/send": {
        "post": operation(
            "emailSend",
            "Отправить письмо по шаблону",
            tag="mailing",
            roles=(Role.PARTNER, Role.ADMIN),
            description="Ровно одно из полей recipient_email или recipients (до "
            f"{MAX_RECIPIENTS} адресов). Переменные шаблона: общие vars и у каждого получателя свои; "
            "каждой переменной, объявленной в шаблоне, нужно значение.",
            body=request_body(
                obj(
                    {
                        "template_id": {
                            "type": ["integer", "string"],
                            "minLength": 1,
                            "description": "Id или код шаблона.",
                            "examples": ["registration"],
                        },
                        "recipient_email": email("Один получатель."),
                        "recipients": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_RECIPIENTS,
                            "items": RECIPIENT,
                            "description": "Несколько получателей: адрес или объект {email, vars}.",
                        },
                        "vars": VARIABLES,
                        "subject": text(1, 512, "Тема вместо темы шаблона."),
                        "body": text(1, 500_000, "HTML вместо тела шаблона."),
                    },
                    ("template_id",),
                    oneOf=[{"required": ["recipient_email"]}, {"required": ["recipients"]}],
                ),
                {
                    "template_id": "registration",
                    "recipients": [{"email": "ivanova@example.org", "vars": {"user_name": "Анна"}}],
                },
            ),
            responses={
                202: ok(
                    "Письма в очереди.",
                    {
                        "type": "object",
                        "required": ["messages"],
                        "properties": {"messages": {"type": "array", "items": ref("Message")}},
                    },
                )
            },
            errors=(400, 404),
            idempotent=True,
        )
    },
    "/api/v1/email/subscribers": {
        "post": operation(
            "emailSubscribers",
            "Подписать адрес на список Unisender",
            tag="mailing",
            roles=(Role.PARTNER, Role.ADMIN),
            description="Подписка выполняется в фоне, с повторами при сбоях Unisender.",
            body=request_body(
                obj(
                    {
                        "user_email": email("Адрес."),
                        "list_id": {
                            "type": ["string", "integer"],
                            "minLength": 1,
                            "maxLength": 64,
                            "pattern": r"^[0-9A-Za-z_\-]+$",
                            "description": "Список Unisender.",
                        },
                        "source": text(
                            1, 64, "Откуда подписка: строчные латинские буквы и _.", pattern="^[a-z_]+$"
                        ),
                        "timestamp": {**TIMESTAMP, "description": "Когда дано согласие; без поля — сейчас."},
                        "user_name": text(1, 256, "Имя."),
                    },
                    ("user_email", "list_id", "source"),
                ),
                {"user_email": "ivanova@example.org", "list_id": "1", "source": "registration"},
            ),
            responses={202: ok("Подписка принята.", ref("ContactSubscription"))},
            errors=(400,),
            idempotent=True,
        )
    },
    "/api/v1/messages/{message_id}": {
        "get": operation(
            "messageGet",
            "Письмо и история его статусов",
            tag="mailing",
            roles=(Role.PARTNER, Role.ADMIN, Role.USER),
            description="Партнёр видит только письма, созданные его запросами; чужие — 404.",
            parameters=(
                {
                    "name": "message_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                },
            ),
            responses={200: ok("Письмо.", ref("Message"))},
            errors=(404,),
        )
    },
}
