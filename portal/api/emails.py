"""Bitrix triggers at POST /api/v1/emails/send, told apart by `kind`."""

from datetime import datetime, timedelta

from flask import g, jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.api.idempotency import idempotent
from portal.database import transaction_open
from portal.extensions import db
from portal.models import Role
from portal.models.base import utcnow
from portal.services import triggers
from portal.services.contacts import subscription_to_dict
from portal.services.messages import message_to_dict


def _registration(data: dict) -> triggers.TriggerResult:
    v.reject_unknown(
        data, {"kind", "user_email", "user_name", "agree_newsletter", "registration_date", "user_id"}
    )
    return triggers.register_user(
        user_email=v.email(data, "user_email"),
        user_name=v.string(data, "user_name", max_len=256),
        agree_newsletter=v.boolean(data, "agree_newsletter", default=False),
        registration_date=v.timestamp(data, "registration_date"),
        created_by_id=g.api_user.id,
    )


def _send_at(data: dict) -> datetime | None:
    send_at = v.timestamp(data, "send_at", required=False)
    if send_at and send_at > utcnow() + timedelta(days=400):
        raise ApiError(400, "поле send_at: не дальше чем через 400 дней", field="send_at")
    return send_at


def _user_id(data: dict) -> None:
    value = data.get("user_id")
    if value is not None and not (isinstance(value, (str, int)) and not isinstance(value, bool)):
        raise ApiError(400, "поле user_id: строка или целое число", field="user_id")


def _event_reminder(data: dict) -> triggers.TriggerResult | None:
    """ФТ-021: 7 days after registration, unless the user has created an Event meanwhile."""
    v.reject_unknown(
        data, {"kind", "user_id", "user_email", "user_name", "registration_date", "event_exists", "send_at"}
    )
    _user_id(data)
    email = v.email(data, "user_email")
    name = v.string(data, "user_name", max_len=256, required=False, nullable=True) or ""
    v.timestamp(data, "registration_date")
    send_at = _send_at(data)
    if v.boolean(data, "event_exists", default=False):
        return None
    return triggers.remind(
        kind="event_reminder",
        user_email=email,
        variables={"user_name": name},
        send_at=send_at,
        created_by_id=g.api_user.id,
    )


def _birthday_reminder(data: dict) -> triggers.TriggerResult:
    """ФТ-023: two weeks before the user's birthday, the idea of a birthday Event."""
    v.reject_unknown(data, {"kind", "user_id", "user_email", "user_name", "birth_date", "send_at"})
    _user_id(data)
    email = v.email(data, "user_email")
    name = v.string(data, "user_name", max_len=256)
    birth_date = v.timestamp(data, "birth_date")
    if birth_date > utcnow():
        raise ApiError(400, "поле birth_date: дата рождения не может быть в будущем", field="birth_date")
    send_at = _send_at(data)
    return triggers.remind(
        kind="birthday_reminder",
        user_email=email,
        variables={"user_name": name, "birth_date": triggers.day_and_month(birth_date)},
        send_at=send_at,
        created_by_id=g.api_user.id,
    )


KINDS = {
    "registration": _registration,
    "event_reminder": _event_reminder,
    "birthday_reminder": _birthday_reminder,
}


@bp.post("/emails/send")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def emails_send():
    data = v.json_object()
    kind = data.get("kind")
    if kind not in KINDS:
        raise ApiError(400, "поле kind: должно быть одним из: " + ", ".join(sorted(KINDS)), field="kind")
    result = KINDS[kind](data)
    if result is None:  # nothing to send (event_reminder for a user who has an Event)
        db.session.rollback()
        return jsonify(kind=kind, messages=[], subscriptions=[], skipped="event_exists"), 200
    # Built before the commit, which would expire the rows and cost a re-read each.
    body = {
        "kind": kind,
        "messages": [message_to_dict(m, template_code=result.template_code) for m in result.messages],
        "subscriptions": [subscription_to_dict(s) for s in result.subscriptions],
    }
    if transaction_open():  # a lone letter is committed already
        db.session.commit()
    return jsonify(body), 202
