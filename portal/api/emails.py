"""Bitrix triggers at POST /api/v1/emails/send, told apart by `kind`."""

from flask import g, jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.api.idempotency import idempotent
from portal.database import transaction_open
from portal.extensions import db
from portal.models import Role
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


KINDS = {"registration": _registration}


@bp.post("/emails/send")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def emails_send():
    data = v.json_object()
    kind = data.get("kind")
    if kind not in KINDS:
        raise ApiError(400, "поле kind: должно быть одним из: " + ", ".join(sorted(KINDS)), field="kind")
    result = KINDS[kind](data)
    # Built before the commit, which would expire the rows and cost a re-read each.
    body = {
        "kind": kind,
        "messages": [message_to_dict(m, template_code=result.template_code) for m in result.messages],
        "subscriptions": [subscription_to_dict(s) for s in result.subscriptions],
    }
    if transaction_open():  # a lone letter is committed already
        db.session.commit()
    return jsonify(body), 202
