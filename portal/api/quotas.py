"""Seed 002: a user's quotas — read by the user (or an ADMIN), set by an ADMIN."""

from flask import g, jsonify

from portal.api import bp
from portal.api import query_params as q
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import Role, User
from portal.services import audit_taxonomy as taxonomy
from portal.services import quotas

MAX_LIMIT = 1_000_000_000


def _user_named(name: str | None) -> User:
    user = db.session.execute(db.select(User).filter_by(username=name or g.api_user.username)).scalar()
    if user is None:
        raise ApiError(404, f"пользователь {name!r} не найден", field="username")
    return user


@bp.get("/account/quotas")
@token_required()
def quotas_get():
    name = q.text("username", min_len=2, max_len=256)
    if name and name != g.api_user.username and not g.api_user.has_role(Role.ADMIN):
        raise ApiError(403, "параметр username: квоты другого пользователя видит только ADMIN")
    return jsonify(quotas.effective_quotas(_user_named(name)))


@bp.put("/account/quotas")
@token_required(Role.ADMIN)
def quotas_put():
    """Replace a user's quotas with the listed ones; services and types not listed use the defaults."""
    data = v.json_object()
    v.reject_unknown(data, {"username", "base"})
    username = v.string(data, "username", min_len=2, max_len=256, pattern=r"\w+")
    base = data.get("base")
    if not isinstance(base, dict) or not isinstance(base.get("services"), list):
        raise ApiError(400, "поле base: нужен объект {services: [...]}", field="base")
    entries = {}
    for i, item in enumerate(base["services"]):
        name = f"base.services[{i}]"
        if not isinstance(item, dict) or item.get("service") not in taxonomy.SERVICES:
            raise ApiError(
                400,
                f"поле {name}.service: допустимы: " + ", ".join(taxonomy.SERVICES),
                field=f"{name}.service",
            )
        processes = item.get("processes")
        if not isinstance(processes, list):
            raise ApiError(400, f"поле {name}.processes: должно быть массивом", field=f"{name}.processes")
        for j, process in enumerate(processes):
            entries.update(_entry(item["service"], process, f"{name}.processes[{j}]"))
    user = _user_named(username)  # the body is checked first: a bad one is a 400 whoever it names
    quotas.replace_quotas(user, entries, g.api_user.username)
    db.session.commit()
    quotas.forget_profile(user.id)
    return jsonify(quotas.effective_quotas(user))


def _entry(service: str, process, name: str) -> dict:
    if not isinstance(process, dict):
        raise ApiError(400, f"поле {name}: должно быть объектом", field=name)
    fields = {"process_type", "points_per_request", "points_per_day", "max_concurrent_execution", "custom"}
    unknown = sorted(set(process) - fields)
    if unknown:
        raise ApiError(400, f"поле {name}.{unknown[0]}: неизвестное поле", field=f"{name}.{unknown[0]}")
    if process.get("process_type") not in taxonomy.PROCESS_TYPES:
        raise ApiError(
            400,
            f"поле {name}.process_type: допустимы: " + ", ".join(taxonomy.PROCESS_TYPES),
            field=f"{name}.process_type",
        )
    limits = []
    for field in ("points_per_request", "points_per_day", "max_concurrent_execution"):
        value = process.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
            raise ApiError(
                400, f"поле {name}.{field}: целое число от 1 до {MAX_LIMIT}", field=f"{name}.{field}"
            )
        limits.append(value)
    return {(service, process["process_type"]): quotas.Limits(*limits)}
