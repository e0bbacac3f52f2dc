"""Seed 002: tokens by username and password, token check, password change."""

from flask import g, jsonify, request

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import User
from portal.services import tokens
from portal.services.tokens import user_from_token
from portal.services.users import AuthenticationError, authenticate, change_password

USERNAME = r"\w+"


def _raise_auth_error(exc: AuthenticationError):
    if exc.retry_after:
        raise ApiError(
            429,
            f"слишком много неудачных попыток; повторите через {exc.retry_after} с",
            headers={"Retry-After": str(exc.retry_after)},
        )
    raise ApiError(401, "неверное имя пользователя или пароль")


@bp.post("/auth/token")
def auth_token():
    data = v.json_object()
    v.reject_unknown(data, {"username", "password", "ttl_seconds"})
    username = v.string(data, "username", min_len=2, max_len=256, pattern=USERNAME)
    password = v.string(data, "password", min_len=10, max_len=256)
    ttl = v.integer(data, "ttl_seconds", lo=tokens.MIN_TTL, hi=tokens.MAX_TTL, default=tokens.DEFAULT_TTL)
    try:
        user = authenticate(username, password)
    except AuthenticationError as exc:
        _raise_auth_error(exc)
    return jsonify(tokens.issue_token(user, ttl))


@bp.post("/auth/verify")
def auth_verify():
    """The body is the token as a JSON string (seed 002); {"token": …} is accepted too."""
    data = request.get_json(silent=True)
    token = data.get("token") if isinstance(data, dict) else data
    if not isinstance(token, str) or not token:
        raise ApiError(400, "тело запроса должно быть токеном в виде JSON-строки", field="token")
    user = user_from_token(token)
    return jsonify(valid=user is not None, roles=user.roles if user else [])


@bp.post("/auth/password")
@token_required()
def auth_password():
    data = v.json_object()
    v.reject_unknown(data, {"current_password", "new_password"})
    current = v.string(data, "current_password", min_len=10, max_len=256)
    new = v.string(data, "new_password", min_len=10, max_len=256)
    if new == current:
        raise ApiError(400, "поле new_password: новый пароль совпадает с текущим", field="new_password")
    user = db.session.get(User, g.api_user.id)
    try:
        change_password(user, current, new)
    except AuthenticationError:
        raise ApiError(403, "поле current_password: неверный текущий пароль", field="current_password")
    db.session.commit()
    tokens.forget_caller(user.id)
    return jsonify(tokens.issue_token(user))
