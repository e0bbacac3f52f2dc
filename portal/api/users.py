"""Accounts administered over the API (the portal's Users page, as JSON): ADMIN only."""

from flask import g, jsonify, request

from portal.api import bp
from portal.api import query_params as q
from portal.api import validation as v
from portal.api.account import account_to_dict, editable_fields
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import Role, User
from portal.services import accounts, tokens
from portal.services.accounts import AccountRefused, UsernameTaken

PROFILE = {"specification", "email", "phone", "company_key", "timezone", "attributes"}
REFUSALS = {
    "last_admin": "нельзя отключить последнего включённого администратора или снять с него роль ADMIN",
    "self": "нельзя отключить себя, снять с себя роль ADMIN или сбросить себе пароль; "
    "попросите другого администратора",
    "disabled": "учётная запись отключена: токен ей не выдаётся",
}
MAX_LIMIT = 1000


@bp.get("/users")
@token_required(Role.ADMIN)
def users_list():
    args = request.args
    if args.get("role") and args["role"] not in set(Role):
        raise ApiError(400, "параметр role: одно из " + ", ".join(Role), field="role")
    enabled = args.get("enabled")
    if enabled not in (None, "", "true", "false"):
        raise ApiError(400, "параметр enabled: true или false", field="enabled")
    offset = q.integer("offset", lo=0, hi=10_000_000, default=0)
    limit = q.integer("limit", lo=1, hi=MAX_LIMIT, default=100)
    flt = accounts.AccountFilter(
        role=args.get("role", ""),
        state={"true": "enabled", "false": "disabled"}.get(enabled or "", ""),
        q=args.get("search", "").strip()[:256],
    )
    query = flt.statement()
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar()
    found = db.session.execute(query.offset(offset).limit(limit)).scalars()
    return jsonify(users=[account_to_dict(u) for u in found], total=total, offset=offset, limit=limit)


@bp.post("/users")
@token_required(Role.ADMIN)
def users_create():
    data = v.json_object()
    v.reject_unknown(data, PROFILE | {"username", "password", "roles", "enabled"})
    username = v.string(data, "username", min_len=2, max_len=256, pattern=accounts.USERNAME_PATTERN)
    password = v.string(data, "password", min_len=10, max_len=256, required=False, nullable=True)
    roles = _roles(data)
    fields = _profile(data, creating=True)
    enabled = v.boolean(data, "enabled", default=True)
    try:
        user, generated = accounts.create_account(
            username, roles, password, g.api_user.username, enabled=enabled, **fields
        )
    except UsernameTaken:
        raise ApiError(409, f"поле username: имя {username!r} уже занято", field="username")
    db.session.commit()
    body = account_to_dict(user)
    if generated:
        body["password"] = generated  # the only time it is ever shown
    return jsonify(body), 201


@bp.get("/users/<username>")
@token_required(Role.ADMIN)
def users_get(username: str):
    return jsonify(account_to_dict(_account(username)))


@bp.patch("/users/<username>")
@token_required(Role.ADMIN)
def users_update(username: str):
    data = v.json_object()
    v.reject_unknown(data, PROFILE | {"roles", "enabled"})
    changes = _profile(data, creating=False)
    roles = _roles(data) if "roles" in data else None
    enabled = v.boolean(data, "enabled") if "enabled" in data else None
    user = _account(username)  # after the body is checked: a malformed request is a 400 for any name
    try:
        if enabled is False:
            user = accounts.disable_account(user, g.api_user)
        user = accounts.update_account(user, g.api_user, changes, roles)
        if enabled is True:
            accounts.enable_account(user, g.api_user)
    except AccountRefused as exc:
        raise ApiError(409, REFUSALS[exc.reason])
    db.session.commit()
    accounts.forget_cached_checks(user)
    return jsonify(account_to_dict(user))


@bp.post("/users/<username>/password-reset")
@token_required(Role.ADMIN)
def users_password_reset(username: str):
    user = _account(username)
    try:
        password = accounts.reset_password(user, g.api_user)
    except AccountRefused as exc:
        raise ApiError(409, REFUSALS[exc.reason])
    db.session.commit()
    accounts.forget_cached_checks(user)
    return jsonify(username=user.username, password=password)


@bp.post("/users/<username>/tokens")
@token_required(Role.ADMIN)
def users_token(username: str):
    data = v.json_object(required=False)
    v.reject_unknown(data, {"ttl_seconds"})
    ttl = v.integer(data, "ttl_seconds", lo=tokens.MIN_TTL, hi=tokens.MAX_TTL, default=tokens.DEFAULT_TTL)
    user = _account(username)
    try:
        token = accounts.issue_token(user, ttl, g.api_user)
    except AccountRefused as exc:
        raise ApiError(409, REFUSALS[exc.reason])
    db.session.commit()
    return jsonify(username=user.username, token=token, ttl_seconds=ttl), 201


def _account(username: str) -> User:
    user = accounts.find_account(username)
    if user is None:
        raise ApiError(404, f"пользователь {username!r} не найден")
    return user


def _roles(data: dict) -> list[str]:
    value = data.get("roles")
    if value is None and "roles" not in data:
        raise ApiError(400, "поле roles: обязательное поле", field="roles")
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise ApiError(400, "поле roles: должно быть массивом строк", field="roles")
    if len(value) > accounts.MAX_ROLES or len(set(value)) != len(value):
        raise ApiError(400, "поле roles: не больше двух ролей, без повторов", field="roles")
    unknown = [r for r in value if r not in set(Role)]
    if unknown:
        raise ApiError(
            400, f"поле roles: неизвестная роль {unknown[0]!r}; допустимы: {', '.join(Role)}", "roles"
        )
    return value


def _profile(data: dict, *, creating: bool) -> dict:
    """The profile fields present in the body, checked (on creation company_key is required)."""
    fields = editable_fields(data)
    if creating or "company_key" in data:
        fields["company_key"] = v.string(
            data, "company_key", min_len=3, max_len=256, pattern=accounts.COMPANY_PATTERN
        )
    if "timezone" in data:
        fields["timezone"] = v.integer(data, "timezone", lo=-12, hi=12)
    return fields
