"""Seed 002, the rest: the audit of actions, usage statistics (JSON and XLSX) and quotas."""

from portal.api_docs.schemas import obj, ok, operation, request_body, text
from portal.models import Role
from portal.services.audit import SORT_FIELDS
from portal.services.audit_taxonomy import PROCESS_TYPES, SERVICES, STATUSES
from portal.services.usage import FIELDS, MAX_DAYS

TAG = {
    "name": "audit",
    "description": "Аудит действий, статистика использования и квоты (сервис авторизации, seed 002). "
    "service: EMAIL, DONATIONS, SUBSCRIPTIONS, EVENTS, ACCOUNT, ADMINISTRATION, UNIVERSAL — семейства "
    "API хаба; process_type: TRIGGER (триггеры Битрикс), OPERATION (прочие изменяющие вызовы), QUERY "
    "(чтение), AUTH, PORTAL (действия в портале).",
}
ADMIN = (Role.ADMIN,)
ANYONE = ()


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


SERVICE = _query("service", {"type": "string", "enum": list(SERVICES)}, "Только этот сервис.")
PROCESS_TYPE = _query(
    "process_type", {"type": "string", "enum": list(PROCESS_TYPES)}, "Только этот тип процесса."
)
USERNAME = _query(
    "username",
    {"type": "string", "minLength": 2, "maxLength": 256},
    "Чья статистика; другого пользователя видит только ADMIN (иначе 403).",
)
PERIOD = (
    _query("from", {"type": "string", "format": "date"}, "Первый день; по умолчанию — первое число месяца."),
    _query(
        "to",
        {"type": "string", "format": "date"},
        f"День, до которого (не включая) считать; по умолчанию — сегодня. Период не длиннее {MAX_DAYS} дней.",
    ),
)
LIMITS = {
    "process_type": {"type": "string", "enum": list(PROCESS_TYPES)},
    **dict.fromkeys(
        ("points_per_request", "points_per_day", "max_concurrent_execution"),
        {"type": "integer", "minimum": 1, "maximum": 1_000_000_000},
    ),
}
QUOTAS = {
    "type": "object",
    "required": ["base"],
    "properties": {
        "base": {
            "type": "object",
            "required": ["services"],
            "properties": {
                "services": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["service", "processes"],
                        "properties": {
                            "service": {"type": "string", "enum": list(SERVICES)},
                            "processes": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        **LIMITS,
                                        "custom": {
                                            "type": "boolean",
                                            "description": "Задана администратором (иначе — по умолчанию).",
                                        },
                                    },
                                },
                            },
                        },
                    },
                }
            },
        }
    },
}

PATHS = {
    "/api/v1/audit/actions": {
        "get": operation(
            "auditActions",
            "Действия пользователей за период",
            tag="audit",
            roles=ADMIN,
            description="Каждый вызов API (и отказанный) и каждое изменяющее действие в портале. "
            "Без периода — с начала текущего дня по текущее время. counters.overall — все действия периода, "
            "counters.filter — подходящие под фильтры. В одном ответе не больше 10 000 действий.",
            parameters=(
                _query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 10_000_000, "default": 100}),
                _query("from", {"type": "string", "format": "date-time"}, "С (включительно), ISO 8601."),
                _query("to", {"type": "string", "format": "date-time"}, "По (включительно), ISO 8601."),
                SERVICE,
                _query(
                    "operation",
                    {"type": "string", "minLength": 3, "maxLength": 256},
                    "Операция (имя маршрута).",
                ),
                PROCESS_TYPE,
                _query("status", {"type": "string", "enum": list(STATUSES)}),
                _query("username", {"type": "string", "minLength": 2, "maxLength": 256}),
                _query("sort_field", {"type": "string", "enum": list(SORT_FIELDS), "default": "time"}),
                _query("sort_direction", {"type": "string", "enum": ["ASC", "DESC"], "default": "ASC"}),
            ),
            responses={
                200: ok(
                    "Действия и счётчики.",
                    {
                        "type": "object",
                        "required": ["actions", "counters"],
                        "properties": {
                            "actions": {"type": "array", "items": {"type": "object"}},
                            "counters": {
                                "type": "object",
                                "properties": {
                                    "overall": {
                                        "type": "object",
                                        "properties": {"total": {"type": "integer"}},
                                    },
                                    "filter": {
                                        "type": "object",
                                        "properties": {"total": {"type": "integer"}},
                                    },
                                },
                            },
                        },
                    },
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/account/statistics": {
        "get": operation(
            "usageStatistics",
            "Статистика использования",
            tag="audit",
            roles=ANYONE,
            description="По дням, сервисам и типам процессов: "
            + ", ".join(FIELDS)
            + ". processes_per_day — успешные вызовы; points_per_day — элементы в них (получатели, "
            "номера писем; иначе 1), их считает дневная квота; unique_points_per_day — то же без "
            "повторов по Idempotency-Key; elements_per_day — элементы всех вызовов, и отказанных.",
            parameters=(*PERIOD, SERVICE, PROCESS_TYPE, USERNAME),
            responses={
                200: ok(
                    "Статистика.",
                    {
                        "type": "object",
                        "required": ["username", "dates"],
                        "properties": {
                            "username": {"type": "string"},
                            "dates": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                )
            },
            errors=(400, 404),
        )
    },
    "/api/v1/account/statistics/report": {
        "get": operation(
            "usageReport",
            "Отчёт об использовании (XLSX)",
            tag="audit",
            roles=ANYONE,
            description="Те же цифры файлом XLSX: заголовки по-русски, даты — датами, числа — числами.",
            parameters=(*PERIOD, SERVICE, PROCESS_TYPE, USERNAME),
            responses={
                200: {
                    "description": "Файл XLSX.",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                }
            },
            errors=(400, 404),
        )
    },
    "/api/v1/account/quotas": {
        "get": operation(
            "quotasGet",
            "Квоты пользователя",
            tag="audit",
            roles=ANYONE,
            description="Квоты на каждый сервис и тип процесса: заданные администратором (custom) или по "
            "умолчанию. Превышение — ответ 429 с Retry-After, запрос ничего не меняет; ADMIN не ограничен.",
            parameters=(USERNAME,),
            responses={200: ok("Квоты.", QUOTAS)},
            errors=(400, 404),
        ),
        "put": operation(
            "quotasPut",
            "Задать квоты пользователя",
            tag="audit",
            roles=ADMIN,
            description="Заменяет квоты пользователя перечисленными; не перечисленные сервисы и типы "
            "получают значения по умолчанию. Другие веб-процессы узнают об изменении в течение 10 с.",
            body=request_body(
                obj(
                    {
                        "username": text(2, 256, "Пользователь.", pattern=r"^\w+$"),
                        "base": {
                            "type": "object",
                            "description": "Как в ответе GET: services[] с processes[].",
                        },
                    },
                    ("username", "base"),
                ),
                {
                    "username": "bitrix",
                    "base": {
                        "services": [
                            {
                                "service": "EMAIL",
                                "processes": [
                                    {
                                        "process_type": "TRIGGER",
                                        "points_per_request": 1000,
                                        "points_per_day": 50000,
                                        "max_concurrent_execution": 8,
                                    }
                                ],
                            }
                        ]
                    },
                },
            ),
            responses={200: ok("Квоты после изменения.", QUOTAS)},
            errors=(400, 404),
        ),
    },
}
