"""The OpenAPI document's building blocks: shared schemas, responses, security schemes and the
`operation()` helper every path module uses. Limits come from the code's own constants where
the code has them, so the document and the validation cannot drift apart silently."""

from portal.models import EventStatus, Role
from portal.models.donation import FREQUENCIES, DonationStatus, SubscriptionStatus
from portal.models.message import MessageStatus
from portal.services import tokens

BEARER = "bearerAuth"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """The same schema, also allowing null (OpenAPI 3.1: a list of types)."""
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def text(min_length: int = 1, max_length: int = 256, description: str = "", **extra) -> dict:
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": max_length,
        "description": description,
    } | extra


def email(description: str) -> dict:
    return text(3, 256, description, format="email", examples=["ivanova@example.org"])


def money(minimum: str, maximum: str, description: str) -> dict:
    return {
        "type": ["number", "string"],
        "minimum": float(minimum),
        "maximum": float(maximum),
        "description": f"{description} Сумма в рублях от {minimum} до {maximum}, не больше двух знаков "
        'после запятой: число или строка, например 1500 или "1500.50".',
        "examples": [1500],
    }


TIMESTAMP = {
    "type": "string",
    "description": "Дата или дата и время в ISO 8601; дата без времени означает полночь UTC, "
    "время без зоны — UTC.",
    "examples": ["2026-11-23T10:00:00+03:00"],
}
DATE_OR_EMPTY = {
    "type": ["string", "null"],
    "description": "Дата ISO 8601 (время отбрасывается); пустая строка или null — даты нет.",
    "examples": ["2026-12-25"],
}
EVENT_ID = {
    "type": ["string", "integer"],
    "minLength": 1,
    "maxLength": 64,
    "description": "Идентификатор События в Битрикс: строка до 64 символов или целое число.",
    "examples": ["4821"],
}
EVENT_NAME = text(1, 256, "Название События.", examples=["Праздник для подопечных"])
CURRENCY = {
    "type": "string",
    "enum": ["RUB"],
    "default": "RUB",
    "description": "Валюта; поддерживается только RUB.",
}
AGREE_NEWSLETTER = {
    "type": "boolean",
    "default": False,
    "description": "Согласие на рассылку: адрес будет подписан на список Unisender.",
}
VARIABLES = {
    "type": "object",
    "description": "Переменные шаблона: имя — латинские буквы, цифры и _, не с цифры (до 64 символов); "
    "значение — строка до 10000 символов, число, логическое или null.",
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
    "additionalProperties": {
        "anyOf": [{"type": "string", "maxLength": 10000}, {"type": ["number", "boolean", "null"]}]
    },
    "examples": [{"user_name": "Анна", "event_name": "Праздник для подопечных"}],
}
ISO_MOMENT = {"type": "string", "format": "date-time", "description": "Момент в ISO 8601."}


def _trace() -> dict:
    return {
        "type": "object",
        "description": "Данные для поиска запроса в журналах.",
        "required": ["request_code", "service", "operation", "time"],
        "properties": {
            "request_code": {
                "type": "string",
                "description": "Идентификатор запроса (заголовок X-Request-ID ответа).",
            },
            "username": {"type": ["string", "null"], "description": "Кто вызвал (если токен принят)."},
            "company": {"type": ["string", "null"], "description": "Компания вызвавшего."},
            "service": {"type": "string", "enum": ["MAYAK"]},
            "operation": {"type": "string", "description": "Операция (имя обработчика или путь)."},
            "time": {**ISO_MOMENT, "description": "Время ответа, UTC."},
        },
    }


def _message() -> dict:
    return {
        "type": "object",
        "description": "Письмо в исходящей очереди.",
        "required": ["id", "channel", "kind", "template", "recipient", "status", "attempts"],
        "properties": {
            "id": {"type": "integer"},
            "channel": {"type": "string", "examples": ["email"]},
            "kind": {"type": "string", "description": "Откуда письмо: api, registration, event_reminder…"},
            "template_id": {"type": ["integer", "null"]},
            "template": {"type": "string", "description": "Код шаблона."},
            "recipient": {"type": "string"},
            "status": {"type": "string", "enum": list(MessageStatus)},
            "attempts": {"type": "integer", "minimum": 0},
            "last_error": {"type": ["string", "null"]},
            "created_at": ISO_MOMENT,
            "updated_at": ISO_MOMENT,
            "variables": {"type": "object", "description": "Только в GET /api/v1/messages/{id}."},
            "subject": {"type": ["string", "null"], "description": "Только в GET /api/v1/messages/{id}."},
            "history": {
                "type": "array",
                "description": "История статусов; только в GET /api/v1/messages/{id}.",
                "items": {"type": "object", "properties": {"at": ISO_MOMENT}},
            },
        },
    }


def _event() -> dict:
    return {
        "type": "object",
        "description": "Событие (сбор) и его модерация.",
        "required": ["event_id", "event_name", "status"],
        "properties": {
            "event_id": {"type": "string"},
            "event_name": {"type": "string"},
            "event_creator_email": {"type": "string"},
            "event_description": {"type": ["string", "null"]},
            "images_count": {"type": "integer"},
            "target_amount": {"type": ["string", "null"], "description": "Цель сбора, рубли."},
            "event_date_from": {"type": ["string", "null"]},
            "event_date_to": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(EventStatus)},
            "submitted_at": {"type": ["string", "null"]},
            "decided_at": {"type": ["string", "null"]},
            "decided_by": {"type": ["string", "null"], "description": "Модератор."},
            "comment": {"type": ["string", "null"], "description": "Комментарий модератора при одобрении."},
            "rejection_reason": {"type": ["string", "null"]},
            "event_url": {"type": ["string", "null"]},
            "total_amount": {"type": ["string", "null"], "description": "Собрано при закрытии, рубли."},
            "closed_at": {"type": ["string", "null"]},
            "donor_letters": {"type": "object", "description": "Рассылка жертвователям после закрытия."},
            "bitrix": {"type": "object", "description": "Передача решения в Битрикс."},
            "history": {"type": "array", "description": "Только в GET /api/v1/events/{event_id}."},
            "outcome": {"type": "string", "description": "Что сделал запрос (для уведомлений Битрикс)."},
        },
    }


SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "Ошибка API (конверт seed 002): сообщение по-русски, данные трассировки и, "
        "если ошибка в поле запроса, имя этого поля.",
        "required": ["message", "tracedata"],
        "properties": {
            "message": {"type": "string", "examples": ["поле user_email: обязательное поле"]},
            "field": {"type": "string", "description": "Поле запроса, в котором ошибка."},
            "tracedata": ref("TraceData"),
        },
    },
    "TraceData": _trace(),
    "Token": {
        "type": "string",
        "description": "Токен JWT (HS256) для заголовка Authorization: Bearer.",
        "examples": ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…"],
    },
    "Role": {"type": "string", "enum": list(Role), "description": "Роль пользователя."},
    "Account": {
        "type": "object",
        "required": ["username", "company_key", "roles"],
        "properties": {
            "username": text(2, 256, "Уникальное имя пользователя."),
            "specification": nullable(text(2, 256, "Описание пользователя.")),
            "email": nullable(text(5, 256, "Почта пользователя.")),
            "phone": nullable(text(5, 32, "Телефон пользователя.")),
            "company_key": text(3, 256, "Идентификатор компании."),
            "enabled": {"type": "boolean"},
            "roles": {"type": "array", "items": ref("Role"), "uniqueItems": True},
            "timezone": {"type": "integer", "minimum": -12, "maximum": 12},
            "edit_date": ISO_MOMENT,
            "creation_date": ISO_MOMENT,
            "attributes": {"type": "array", "items": {"type": "object"}, "maxItems": 1000},
        },
    },
    "Message": _message(),
    "ContactSubscription": {
        "type": "object",
        "description": "Подписка адреса на список Unisender (выполняется в фоне).",
        "required": ["id", "user_email", "list_id", "source", "status"],
        "properties": {
            "id": {"type": "integer"},
            "user_email": {"type": "string"},
            "list_id": {"type": "string"},
            "source": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "done", "failed"]},
            "timestamp": ISO_MOMENT,
            "last_error": {"type": ["string", "null"]},
        },
    },
    "Donation": {
        "type": "object",
        "description": "Пожертвование и его ссылка на оплату в CloudPayments.",
        "required": ["id", "invoice_id", "donor_email", "donor_amount", "currency", "status"],
        "properties": {
            "id": {"type": "integer"},
            "invoice_id": {"type": "string"},
            "donor_email": {"type": "string"},
            "donor_amount": {"type": "string", "examples": ["1500.00"]},
            "currency": {"type": "string"},
            "event_id": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(DonationStatus)},
            "kind": {"type": "string"},
            "subscription_id": {"type": ["string", "null"]},
            "payment_url": {"type": ["string", "null"], "description": "Куда отправить жертвователя."},
            "transaction_id": {"type": ["integer", "null"]},
            "is_first_donation": {"type": ["boolean", "null"]},
            "failure_reason": {"type": ["string", "null"]},
            "created_at": {"type": ["string", "null"]},
        },
    },
    "RecurringSubscription": {
        "type": "object",
        "description": "Регулярное пожертвование (подписка CloudPayments).",
        "required": ["id", "recurrent_email", "recurrent_amount", "frequency", "status"],
        "properties": {
            "id": {"type": "string", "description": "Наш идентификатор, sub-…"},
            "subscription_id": {
                "type": ["string", "null"],
                "description": "Идентификатор CloudPayments, sc_…",
            },
            "recurrent_email": {"type": "string"},
            "recurrent_amount": {"type": "string"},
            "currency": {"type": "string"},
            "frequency": {"type": "string", "enum": list(FREQUENCIES)},
            "event_id": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(SubscriptionStatus)},
            "cloudpayments_status": {"type": ["string", "null"]},
            "payment_url": {"type": ["string", "null"], "description": "Ссылка на первый платёж."},
            "successful_charges": {"type": "integer"},
            "total_charged": {"type": "string"},
            "failed_attempts": {"type": "integer"},
            "last_failure_reason": {"type": ["string", "null"]},
            "next_charge_at": {"type": ["string", "null"]},
            "ended_at": {"type": ["string", "null"]},
            "end_reason": {"type": ["string", "null"]},
            "pending_action": {"type": ["string", "null"]},
            "last_error": {"type": ["string", "null"]},
            "created_at": {"type": ["string", "null"]},
            "outcome": {"type": "string", "description": "Только в ответе на отмену."},
        },
    },
    "Event": _event(),
}

SECURITY_SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Токен из POST /api/v1/auth/token (время жизни ttl_seconds, по умолчанию "
        f"{tokens.DEFAULT_TTL} с). Отключение пользователя или смена пароля отзывает его токены.",
    },
    "cloudpaymentsContentHmac": {
        "type": "apiKey",
        "in": "header",
        "name": "Content-HMAC",
        "description": "base64(HMAC-SHA256(API secret CloudPayments, тело запроса как отправлено)).",
    },
    "cloudpaymentsXContentHmac": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Content-HMAC",
        "description": "То же по телу с раскодированными параметрами; достаточно одного из двух заголовков.",
    },
}

_ERRORS = {
    400: "Запрос не прошёл проверку: в message сказано, что не так, в field — какое поле. "
    "Ничего не изменено.",
    401: "Нет заголовка Authorization: Bearer, токен недействителен или истёк.",
    403: "У пользователя токена нет нужной роли.",
    404: "Не найдено.",
    409: "Конфликт с текущим состоянием (уже рассмотрено, запрос с тем же Idempotency-Key ещё выполняется).",
    422: "Idempotency-Key уже использован с другим телом запроса.",
    429: "Слишком много попыток; повторите через Retry-After секунд.",
    502: "CloudPayments отказал в операции.",
    503: "CloudPayments недоступен; повторите через Retry-After секунд. Ничего не сохранено.",
}
RESPONSES = {
    f"Error{status}": {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }
    for status, description in _ERRORS.items()
}

IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "Ключ повтора (1…255 символов): повторный запрос с тем же ключом и телом получает "
    "прежний ответ (с заголовком Idempotent-Replayed: true) и ничего не делает второй раз.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def json_content(schema: dict, example=None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"application/json": content}


def request_body(schema: dict, example=None, *, required: bool = True, description: str = "") -> dict:
    body = {"required": required, "content": json_content(schema, example)}
    if description:
        body["description"] = description
    return body


def obj(properties: dict, required: tuple[str, ...] = (), **extra) -> dict:
    """A JSON object that refuses unknown fields, as `validation.reject_unknown` does."""
    schema = {"type": "object", "additionalProperties": False, "properties": properties} | extra
    if required:
        schema["required"] = list(required)
    return schema


def ok(description: str, schema: dict | None = None, example=None) -> dict:
    answer = {"description": description}
    if schema is not None:
        answer["content"] = json_content(schema, example)
    return answer


def operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    roles: tuple[str, ...] | None,
    responses: dict,
    errors: tuple[int, ...] = (),
    description: str = "",
    body: dict | None = None,
    parameters: tuple[dict, ...] = (),
    idempotent: bool = False,
    security: list | None = None,
) -> dict:
    """One operation. `roles=None`: no token; `roles=()`: a token of any role; otherwise the
    roles `token_required` lets in (kept in `x-roles`, compared with the code by the tests)."""
    if roles is not None:
        errors = tuple(sorted({*errors, 401, *((403,) if roles else ())}))
        who = ", ".join(roles) if roles else "любая роль"
        description = f"{description}\n\n**Доступ:** токен Bearer, {who}.".strip()
    elif security is None:
        description = f"{description}\n\n**Доступ:** без токена.".strip()
    if idempotent:
        parameters = (*parameters, {"$ref": "#/components/parameters/IdempotencyKey"})
        errors = tuple(sorted({*errors, 409, 422}))
    result = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "tags": [tag],
        "responses": {
            **{str(status): answer for status, answer in responses.items()},
            **{str(status): {"$ref": f"#/components/responses/Error{status}"} for status in errors},
        },
        "x-roles": list(roles) if roles else ["ANY"] if roles is not None else [],
    }
    if roles is not None:
        result["security"] = [{BEARER: []}]
    else:
        result["security"] = security if security is not None else []
    if parameters:
        result["parameters"] = list(parameters)
    if body is not None:
        result["requestBody"] = body
    return result
