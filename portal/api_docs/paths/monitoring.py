"""Monitoring (НФТ-5.2): the state of the hub's parts, its queues, and the alerts raised by rules."""

from portal.api_docs.schemas import ok, operation
from portal.models import Role, Severity
from portal.services.alerts import RULES
from portal.services.monitoring import CIRCUIT_OPEN, DEGRADED, DOWN, SERVICE_NAMES, UP

TAG = {
    "name": "monitoring",
    "description": "Мониторинг (НФТ-5.2): база данных, Redis, воркеры и провайдеры; очереди RQ; "
    "оповещения, которые правила поднимают и снимают сами.",
}
ADMIN = (Role.ADMIN,)
MOMENT = {"type": ["string", "null"], "format": "date-time"}
SERVICE = {
    "type": "object",
    "required": ["name", "title", "kind", "state", "latency_ms", "last_error"],
    "properties": {
        "name": {"type": "string", "enum": list(SERVICE_NAMES)},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": ["infrastructure", "worker", "provider"]},
        "state": {
            "type": "string",
            "enum": [UP, DEGRADED, DOWN, CIRCUIT_OPEN],
            "description": "Провайдеры не опрашиваются: состояние — по итогам вызовов хаба "
            "(circuit_open — цепь разомкнута после отказов подряд).",
        },
        "latency_ms": {"type": ["number", "null"]},
        "last_error": {"type": ["string", "null"], "description": "Без адресов и ключей."},
        "circuit": {"type": "string", "description": "Провайдер: closed, open, half_open."},
        "failures_in_a_row": {"type": "integer"},
        "recent_failures": {"type": ["integer", "null"]},
        "last_success_at": MOMENT,
        "last_failure_at": MOMENT,
        "circuit_open_until": MOMENT,
        "alive": {"type": "integer", "description": "Воркеры: живых."},
        "busy": {"type": "integer", "description": "Воркеры: занятых задачей."},
    },
}
QUEUE = {
    "type": "object",
    "required": [
        "name",
        "length",
        "started",
        "scheduled",
        "deferred",
        "failed",
        "oldest_job_age_seconds",
        "workers_alive",
    ],
    "properties": {
        "name": {"type": "string"},
        "length": {"type": "integer", "description": "Ждут выполнения."},
        "started": {"type": "integer"},
        "scheduled": {"type": "integer"},
        "deferred": {"type": "integer"},
        "failed": {"type": "integer"},
        "oldest_job_age_seconds": {"type": ["number", "null"]},
        "workers_alive": {"type": "integer"},
    },
}
ALERT = {
    "type": "object",
    "required": ["id", "rule", "key", "severity", "message", "active", "raised_at", "resolved_at"],
    "properties": {
        "id": {"type": "integer"},
        "rule": {"type": "string", "enum": list(RULES)},
        "key": {"type": "string", "description": "Чего касается: провайдер, очередь, источник вебхуков."},
        "severity": {"type": "string", "enum": list(Severity)},
        "message": {"type": "string"},
        "details": {"type": ["object", "null"]},
        "active": {"type": "boolean"},
        "raised_at": MOMENT,
        "last_seen_at": MOMENT,
        "acknowledged_by": {"type": ["string", "null"]},
        "acknowledged_at": MOMENT,
        "resolved_at": MOMENT,
    },
}

PATHS = {
    "/api/v1/monitoring/services": {
        "get": operation(
            "monitoringServices",
            "Состояние сервисов и подсистем",
            tag="monitoring",
            roles=ADMIN,
            description="База данных и Redis проверяются настоящим запросом (с задержкой), воркеры — по "
            "сердцебиению RQ, провайдеры — по итогам последних вызовов.",
            parameters=(
                {
                    "name": "service_name",
                    "in": "query",
                    "required": False,
                    "description": "Только этот сервис.",
                    "schema": {"type": "string", "enum": list(SERVICE_NAMES)},
                },
            ),
            responses={
                200: ok(
                    "Сервисы.",
                    {
                        "type": "object",
                        "required": ["services"],
                        "properties": {"services": {"type": "array", "items": SERVICE}},
                    },
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/monitoring/queues": {
        "get": operation(
            "monitoringQueues",
            "Состояние очередей",
            tag="monitoring",
            roles=ADMIN,
            description="Каждая очередь RQ: длина, выполняемые, отложенные, ожидающие зависимостей и "
            "упавшие задачи, возраст самой старой ждущей задачи, живые воркеры; и список воркеров.",
            responses={
                200: ok(
                    "Очереди и воркеры.",
                    {
                        "type": "object",
                        "required": ["queues", "workers"],
                        "properties": {
                            "queues": {"type": "array", "items": QUEUE},
                            "workers": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                )
            },
        )
    },
    "/api/v1/monitoring/alerts": {
        "get": operation(
            "monitoringAlerts",
            "Оповещения",
            tag="monitoring",
            roles=ADMIN,
            description="Оповещения правил (провайдер недоступен, доля ошибок доставки, очередь растёт или "
            "стоит, повторные вебхуки с неверной подписью): сначала действующие, затем снятые. "
            "Оповещение снимается само, когда условие пропадает.",
            parameters=(
                {
                    "name": "severity",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": list(Severity)},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                },
            ),
            responses={
                200: ok(
                    "Оповещения.",
                    {
                        "type": "object",
                        "required": ["alerts"],
                        "properties": {"alerts": {"type": "array", "items": ALERT}},
                    },
                )
            },
            errors=(400,),
        )
    },
}
