"""Seed 002's service operations: health, version, documentation; and this document itself."""

from portal.api_docs.schemas import ok, operation, ref

TAG = {"name": "system", "description": "Служебное: здоровье, версия, документация. Без токена."}

DOCS_NOT_FOUND = {
    "type": "object",
    "description": "Ошибка запроса файла документации (формат seed 002).",
    "required": ["resource_key", "message", "detail"],
    "properties": {
        "resource_key": {"type": "string", "description": "Запрошенное имя файла."},
        "message": {"type": "string"},
        "detail": {
            "type": "object",
            "required": ["tracedata"],
            "properties": {"tracedata": ref("TraceData")},
        },
    },
}
HEALTH = {
    "type": "object",
    "required": ["health"],
    "properties": {
        "health": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Доля работающих зависимостей (база данных, Redis).",
        }
    },
}

PATHS = {
    "/health": {
        "get": operation(
            "health",
            "Проверка доступности",
            tag="system",
            roles=None,
            description="Для балансировщиков и мониторинга.",
            responses={
                200: ok("Сервис работает (health > 0).", HEALTH, {"health": 1.0}),
                503: ok("Не отвечает ни база данных, ни Redis (health = 0).", HEALTH, {"health": 0.0}),
            },
        )
    },
    "/version": {
        "get": operation(
            "version",
            "Версия сервиса",
            tag="system",
            roles=None,
            responses={
                200: ok(
                    "Версия.",
                    {
                        "type": "object",
                        "required": ["major", "minor", "build"],
                        "properties": {
                            "major": {"type": "integer", "minimum": 1, "maximum": 100},
                            "minor": {"type": "integer", "minimum": 0, "maximum": 111},
                            "build": {"type": "string", "minLength": 1, "maxLength": 64},
                        },
                    },
                    {"major": 1, "minor": 0, "build": "dev"},
                )
            },
        )
    },
    "/api/v1/openapi.json": {
        "get": operation(
            "openapiDocument",
            "Этот документ OpenAPI",
            tag="system",
            roles=None,
            description="Описание всех JSON-операций хаба; секретов не содержит. В портале его показывает "
            "страница «API» (/api-docs).",
            responses={200: ok("Документ OpenAPI 3.1.", {"type": "object"})},
        )
    },
    "/docs/{filename}": {
        "get": operation(
            "documentationFile",
            "Файл документации",
            tag="system",
            roles=None,
            description="HTML-документация сервиса (seed 002): api_ru.html, api_en.html.",
            parameters=(
                {
                    "name": "filename",
                    "in": "path",
                    "required": True,
                    "description": "Имя файла.",
                    "schema": {"type": "string", "minLength": 6, "maxLength": 128},
                    "example": "api_ru.html",
                },
            ),
            responses={
                200: {
                    "description": "Файл в формате HTML.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                400: ok("Имя файла короче 6 или длиннее 128 символов.", DOCS_NOT_FOUND),
                404: ok("Такого файла документации нет.", DOCS_NOT_FOUND),
            },
        )
    },
}
