"""Provider webhooks: no token; each request is checked by its sender's signature."""

from portal.api_docs.schemas import obj, ok, operation
from portal.webhooks.cloudpayments import KINDS

TAG = {
    "name": "webhooks",
    "description": "Уведомления провайдеров. Токен не нужен: подпись проверяется до разбора тела; "
    "запрос с неверной подписью ничего не меняет.",
}

CLOUDPAYMENTS_ANSWER = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": {"type": "integer", "description": "0 — принято; иное — CloudPayments повторит позже."},
        "message": {"type": "string"},
    },
}
CLOUDPAYMENTS_NOTIFICATION = {
    "type": "object",
    "description": "Параметры уведомления CloudPayments (перечислены основные). Pay и Fail требуют "
    "TransactionId и Amount, Recurrent — Id и Status.",
    "properties": {
        "TransactionId": {"type": "integer"},
        "Amount": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10_000_000_000},
        "Currency": {"type": "string"},
        "InvoiceId": {"type": "string", "description": "Наш invoice_id пожертвования."},
        "AccountId": {"type": "string"},
        "Email": {"type": "string"},
        "SubscriptionId": {"type": "string"},
        "Reason": {"type": "string"},
        "ReasonCode": {"type": "integer"},
        "Id": {"type": "string", "description": "Recurrent: идентификатор подписки sc_…"},
        "Status": {
            "type": "string",
            "description": "Recurrent: Active, PastDue, Cancelled, Rejected, Expired.",
        },
        "SuccessfulTransactionsNumber": {"type": "integer"},
        "FailedTransactionsNumber": {"type": "integer"},
        "NextTransactionDate": {"type": "string"},
    },
}
UNISENDERGO_ANSWER = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "message": {"type": "string"},
        "applied": {"type": "integer"},
        "unknown_message": {"type": "integer"},
        "ignored": {"type": "integer"},
    },
}

PATHS = {
    "/webhooks/cloudpayments/{name}": {
        "post": operation(
            "cloudpaymentsNotification",
            "Уведомление CloudPayments",
            tag="webhooks",
            roles=None,
            security=[{"cloudpaymentsContentHmac": []}, {"cloudpaymentsXContentHmac": []}],
            description="Pay, Fail, Recurrent (subscription — синоним recurrent). Подпись: заголовок "
            "Content-HMAC или X-Content-HMAC. Принятое уведомление сохраняется один раз и применяется в "
            'фоне; ответ {"code": 0}.',
            parameters=(
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(KINDS)},
                },
            ),
            body={
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {"schema": CLOUDPAYMENTS_NOTIFICATION},
                    "application/json": {"schema": CLOUDPAYMENTS_NOTIFICATION},
                },
            },
            responses={
                200: ok("Принято (или уже было принято).", CLOUDPAYMENTS_ANSWER, {"code": 0}),
                400: ok("Уведомление не разобрано: нет обязательного поля, не число.", CLOUDPAYMENTS_ANSWER),
                401: ok("Подпись неверна или отсутствует.", CLOUDPAYMENTS_ANSWER, {"code": 13}),
                404: ok("Неизвестный вид уведомления.", CLOUDPAYMENTS_ANSWER),
            },
        )
    },
    "/webhooks/unisendergo/status": {
        "get": operation(
            "unisendergoProbe",
            "Проверка адреса вебхука UnisenderGo",
            tag="webhooks",
            roles=None,
            description="UnisenderGo вызывает GET при регистрации вебхука.",
            responses={200: ok("Адрес работает.", UNISENDERGO_ANSWER, {"status": "ok"})},
        ),
        "post": operation(
            "unisendergoStatus",
            "Статусы доставки писем от UnisenderGo",
            tag="webhooks",
            roles=None,
            description="Подпись: поле auth тела — MD5 тела, в котором вместо auth подставлен API-ключ "
            "UnisenderGo. Письмо находится по metadata.message_id; неизвестные письма и события "
            "считаются, но не ломают запрос.",
            body={
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["auth", "events_by_user"],
                            "properties": {
                                "auth": {"type": "string", "pattern": "^[0-9a-fA-F]{32}$"},
                                "events_by_user": {
                                    "type": "array",
                                    "items": obj(
                                        {
                                            "user_id": {},
                                            "project_id": {},
                                            "project_name": {},
                                            "events": {"type": "array", "items": {"type": "object"}},
                                        },
                                        ("events",),
                                        additionalProperties=True,
                                    ),
                                },
                            },
                        },
                        "example": {
                            "auth": "0123456789abcdef0123456789abcdef",
                            "events_by_user": [
                                {
                                    "events": [
                                        {
                                            "event_name": "transactional_email_status",
                                            "event_data": {
                                                "status": "delivered",
                                                "email": "ivanova@example.org",
                                                "metadata": {"message_id": "42"},
                                            },
                                        }
                                    ]
                                }
                            ],
                        },
                    }
                },
            },
            responses={
                200: ok(
                    "Применено; счётчики применённых, неизвестных и пропущенных событий.", UNISENDERGO_ANSWER
                ),
                400: ok("Нет events_by_user[].events[].", UNISENDERGO_ANSWER),
                401: ok("Неверный auth.", UNISENDERGO_ANSWER),
            },
        ),
    },
}
