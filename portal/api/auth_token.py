"""Bearer-token authentication for the API."""

from functools import wraps

from flask import g, request

from portal.api.errors import ApiError
from portal.services.quotas import QuotaExceeded, admit
from portal.services.tokens import caller_from_token


def token_required(*roles: str):
    """Require a valid Bearer token whose user holds one of the roles (any role if none)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise ApiError(
                    401,
                    "нужен заголовок Authorization: Bearer <токен>",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            user = caller_from_token(token.strip())
            if user is None:
                raise ApiError(
                    401,
                    "токен недействителен или истёк",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            g.api_user = user
            if roles and not user.has_role(*roles):
                raise ApiError(403, "недостаточно прав для этой операции")
            try:
                admit(user)
            except QuotaExceeded as exc:
                headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
                raise ApiError(429, exc.message, headers=headers)
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(roles) or ("ANY",)
        return wrapped

    return decorator
