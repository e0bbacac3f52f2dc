"""Seed 002: read and update one's own account."""

from flask import g, jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import User
from portal.services.accounts import PHONE_PATTERN

EDITABLE = {"specification", "email", "phone", "attributes"}


def account_to_dict(user: User) -> dict:
    return {
        "username": user.username,
        "specification": user.specification,
        "email": user.email,
        "phone": user.phone,
        "company_key": user.company_key,
        "enabled": user.enabled,
        "roles": user.roles,
        "timezone": user.timezone,
        "edit_date": user.edit_date.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "creation_date": user.creation_date.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "attributes": user.attributes or [],
    }


@bp.get("/account")
@token_required()
def account_get():
    return jsonify(account_to_dict(db.session.get(User, g.api_user.id)))


@bp.put("/account")
@token_required()
def account_update():
    data = v.json_object()
    v.reject_unknown(data, EDITABLE)
    changes = editable_fields(data)
    user = db.session.get(User, g.api_user.id)
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.commit()
    return jsonify(account_to_dict(user))


def editable_fields(data: dict) -> dict:
    """The fields of EDITABLE present in the body, checked (seed 002's ranges)."""
    fields = {}
    if "specification" in data:
        fields["specification"] = v.string(data, "specification", min_len=2, max_len=256, nullable=True)
    if "email" in data:
        value = v.string(data, "email", min_len=5, max_len=256, nullable=True)
        fields["email"] = value and v.normalized_email(value, "email")
    if "phone" in data:
        fields["phone"] = v.string(data, "phone", min_len=5, max_len=32, nullable=True, pattern=PHONE_PATTERN)
    if "attributes" in data:
        fields["attributes"] = _attributes(data["attributes"])
    return fields


def _attributes(value) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 1000:
        raise ApiError(
            400, "поле attributes: должно быть массивом не длиннее 1000 элементов", field="attributes"
        )
    if not all(isinstance(item, dict) for item in value):
        raise ApiError(400, "поле attributes: элементы должны быть объектами", field="attributes")
    if len({repr(sorted(item.items())) for item in value}) != len(value):
        raise ApiError(400, "поле attributes: элементы должны быть уникальными", field="attributes")
    return value
