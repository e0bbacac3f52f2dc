"""ФТ-009, ФТ-011: regular donations from Bitrix, and the hub's own subscription operations."""

from flask import jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.donations import created_through_cloudpayments, currency, event_id
from portal.api.errors import ApiError
from portal.api.idempotency import idempotent
from portal.extensions import db
from portal.models import Role
from portal.models.donation import FREQUENCIES
from portal.services import subscriptions
from portal.services.subscriptions import subscription_to_dict

FIELDS = {"recurrent_email", "recurrent_amount", "frequency", "event_id", "event_name", "currency"}


def _create(data: dict, *, agree_newsletter: bool):
    frequency = v.string(data, "frequency", max_len=16, required=False) or "monthly"
    if frequency not in FREQUENCIES:
        raise ApiError(400, f"поле frequency: одно из {', '.join(FREQUENCIES)}", field="frequency")
    fields = {
        "donor_email": v.email(data, "recurrent_email"),
        "amount": v.money(data, "recurrent_amount"),
        "currency": currency(data),
        "frequency": frequency,
        "event_id": event_id(data),
        "event_name": v.string(data, "event_name", required=False, nullable=True),
    }
    return created_through_cloudpayments(
        subscriptions.create_subscription, subscription_to_dict, **fields, agree_newsletter=agree_newsletter
    )


@bp.post("/subscriptions/create")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def subscriptions_create():
    """Bitrix: a regular donation; answers the first payment's link (the card is entered there)."""
    data = v.json_object()
    v.reject_unknown(data, FIELDS | {"agree_newsletter"})
    return _create(data, agree_newsletter=v.boolean(data, "agree_newsletter", default=False))


@bp.post("/subscriptions")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def subscriptions_open():
    """The hub's operation: a subscription at CloudPayments (via its first payment), no newsletter."""
    data = v.json_object()
    v.reject_unknown(data, FIELDS)
    return _create(data, agree_newsletter=False)


def _subscription(identifier: str, *, lock: bool = False):
    sub = subscriptions.find(identifier, lock=lock)
    if sub is None:
        raise ApiError(404, f"подписка {identifier!r} не найдена")
    return sub


@bp.get("/subscriptions/<identifier>")
@token_required(Role.PARTNER, Role.ADMIN)
def subscriptions_get(identifier: str):
    """A subscription by our id (sub-…) or CloudPayments' (sc_…)."""
    return jsonify(subscription_to_dict(_subscription(identifier)))


@bp.post("/subscriptions/<identifier>/cancel")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def subscriptions_cancel(identifier: str):
    """Bitrix, ФТ-011: the donor cancels; CloudPayments stops charging, the donor gets a farewell."""
    data = v.json_object(required=False)
    v.reject_unknown(data, {"donor_email", "reason"})
    donor_email = v.email(data, "donor_email", required=False, nullable=True)
    reason = v.string(data, "reason", max_len=500, required=False, nullable=True)
    sub = _subscription(identifier, lock=True)
    if donor_email and donor_email != sub.donor_email:
        raise ApiError(404, f"подписка {identifier!r} не найдена")  # not the donor's: say nothing more
    outcome = subscriptions.cancel(sub, reason=reason, farewell=True)
    body = {**subscription_to_dict(sub), "outcome": outcome}
    db.session.commit()
    return jsonify(body)


@bp.delete("/subscriptions/<identifier>")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def subscriptions_delete(identifier: str):
    """The hub's operation: stop the subscription at CloudPayments, no letter."""
    sub = _subscription(identifier, lock=True)
    outcome = subscriptions.cancel(sub, reason="отменена оператором", farewell=False)
    body = {**subscription_to_dict(sub), "outcome": outcome}
    db.session.commit()
    return jsonify(body)
