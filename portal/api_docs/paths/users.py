"""Accounts administered over the API (the portal's Users page as JSON)."""

from portal.api.users import MAX_LIMIT, PROFILE
from portal.api_docs.schemas import email, nullable, obj, ok, operation, ref, request_body, text
from portal.models import Role
from portal.services import accounts, tokens

TAG = {
    "name": "users",
    "description": "Учётные записи сотрудников и партнёров: создание, изменение, отключение, сброс пароля, "
    "выдача токена партнёру. Последнего включённого администратора отключить или лишить роли ADMIN "
    "нельзя; себя тоже (409).",
}
ADMIN = (Role.ADMIN,)

USERNAME = {
    "name": "username",
    "in": "path",
    "required": True,
    "description": "Имя пользователя.",
    "schema": {"type": "string"},
    "example": "crm_partner",
}
WORD = "буквы любого алфавита, цифры и _"
ROLES = {
    "type": "array",
    "items": ref("Role"),
    "uniqueItems": True,
    "maxItems": accounts.MAX_ROLES,
    "description": f"Роли, не больше {accounts.MAX_ROLES}, без повторов.",
}
PROFILE_FIELDS = {
    "specification": nullable(text(2, 256, "Описание пользователя.")),
    "email": nullable({**email("Почта пользователя."), "minLength": 5}),
    "phone": nullable(text(5, 32, "Телефон.", pattern=f"^{accounts.PHONE_PATTERN}$")),
    "company_key": text(3, 256, f"Идентификатор компании: {WORD}.", pattern=f"^{accounts.COMPANY_PATTERN}$"),
    "timezone": {
        "type": "integer",
        "minimum": -12,
        "maximum": 12,
        "description": "Часовой пояс, часы от UTC.",
    },
    "attributes": {
        "type": ["array", "null"],
        "maxItems": 1000,
        "uniqueItems": True,
        "items": {"type": "object"},
        "description": "Служебные атрибуты (объекты, без повторов); null — очистить.",
    },
}
assert set(PROFILE_FIELDS) == PROFILE, "every profile field of /api/v1/users is documented"
ENABLED = {"type": "boolean", "description": "false — отключить: все сеансы и токены перестают действовать."}
REFUSED = "Отказ: последний включённый администратор или сам вызывающий."

PATHS = {
    "/api/v1/users": {
        "get": operation(
            "usersList",
            "Учётные записи",
            tag="users",
            roles=ADMIN,
            description="По имени пользователя, с фильтрами.",
            parameters=(
                {"name": "role", "in": "query", "required": False, "schema": ref("Role")},
                {
                    "name": "enabled",
                    "in": "query",
                    "required": False,
                    "description": "true — только включённые, false — только отключённые; без него — все.",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
                {
                    "name": "search",
                    "in": "query",
                    "required": False,
                    "description": "Часть имени, почты, описания или компании, без учёта регистра "
                    "(первые 256 символов).",
                    "schema": {"type": "string"},
                },
                {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
                },
            ),
            responses={
                200: ok(
                    "Учётные записи.",
                    {
                        "type": "object",
                        "required": ["users", "total", "offset", "limit"],
                        "properties": {
                            "users": {"type": "array", "items": ref("Account")},
                            "total": {"type": "integer", "description": "Всего под фильтром."},
                            "offset": {"type": "integer"},
                            "limit": {"type": "integer"},
                        },
                    },
                )
            },
            errors=(400,),
        ),
        "post": operation(
            "usersCreate",
            "Создать учётную запись",
            tag="users",
            roles=ADMIN,
            description="Без пароля хаб создаёт его сам и возвращает в поле password — один раз.",
            body=request_body(
                obj(
                    {
                        "username": text(
                            2, 256, f"Уникальное имя: {WORD}.", pattern=f"^{accounts.USERNAME_PATTERN}$"
                        ),
                        "password": nullable(text(10, 256, "Пароль; без поля или null — создаётся хабом.")),
                        "roles": ROLES,
                        **PROFILE_FIELDS,
                        "enabled": {
                            **ENABLED,
                            "default": True,
                            "description": "false — создать отключённой.",
                        },
                    },
                    ("username", "roles", "company_key"),
                ),
                {
                    "username": "crm_partner",
                    "roles": ["PARTNER"],
                    "company_key": "fond_mayak",
                    "specification": "CRM фонда",
                    "email": "crm@example.org",
                    "phone": "+7 912 345-67-89",
                    "timezone": 3,
                },
            ),
            responses={
                201: ok(
                    "Создано.",
                    {
                        "allOf": [
                            ref("Account"),
                            {
                                "type": "object",
                                "properties": {
                                    "password": {
                                        "type": "string",
                                        "description": "Пароль, созданный хабом (если его не передали).",
                                    }
                                },
                            },
                        ]
                    },
                ),
                409: ok("Имя уже занято (field: username).", ref("Error")),
            },
            errors=(400,),
        ),
    },
    "/api/v1/users/{username}": {
        "get": operation(
            "usersGet",
            "Учётная запись",
            tag="users",
            roles=ADMIN,
            parameters=(USERNAME,),
            responses={200: ok("Учётная запись.", ref("Account"))},
            errors=(404,),
        ),
        "patch": operation(
            "usersUpdate",
            "Изменить учётную запись",
            tag="users",
            roles=ADMIN,
            description="Меняются только переданные поля; roles заменяет роли целиком. Тело проверяется "
            "до поиска пользователя.",
            parameters=(USERNAME,),
            body=request_body(
                obj({**PROFILE_FIELDS, "roles": ROLES, "enabled": ENABLED}),
                {"specification": "CRM фонда, отдел писем", "roles": ["PARTNER"], "enabled": True},
            ),
            responses={
                200: ok("Учётная запись после изменения.", ref("Account")),
                409: ok(REFUSED, ref("Error")),
            },
            errors=(400, 404),
        ),
    },
    "/api/v1/users/{username}/password-reset": {
        "post": operation(
            "usersPasswordReset",
            "Сбросить пароль",
            tag="users",
            roles=ADMIN,
            description="Хаб создаёт новый пароль и возвращает его один раз; прежний пароль, сеансы и "
            "токены пользователя перестают действовать. Тело не нужно.",
            parameters=(USERNAME,),
            responses={
                200: ok(
                    "Новый пароль.",
                    {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                    },
                ),
                409: ok("Свой пароль так не сбрасывают (POST /api/v1/auth/password).", ref("Error")),
            },
            errors=(404,),
        )
    },
    "/api/v1/users/{username}/tokens": {
        "post": operation(
            "usersToken",
            "Выдать токен",
            tag="users",
            roles=ADMIN,
            description="Токен для системы партнёра с выбранным временем жизни; тело можно не передавать.",
            parameters=(USERNAME,),
            body=request_body(
                obj(
                    {
                        "ttl_seconds": {
                            "type": "integer",
                            "minimum": tokens.MIN_TTL,
                            "maximum": tokens.MAX_TTL,
                            "default": tokens.DEFAULT_TTL,
                            "description": "Время жизни токена, секунды.",
                        }
                    }
                ),
                {"ttl_seconds": 2_592_000},
                required=False,
            ),
            responses={
                201: ok(
                    "Токен выдан.",
                    {
                        "type": "object",
                        "required": ["username", "token", "ttl_seconds"],
                        "properties": {
                            "username": {"type": "string"},
                            "token": ref("Token"),
                            "ttl_seconds": {"type": "integer"},
                        },
                    },
                ),
                409: ok("Учётная запись отключена: токен не выдаётся.", ref("Error")),
            },
            errors=(400, 404),
        )
    },
}
