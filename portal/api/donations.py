"""ФТ-005/007/008: a donation from Bitrix, and the hub's own payment operation."""

import logging

from flask import g, jsonify, request

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.api.idempotency import HEADER, commit_claim, idempotent, release_claim
from portal.extensions import db
from portal.models import Role
from portal.providers import ProviderError, ProviderRejected
from portal.services.donations import create_donation, donation_to_dict

CURRENCIES = ("RUB",)
log = logging.getLogger("mayak.donations")


def event_id(data: dict) -> str | None:
    value = data.get("event_id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return v.string({"event_id": value}, "event_id", max_len=64, required=False, nullable=True)


def currency(data: dict) -> str:
    currency = v.string(data, "currency", max_len=3, required=False) or "RUB"
    if currency not in CURRENCIES:
        raise ApiError(400, "поле currency: поддерживается только RUB", field="currency")
    return currency


def created_through_cloudpayments(create, to_dict, **arguments):
    """Answer 201 with what `create(**arguments)` stored. It calls CloudPayments first, then
    stores rows: no transaction is open during the call, and a provider error (503, or 502 for a
    refusal) leaves nothing behind."""
    if not commit_claim():
        db.session.rollback()
    try:
        row = create(**arguments, created_by_id=g.api_user.id, request_key=request.headers.get(HEADER))
    except ProviderRejected as exc:
        release_claim()
        log.warning("CloudPayments refused the call: %s", exc)
        raise ApiError(502, f"CloudPayments отказал в создании платежа: {exc}") from exc
    except ProviderError as exc:
        release_claim()
        log.warning("CloudPayments call failed: %s", exc)
        message = "CloudPayments сейчас недоступен; повторите запрос позже"
        raise ApiError(503, message, headers={"Retry-After": "30"}) from exc
    body = to_dict(row)
    db.session.commit()
    return jsonify(body), 201


def _donation(data: dict, *, agree_newsletter: bool):
    fields = {
        "donor_email": v.email(data, "donor_email"),
        "amount": v.money(data, "donor_amount"),
        "currency": currency(data),
        "event_id": event_id(data),
        "event_name": v.string(data, "event_name", required=False, nullable=True),
    }
    return created_through_cloudpayments(
        create_donation, donation_to_dict, **fields, agree_newsletter=agree_newsletter
    )


@bp.post("/donations/process")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def donations_process():
    """Bitrix: store the donation, subscribe the donor if they agreed, return the payment link."""
    data = v.json_object()
    v.reject_unknown(
        data, {"donor_email", "donor_amount", "event_id", "event_name", "agree_newsletter", "currency"}
    )
    return _donation(data, agree_newsletter=v.boolean(data, "agree_newsletter", default=False))


@bp.post("/payments")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def payments_create():
    """The hub's operation: a payment link at CloudPayments for an amount, no newsletter."""
    data = v.json_object()
    v.reject_unknown(data, {"donor_email", "donor_amount", "event_id", "event_name", "currency"})
    return _donation(data, agree_newsletter=False)
