"""Letter templates (ФТ-018): reading, saving a version, rolling back, sending a test letter."""

from portal.api_docs.schemas import ISO_MOMENT, email, nullable, obj, ok, operation, ref, request_body, text
from portal.models import Role
from portal.services import template_editing as editing

TAG = {
    "name": "templates",
    "description": "Шаблоны писем (ФТ-018): каждое сохранение — новая версия с автором, откат к любой "
    "версии, тестовое письмо. Шаблоны отрисовываются в песочнице Jinja.",
}
ADMIN = (Role.ADMIN,)
MAX_BODY = 200_000

TEMPLATE_ID = {
    "name": "template_id",
    "in": "path",
    "required": True,
    "description": "Id шаблона (число) или его код.",
    "schema": {"type": "string", "minLength": 1},
    "example": "registration",
}
VARIABLE_NAME = f"^{editing.VARIABLE_NAME.pattern}$"

SCHEMAS = {
    "MessageTemplate": {
        "type": "object",
        "description": "Шаблон письма. Текст (subject, body_html, body_text, variables, sample_values) — "
        "в GET /api/v1/templates/{template_id} и в ответах на сохранение и откат, не в списке.",
        "required": ["template_id", "code", "name", "trigger", "channel", "version", "updated_at"],
        "properties": {
            "template_id": {"type": "integer"},
            "code": {"type": "string", "description": "Код шаблона.", "examples": ["registration"]},
            "name": {"type": "string", "description": "Название для людей."},
            "trigger": {"type": "string", "description": "Что вызывает письмо."},
            "channel": {"type": "string", "examples": ["email"]},
            "version": {"type": "integer", "minimum": 1, "description": "Текущая версия."},
            "updated_at": {**ISO_MOMENT, "description": "Последнее сохранение."},
            "updated_by": {
                "type": ["string", "null"],
                "description": "Кто сохранил (null — начальная версия).",
            },
            "subject": {"type": "string"},
            "body_html": {"type": "string"},
            "body_text": {"type": "string"},
            "variables": {"type": "array", "items": {"type": "string"}},
            "sample_values": {
                "type": "object",
                "description": "Примеры значений переменных для предпросмотра и тестового письма.",
            },
            "versions": {
                "type": "array",
                "description": "Версии, от новой к старой; только в GET /api/v1/templates/{template_id}.",
                "items": ref("MessageTemplateVersion"),
            },
            "saved_version": {
                "type": "integer",
                "description": "Номер версии, созданной запросом; только в ответах PUT и rollback.",
            },
        },
    },
    "MessageTemplateVersion": {
        "type": "object",
        "required": ["version", "author", "created_at", "note"],
        "properties": {
            "version": {"type": "integer", "minimum": 1},
            "author": {"type": ["string", "null"]},
            "created_at": ISO_MOMENT,
            "note": {"type": ["string", "null"], "description": "Комментарий к сохранению."},
        },
    },
    "TemplateRefused": {
        "type": "object",
        "description": "Шаблон не сохранён: конверт Error и problems — что не так, по частям шаблона.",
        "required": ["message", "tracedata", "problems"],
        "properties": {
            "message": {"type": "string"},
            "tracedata": ref("TraceData"),
            "problems": {
                "type": "object",
                "description": "Часть (subject, body_html, body_text, variables, preview) → список проблем.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "examples": [{"body_html": ["переменная «amount» не объявлена"]}],
            },
        },
    },
}

TEMPLATE = ref("MessageTemplate")
SAVED = "Сохранено: шаблон с телом и saved_version — номер новой версии."

PATHS = {
    "/api/v1/templates": {
        "get": operation(
            "templatesList",
            "Шаблоны писем",
            tag="templates",
            roles=ADMIN,
            description="Все шаблоны по id: что вызывает письмо, канал, версия, кто и когда сохранил.",
            responses={
                200: ok(
                    "Шаблоны (без тел).",
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": TEMPLATE}},
                    },
                )
            },
        )
    },
    "/api/v1/templates/{template_id}": {
        "get": operation(
            "templatesGet",
            "Шаблон с текстом и версиями",
            tag="templates",
            roles=ADMIN,
            parameters=(TEMPLATE_ID,),
            responses={200: ok("Шаблон.", TEMPLATE)},
            errors=(404,),
        ),
        "put": operation(
            "templatesUpdate",
            "Сохранить новую версию шаблона",
            tag="templates",
            roles=ADMIN,
            description="Сохраняет шаблон целиком как новую версию (с автором — пользователем токена). "
            "Тело проверяется до поиска шаблона. Шаблон, который не разбирается, использует "
            "необъявленную переменную, не проходит песочницу или не отрисовывается с примерами "
            f"значений, не сохраняется (422, problems). Не больше {editing.MAX_VARIABLES} переменных, "
            f"пример значения — до {editing.MAX_SAMPLE} символов (иначе 422).",
            parameters=(TEMPLATE_ID,),
            body=request_body(
                obj(
                    {
                        "subject": text(1, editing.MAX_SUBJECT, "Тема (Jinja); не из одних пробелов."),
                        "body_html": text(1, MAX_BODY, "HTML-версия (Jinja, значения экранируются)."),
                        "body_text": nullable(
                            text(0, MAX_BODY, "Текстовая версия; null или без поля — пусто.")
                        ),
                        "variables": {
                            "type": "array",
                            "items": {"type": "string", "pattern": VARIABLE_NAME},
                            "uniqueItems": True,
                            "maxItems": editing.MAX_VARIABLES,
                            "description": "Объявленные переменные: латинские буквы, цифры и _, не с цифры. "
                            "Не строка в списке — 400; неверное имя, повтор или больше "
                            f"{editing.MAX_VARIABLES} — 422.",
                        },
                        "sample_values": {
                            "type": "object",
                            "additionalProperties": {"type": ["string", "number", "boolean"]},
                            "description": "Примеры значений (строка, число, логическое); ключи не из "
                            "variables отбрасываются. Без поля — прежние примеры шаблона.",
                        },
                        "base_version": {
                            "type": ["integer", "null"],
                            "minimum": 1,
                            "maximum": 1_000_000,
                            "description": "Версия, с которой начата правка: если с тех пор шаблон сохранил "
                            "кто-то другой — 409, ничего не сохранено. Без поля — текущая.",
                        },
                        "note": nullable(text(1, 256, "Комментарий к версии.")),
                    },
                    ("subject", "body_html", "variables"),
                ),
                {
                    "subject": "Спасибо, {{ user_name }}",
                    "body_html": "<p>Здравствуйте, {{ user_name }}!</p>",
                    "body_text": "Здравствуйте, {{ user_name }}!",
                    "variables": ["user_name"],
                    "sample_values": {"user_name": "Анна"},
                    "base_version": 1,
                    "note": "теплее",
                },
            ),
            responses={
                200: ok(SAVED, TEMPLATE),
                409: ok("Шаблон уже сохранил кто-то другой после base_version.", ref("Error")),
                422: ok("Шаблон не сохранён; problems — почему.", ref("TemplateRefused")),
            },
            errors=(400, 404),
        ),
    },
    "/api/v1/templates/{template_id}/rollback": {
        "post": operation(
            "templatesRollback",
            "Откатить шаблон к версии",
            tag="templates",
            roles=ADMIN,
            description="Содержимое старой версии сохраняется как новая версия (история не переписывается).",
            parameters=(TEMPLATE_ID,),
            body=request_body(
                obj(
                    {
                        "version": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1_000_000,
                            "description": "Номер версии, которую вернуть.",
                        }
                    },
                    ("version",),
                ),
                {"version": 1},
            ),
            responses={
                200: ok(SAVED, TEMPLATE),
                404: ok("Нет шаблона или у него нет такой версии (field: version).", ref("Error")),
                422: ok("Старая версия не проходит нынешние проверки (field: version).", ref("Error")),
            },
            errors=(400,),
        )
    },
    "/api/v1/templates/{template_id}/test": {
        "post": operation(
            "templatesTest",
            "Отправить тестовое письмо",
            tag="templates",
            roles=ADMIN,
            description="Сохранённый шаблон с примерами значений уходит на указанный адрес обычным путём "
            "(очередь, провайдер) и виден в журнале писем (kind template_test).",
            parameters=(TEMPLATE_ID,),
            body=request_body(
                obj({"email": email("Куда отправить.")}, ("email",)),
                {"email": "ivanova@example.org"},
            ),
            responses={
                202: ok(
                    "Письмо в очереди.",
                    {
                        "type": "object",
                        "required": ["message_id", "recipient", "status"],
                        "properties": {
                            "message_id": {"type": "integer", "description": "GET /api/v1/messages/{id}."},
                            "recipient": {"type": "string"},
                            "status": {"type": "string", "examples": ["queued"]},
                        },
                    },
                )
            },
            errors=(400, 404),
        )
    },
}
