"""Failed letters (ФТ-019): the list by filter and resending them."""

from portal.api.retry import LIST_ARGS
from portal.api_docs.schemas import ISO_MOMENT, obj, ok, operation, ref, request_body
from portal.models import MessageStatus, Role
from portal.services.resending import MAX_IDS, RESENDABLE

TAG = {
    "name": "retry",
    "description": "Повторная отправка писем с ошибкой (ФТ-019). Переотправка создаёт новое письмо, "
    "исходное остаётся в журнале с отметкой; письмо, уже переотправленное или не в статусе ошибки, "
    "не отправляется (причина — в refusal).",
}
ADMIN = (Role.ADMIN,)
CHANNELS = ["email", "sms"]


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


DATE = {"type": "string", "format": "date", "examples": ["2026-11-01"]}
FILTER_FIELDS = {
    "status": (
        {"type": "string", "enum": list(RESENDABLE), "default": MessageStatus.FAILED.value},
        "Статус писем.",
    ),
    "date_from": (DATE, "Созданы не раньше этого дня (ГГГГ-ММ-ДД, местное время хаба)."),
    "date_to": (DATE, "Созданы не позже этого дня (включительно); не раньше date_from."),
    "template": ({"type": "string"}, "Код шаблона (учитываются первые 64 символа)."),
    "channel": ({"type": "string", "enum": CHANNELS}, "Канал; без параметра — любой."),
    "error_text": ({"type": "string"}, "Часть текста ошибки, без учёта регистра (первые 256 символов)."),
    "recipient": ({"type": "string"}, "Часть адреса получателя, без учёта регистра (первые 256 символов)."),
}
assert set(FILTER_FIELDS) | {"page", "limit"} == LIST_ARGS, "every filter of /retry/list is documented"

SCHEMAS = {
    "FailedMessage": {
        "allOf": [
            ref("Message"),
            {
                "type": "object",
                "required": ["unsend_email_id"],
                "properties": {
                    "unsend_email_id": {
                        "type": "integer",
                        "description": "Номер письма (= id) для переотправки.",
                    }
                },
            },
        ]
    },
    "ResendRun": {
        "type": "object",
        "description": "Переотправка: выбранные письма (выполнена сразу) или все по фильтру (выполняется "
        "в фоне частями; state running, пока не done).",
        "required": ["run_id", "state", "total", "processed", "resent", "refused", "by_status", "created_at"],
        "properties": {
            "run_id": {"type": "integer", "description": "GET /api/v1/retry/runs/{run_id}."},
            "state": {"type": "string", "enum": ["running", "done"]},
            "total": {"type": "integer", "minimum": 0, "description": "Писем к переотправке."},
            "processed": {"type": "integer", "minimum": 0},
            "resent": {"type": "integer", "minimum": 0, "description": "Поставлено в очередь заново."},
            "refused": {"type": "integer", "minimum": 0, "description": "Не переотправлено (см. refusal)."},
            "by_status": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Новые письма по их нынешнему статусу.",
                "examples": [{"delivered": 3, "queued": 1}],
            },
            "created_at": ISO_MOMENT,
            "created_by": {"type": ["string", "null"]},
            "filter": {
                "type": ["object", "null"],
                "description": "Фильтр переотправки «все по фильтру»; null — выбранные письма.",
            },
            "items": {
                "type": "array",
                "maxItems": MAX_IDS,
                "items": ref("ResendItem"),
                "description": f"Исход по каждому письму (первые {MAX_IDS}); нет в ответе 202.",
            },
        },
    },
    "ResendItem": {
        "type": "object",
        "required": ["unsend_email_id", "refusal"],
        "properties": {
            "unsend_email_id": {"type": "integer", "description": "Исходное письмо."},
            "refusal": {
                "type": ["string", "null"],
                "description": "Почему не переотправлено (нет такого письма, уже переотправлено, "
                "не в статусе ошибки); null — переотправлено.",
            },
            "new_message_id": {"type": "integer", "description": "Новое письмо, если переотправлено."},
            "status": {"type": "string", "enum": list(MessageStatus), "description": "Статус нового письма."},
            "last_error": {"type": ["string", "null"]},
        },
    },
}

IDS = {
    "type": ["array", "integer"],
    "minimum": 1,
    "items": {"type": "integer", "minimum": 1},
    "minItems": 1,
    "maxItems": MAX_IDS,
    "description": f"Номера писем (от 1 до {MAX_IDS}; одно число — одно письмо).",
    "examples": [[1201, 1202]],
}

PATHS = {
    "/api/v1/retry/list": {
        "get": operation(
            "retryList",
            "Письма с ошибкой",
            tag="retry",
            roles=ADMIN,
            description="Ещё не переотправленные письма в статусе ошибки, от новых к старым. "
            "Неизвестный параметр — 400.",
            parameters=(
                *(_query(name, schema, text) for name, (schema, text) in FILTER_FIELDS.items()),
                _query(
                    "page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}, "Страница."
                ),
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                    "Писем на странице.",
                ),
            ),
            responses={
                200: ok(
                    "Страница писем.",
                    {
                        "type": "object",
                        "required": ["items", "total", "page", "limit", "pages"],
                        "properties": {
                            "items": {"type": "array", "items": ref("FailedMessage")},
                            "total": {"type": "integer", "description": "Писем под фильтром."},
                            "page": {"type": "integer"},
                            "limit": {"type": "integer"},
                            "pages": {"type": "integer"},
                        },
                    },
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/retry/send": {
        "post": operation(
            "retrySend",
            "Переотправить письма",
            tag="retry",
            roles=ADMIN,
            description="Ровно одно из: unsend_email_id — выбранные письма "
            "переотправляются сразу, ответ 200 с исходом по каждому; filter — все письма под фильтром "
            "переотправляются в фоне, ответ 202, ход — GET /api/v1/retry/runs/{run_id}. Два "
            "администратора, переотправляющие одно письмо одновременно, отправят одну копию.",
            body=request_body(
                obj(
                    {
                        "unsend_email_id": IDS,
                        "filter": obj(
                            {
                                **{
                                    name: {**schema, "description": text}
                                    for name, (schema, text) in FILTER_FIELDS.items()
                                },
                                "page": {"description": "Допускается и не учитывается."},
                                "limit": {"description": "Допускается и не учитывается."},
                            },
                            description="Фильтр как у GET /api/v1/retry/list "
                            "(значения — строки; null — как отсутствие).",
                        ),
                    },
                    oneOf=[
                        {"required": ["unsend_email_id"]},
                        {"required": ["filter"]},
                    ],
                ),
                {"unsend_email_id": [1201, 1202]},
            ),
            responses={
                200: ok("Выбранные письма обработаны: исход по каждому в items.", ref("ResendRun")),
                202: ok("Переотправка по фильтру начата в фоне.", ref("ResendRun")),
                404: ok("Под фильтр не подходит ни одно письмо (field: filter).", ref("Error")),
            },
            errors=(400,),
        )
    },
    "/api/v1/retry/runs/{run_id}": {
        "get": operation(
            "retryRun",
            "Ход и исход переотправки",
            tag="retry",
            roles=ADMIN,
            parameters=(
                {
                    "name": "run_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                },
            ),
            responses={200: ok("Переотправка с исходом по письмам.", ref("ResendRun"))},
            errors=(404,),
        )
    },
}
