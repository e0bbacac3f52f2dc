"""The one OpenAPI 3.1 document of the hub's JSON API, assembled from the area modules.

To document a new endpoint: add its operation to the area's module in `paths/` (or a new
module with TAG and PATHS, and SCHEMAS for schemas of its own, listed in AREAS below);
tests/api_docs checks that every route of the `api`, `webhooks` and `system` blueprints has an
operation and every operation a route.
"""

from functools import cache

from portal.api_docs import schemas
from portal.api_docs.paths import (
    audit,
    auth,
    events,
    logs,
    mailing,
    monitoring,
    payments,
    retry,
    statistics,
    system,
    templates,
    users,
    webhooks,
)
from portal.system import VERSION_MAJOR, VERSION_MINOR

AREAS = (
    auth,
    mailing,
    payments,
    events,
    templates,
    retry,
    statistics,
    logs,
    monitoring,
    users,
    audit,
    webhooks,
    system,
)

DESCRIPTION = """\
JSON API интеграционного хаба «Маяк»: триггеры писем и платежей из Битрикс, операции хаба, \
модерация Событий, уведомления провайдеров.

* **Авторизация** — токен из `POST /api/v1/auth/token` в заголовке `Authorization: Bearer <токен>`.
* **Ошибки** — в одном конверте `{"message", "tracedata", "field"}` (схема `Error`); запрос, \
не прошедший проверку, ничего не меняет.
* **Повторы** — POST-операции с заголовком `Idempotency-Key` выполняются один раз.
* **Вебхуки** не требуют токена: их проверяет подпись провайдера.
* **Кратко по-русски и по-английски** — [/docs/api_ru.html](/docs/api_ru.html), \
[/docs/api_en.html](/docs/api_en.html).
"""


@cache
def openapi_document() -> dict:
    """The document as a dict, ready for JSON (built once per process)."""
    paths: dict = {}
    area_schemas: dict = {}
    for area in AREAS:
        for path, operations in area.PATHS.items():
            paths.setdefault(path, {}).update(operations)
        for name, schema in getattr(area, "SCHEMAS", {}).items():
            assert name not in schemas.SCHEMAS and name not in area_schemas, f"schema {name} defined twice"
            area_schemas[name] = schema
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Маяк — интеграционный хаб",
            "version": f"{VERSION_MAJOR}.{VERSION_MINOR}",
            "description": DESCRIPTION,
        },
        "tags": [area.TAG for area in AREAS],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**schemas.SCHEMAS, **area_schemas},
            "responses": schemas.RESPONSES,
            "parameters": {"IdempotencyKey": schemas.IDEMPOTENCY_PARAMETER},
            "securitySchemes": schemas.SECURITY_SCHEMES,
        },
    }
