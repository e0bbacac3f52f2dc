"""Logs (НФТ-5.1): the application log kept in the database, and its CSV export."""

from portal.api_docs.schemas import ok, operation
from portal.models import Role
from portal.services.csv_export import DELIMITER
from portal.services.log_entries import CSV_HEADER, LEVELS

TAG = {
    "name": "logs",
    "description": "Журнал приложения (НФТ-5.1): записи уровня LOG_DB_LEVEL и выше из всех процессов "
    "(веб, воркеры), хранятся LOG_RETENTION_DAYS дней.",
}
ADMIN = (Role.ADMIN,)


def _query(name: str, description: str, schema: dict, example=None) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


FILTERS = (
    _query(
        "date_from",
        "Первый день (ГГГГ-ММ-ДД, включительно, DISPLAY_TIMEZONE).",
        {"type": "string", "format": "date"},
    ),
    _query(
        "date_to", "Последний день (включительно), не раньше date_from.", {"type": "string", "format": "date"}
    ),
    _query(
        "level",
        "Наименьший показываемый уровень: WARNING — предупреждения, ошибки и критические.",
        {"type": "string", "enum": list(LEVELS)},
        "WARNING",
    ),
    _query(
        "component", "Компонент — имя логгера, например mayak.webhooks.", {"type": "string", "maxLength": 128}
    ),
    _query(
        "search_text",
        "Текст в сообщении, контексте или трассировке.",
        {"type": "string", "maxLength": 200},
    ),
    _query(
        "request_id",
        "Все записи одного запроса (X-Request-ID) или задачи RQ.",
        {"type": "string", "maxLength": 64},
    ),
)
ENTRY = {
    "type": "object",
    "required": ["id", "time", "level", "component", "message", "context", "request_id", "exception"],
    "properties": {
        "id": {"type": "integer"},
        "time": {"type": "string", "format": "date-time"},
        "level": {"type": "string", "enum": list(LEVELS)},
        "component": {"type": "string"},
        "message": {"type": "string"},
        "context": {"type": ["object", "null"], "description": "Ключи, похожие на секреты, скрыты (***)."},
        "request_id": {"type": ["string", "null"]},
        "exception": {"type": ["string", "null"], "description": "Трассировка исключения."},
    },
}

PATHS = {
    "/api/v1/logs": {
        "get": operation(
            "logsList",
            "Журнал приложения",
            tag="logs",
            roles=ADMIN,
            description="Записи журнала, новые сначала, с фильтрами и страницами.",
            parameters=(
                *FILTERS,
                _query(
                    "page", "Страница.", {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}
                ),
                _query(
                    "limit",
                    "Записей на странице.",
                    {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                ),
            ),
            responses={
                200: ok(
                    "Страница журнала.",
                    {
                        "type": "object",
                        "required": ["items", "total", "page", "limit", "pages", "filters"],
                        "properties": {
                            "items": {"type": "array", "items": ENTRY},
                            "total": {"type": "integer", "minimum": 0},
                            "page": {"type": "integer"},
                            "limit": {"type": "integer"},
                            "pages": {"type": "integer"},
                            "filters": {"type": "object", "description": "Применённые фильтры."},
                        },
                    },
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/logs/export/csv": {
        "get": operation(
            "logsExportCsv",
            "Журнал в CSV",
            tag="logs",
            roles=ADMIN,
            description="Все записи под фильтрами, потоком (память не растёт с числом строк). UTF-8 с BOM, "
            f"разделитель «{DELIMITER}»; ячейка, начинающаяся с =, +, -, @, табуляции или CR, получает "
            "спереди апостроф. Колонки: " + ", ".join(CSV_HEADER) + ".",
            parameters=(
                *FILTERS,
                _query("format", "Формат выгрузки.", {"type": "string", "enum": ["csv"], "default": "csv"}),
            ),
            responses={
                200: {
                    "description": "CSV (logs.csv в Content-Disposition).",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            },
            errors=(400,),
        )
    },
}
