"""Seed 002: tokens, token check, password change, one's own account."""

from portal.api.account import EDITABLE
from portal.api.auth import USERNAME
from portal.api_docs.schemas import email, nullable, obj, ok, operation, ref, request_body, text
from portal.services import tokens

TAG = {"name": "auth", "description": "Токены и учётная запись вызывающего (seed 002)."}

PASSWORD = text(10, 256, "Пароль.", format="password")

PATHS = {
    "/api/v1/auth/token": {
        "post": operation(
            "authToken",
            "Получить токен по имени и паролю",
            tag="auth",
            roles=None,
            description="После нескольких неудачных попыток подряд вход для имени временно закрыт (429).",
            body=request_body(
                obj(
                    {
                        "username": text(
                            2, 256, "Имя пользователя: буквы, цифры и _.", pattern=f"^{USERNAME}$"
                        ),
                        "password": PASSWORD,
                        "ttl_seconds": {
                            "type": "integer",
                            "minimum": tokens.MIN_TTL,
                            "maximum": tokens.MAX_TTL,
                            "default": tokens.DEFAULT_TTL,
                            "description": "Время жизни токена, секунды.",
                        },
                    },
                    ("username", "password"),
                ),
                {"username": "bitrix_partner", "password": "long_strong_password", "ttl_seconds": 86400},
            ),
            responses={200: ok("Токен (JSON-строка).", ref("Token"))},
            errors=(400, 401, 429),
        )
    },
    "/api/v1/auth/verify": {
        "post": operation(
            "authVerify",
            "Проверить токен",
            tag="auth",
            roles=None,
            description='Тело — сам токен как JSON-строка (seed 002); принимается и объект {"token": …}.',
            body=request_body(
                {
                    "oneOf": [
                        {**ref("Token")},
                        obj({"token": text(1, 100_000, "Токен.")}, ("token",)),
                    ]
                },
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…",
            ),
            responses={
                200: ok(
                    "Действителен ли токен и роли его пользователя.",
                    {
                        "type": "object",
                        "required": ["valid", "roles"],
                        "properties": {
                            "valid": {"type": "boolean"},
                            "roles": {"type": "array", "items": ref("Role"), "uniqueItems": True},
                        },
                    },
                    {"valid": True, "roles": ["PARTNER"]},
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/auth/password": {
        "post": operation(
            "authPassword",
            "Сменить пароль и получить новый токен",
            tag="auth",
            roles=(),
            description="Прежние токены пользователя перестают действовать. Неверный текущий пароль — 403.",
            body=request_body(
                obj(
                    {"current_password": PASSWORD, "new_password": PASSWORD},
                    ("current_password", "new_password"),
                ),
                {"current_password": "long_strong_password", "new_password": "another_long_password"},
            ),
            responses={200: ok("Новый токен.", ref("Token"))},
            errors=(400,),
        )
    },
    "/api/v1/account": {
        "get": operation(
            "accountGet",
            "Получить свою учётную запись",
            tag="auth",
            roles=(),
            responses={200: ok("Учётная запись.", ref("Account"))},
        ),
        "put": operation(
            "accountUpdate",
            "Изменить свою учётную запись",
            tag="auth",
            roles=(),
            description="Меняются только переданные поля: " + ", ".join(sorted(EDITABLE)) + ".",
            body=request_body(
                obj(
                    {
                        "specification": nullable(text(2, 256, "Описание пользователя.")),
                        "email": nullable({**email("Почта пользователя."), "minLength": 5}),
                        "phone": nullable(text(5, 32, "Телефон.", pattern=r"^\+?[0-9 ()\-]+$")),
                        "attributes": {
                            "type": ["array", "null"],
                            "maxItems": 1000,
                            "uniqueItems": True,
                            "items": {"type": "object"},
                            "description": "Служебные атрибуты (объекты, без повторов); null — очистить.",
                        },
                    }
                ),
                {"specification": "Битрикс фонда", "phone": "+7 912 345-67-89"},
            ),
            responses={200: ok("Учётная запись после изменения.", ref("Account"))},
            errors=(400,),
        ),
    },
}
