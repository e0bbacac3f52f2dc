"""CloudPayments notifications: Pay, Fail, Recurrent (seed 000's /subscription is an alias).

Verified by the HMAC of the raw body before anything is parsed or stored, stored once, and
answered with CloudPayments' {"code": 0}; a worker applies it (services/payment_notifications).
Anything else (a bad signature, a malformed notification) is not stored and gets a non-zero
code with a non-200 status, which CloudPayments retries later.
"""

import json
import logging
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from flask import current_app, jsonify, request

from portal.services.monitoring import count_webhook_rejection
from portal.services.payment_notifications import receive
from portal.services.webhook_signatures import verify_cloudpayments
from portal.webhooks import bp

log = logging.getLogger("mayak.webhooks")

KINDS = {"pay": "pay", "fail": "fail", "recurrent": "recurrent", "subscription": "recurrent"}
INTEGERS = ("TransactionId", "ReasonCode", "SuccessfulTransactionsNumber", "FailedTransactionsNumber")
REQUIRED = {
    "pay": ("TransactionId", "Amount"),
    "fail": ("TransactionId", "Amount"),
    "recurrent": ("Id", "Status"),
}


MAX_AMOUNT = Decimal("10000000000")  # what Numeric(12, 2) holds


class BadNotification(ValueError):
    pass


def _fields(raw: bytes) -> dict:
    """The notification's parameters: form-encoded (CloudPayments' default) or JSON."""
    if "json" in (request.content_type or ""):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BadNotification("body is not JSON") from exc
        if not isinstance(data, dict):
            raise BadNotification("body is not a JSON object")
        return data
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw)))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadNotification("body is not form-encoded UTF-8") from exc


def _normalised(kind: str, fields: dict) -> dict:
    for name in REQUIRED[kind]:
        if fields.get(name) in (None, ""):
            raise BadNotification(f"{name} is missing")
    for name in INTEGERS:
        if fields.get(name) not in (None, ""):
            try:
                fields[name] = int(fields[name])
            except (TypeError, ValueError) as exc:
                raise BadNotification(f"{name} is not an integer") from exc
    if "Amount" in fields:
        try:
            amount = Decimal(str(fields["Amount"]))
        except InvalidOperation as exc:
            raise BadNotification("Amount is not a number") from exc
        if not amount.is_finite() or not 0 < amount < MAX_AMOUNT:
            raise BadNotification(f"Amount must be positive and below {MAX_AMOUNT}")
        fields["Amount"] = str(amount)
    return fields


@bp.post("/cloudpayments/<name>")
def cloudpayments_notification(name: str):
    kind = KINDS.get(name)
    if kind is None:
        return jsonify(code=13, message=f"unknown notification {name!r}"), 404
    raw = request.get_data(cache=True)
    if not verify_cloudpayments(raw, request.headers, current_app.config["CLOUDPAYMENTS_API_SECRET"]):
        log.warning(
            "CloudPayments %s notification with a bad or missing signature rejected",
            kind,
            extra={"context": {"kind": kind, "remote_addr": request.remote_addr, "body_bytes": len(raw)}},
        )
        count_webhook_rejection("cloudpayments")
        return jsonify(code=13, message="invalid signature"), 401
    try:
        fields = _normalised(kind, _fields(raw))
    except BadNotification as exc:
        return jsonify(code=13, message=f"malformed notification: {exc}"), 400
    if not receive(kind, fields):
        log.info("CloudPayments %s %s received again", kind, fields.get("TransactionId") or fields.get("Id"))
    return jsonify(code=0)
