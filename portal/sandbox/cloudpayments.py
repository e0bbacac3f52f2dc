"""Simulated CloudPayments: its API (Basic auth, envelope, X-Request-ID), a payment page with
test cards, and Pay/Fail notifications signed as CloudPayments signs them."""

import hmac
import json
import secrets
from datetime import UTC
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import requests
from flask import abort, current_app, jsonify, render_template, request

from portal.extensions import csrf, db
from portal.jobs import app_job
from portal.models import SandboxPaymentOrder, SandboxPaymentTransaction
from portal.queueing import enqueue_after_commit
from portal.sandbox import faults, providers_bp
from portal.services.donations import rubles
from portal.services.payment_reasons import russian_reason
from portal.services.webhook_signatures import cloudpayments_signatures

NOTIFY_JOB = "portal.sandbox.cloudpayments.post_notification"

# Test cards, as on CloudPayments' test terminal: the number decides the outcome.
CARDS = {
    "4242424242424242": ("Visa", None),
    "5555555555554444": ("MasterCard", None),
    "4012888888881881": ("Visa", 5051),  # insufficient funds
    "5105105105105100": ("MasterCard", 5005),  # do not honor
    "4000000000000069": ("Visa", 5054),  # expired card
}
REASON_NAMES = {5051: "InsufficientFunds", 5005: "DoNotHonor", 5054: "ExpiredCard"}


def _envelope(model=None, *, success: bool = True, message: str | None = None):
    body = {"Success": success, "Message": message}
    if model is not None:
        body["Model"] = model
    return jsonify(body)


def _authorised() -> bool:
    auth = request.authorization
    config = current_app.config
    return bool(
        auth
        and hmac.compare_digest((auth.username or "").encode(), config["CLOUDPAYMENTS_PUBLIC_ID"].encode())
        and hmac.compare_digest((auth.password or "").encode(), config["CLOUDPAYMENTS_API_SECRET"].encode())
    )


def _params() -> dict:
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return {k.lower(): v for k, v in (data or {}).items()} if isinstance(data, dict) else {}


def _order_model(order: SandboxPaymentOrder) -> dict:
    return {
        "Id": order.code,
        "Number": order.id,
        "Amount": float(order.amount),
        "Currency": order.currency,
        "CurrencyCode": 0,
        "Email": order.email,
        "Description": order.description,
        "RequireConfirmation": False,
        "Url": f"{current_app.config['PUBLIC_BASE_URL']}/sandbox/cloudpayments/pay/{order.code}",
        "CultureName": "ru-RU",
        "CreatedDateIso": order.created_at.strftime("%Y-%m-%dT%H:%M:%S"),
        "Status": order.status,
    }


@providers_bp.post("/cloudpayments/<path:method>")
def cloudpayments_api(method: str):
    if not _authorised():
        return jsonify(Success=False, Message="Authentication failed"), 401
    failure = faults.failure_response(faults.take_fault("cloudpayments"))
    if failure is not None:
        return failure
    handler = {"test": _test, "orders/create": _create_order}.get(method)
    if handler is None:
        return _envelope(success=False, message=f"Method {method} is not supported by the sandbox")
    return handler(_params())


def _test(_params: dict):
    return _envelope(success=True, message="sandbox")


def _create_order(params: dict):
    request_id = request.headers.get("X-Request-ID")
    if request_id:
        earlier = db.session.execute(db.select(SandboxPaymentOrder).filter_by(request_id=request_id)).scalar()
        if earlier is not None:
            return _envelope(_order_model(earlier))
    try:
        amount = Decimal(str(params.get("amount")))
    except InvalidOperation:
        return _envelope(success=False, message="Invalid Amount value")
    if not amount.is_finite() or amount <= 0:
        return _envelope(success=False, message="Invalid Amount value")
    if not params.get("description"):
        return _envelope(success=False, message="Description is required")
    order = SandboxPaymentOrder(
        code=secrets.token_urlsafe(12),
        request_id=request_id,
        amount=amount,
        currency=params.get("currency") or "RUB",
        description=params["description"],
        email=params.get("email"),
        invoice_id=params.get("invoiceid"),
        account_id=params.get("accountid"),
        json_data=params.get("jsondata"),
    )
    db.session.add(order)
    db.session.commit()
    return _envelope(_order_model(order))


@providers_bp.route("/cloudpayments/pay/<code>", methods=["GET", "POST"])
def payment_page(code: str):
    """The donor's payment page behind an order's Url, with the test cards to choose from."""
    order = db.session.execute(db.select(SandboxPaymentOrder).filter_by(code=code)).scalar()
    if order is None:
        abort(404)
    outcome = None
    if request.method == "POST":
        csrf.protect()  # the sandbox API is CSRF-exempt; this form is not
        card = "".join(ch for ch in request.form.get("card", "") if ch.isdigit())
        if card not in CARDS:
            outcome = {"error": "Выберите одну из тестовых карт."}
        elif order.status == "Paid":
            outcome = {"error": "Этот счёт уже оплачен."}
        else:
            outcome = _pay(order, card)
    cards = [
        (number, brand, russian_reason(code) if code else None) for number, (brand, code) in CARDS.items()
    ]
    amount = rubles(order.amount, order.currency)
    return render_template("sandbox/payment.html", order=order, amount=amount, cards=cards, outcome=outcome)


def _pay(order: SandboxPaymentOrder, card: str) -> dict:
    brand, reason_code = CARDS[card]
    transaction = SandboxPaymentTransaction(
        order_id=order.id,
        amount=order.amount,
        currency=order.currency,
        status="Declined" if reason_code else "Completed",
        reason_code=reason_code,
        card_last_four=card[-4:],
        token=None if reason_code else "tk_" + secrets.token_hex(12),
        email=order.email,
        invoice_id=order.invoice_id,
        account_id=order.account_id,
        json_data=order.json_data,
    )
    db.session.add(transaction)
    if not reason_code:
        order.status = "Paid"
    db.session.flush()
    enqueue_after_commit(db.session, NOTIFY_JOB, transaction.id, retry=5)
    db.session.commit()
    if reason_code:
        return {"paid": False, "reason": russian_reason(reason_code), "transaction": transaction.id}
    return {"paid": True, "transaction": transaction.id}


def notification_fields(transaction: SandboxPaymentTransaction) -> dict:
    """The parameters CloudPayments posts for a payment (Pay) or a declined attempt (Fail)."""
    fields = {
        "TransactionId": str(transaction.id),
        "Amount": f"{transaction.amount:.2f}",
        "Currency": transaction.currency,
        "PaymentAmount": f"{transaction.amount:.2f}",
        "PaymentCurrency": transaction.currency,
        "DateTime": transaction.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "CardFirstSix": "424242",
        "CardLastFour": transaction.card_last_four,
        "CardType": "Visa",
        "CardExpDate": "12/30",
        "TestMode": "1",
        "OperationType": "Payment",
        "GatewayName": "Test",
        "InvoiceId": transaction.invoice_id or "",
        "AccountId": transaction.account_id or "",
        "Email": transaction.email or "",
        "Data": "" if transaction.json_data is None else json.dumps(transaction.json_data),
    }
    if transaction.status == "Completed":
        fields.update(Status="Completed", Token=transaction.token or "")
    else:
        fields.update(
            Reason=REASON_NAMES.get(transaction.reason_code, "Declined"),
            ReasonCode=str(transaction.reason_code),
        )
    return fields


def signed_form(fields: dict, api_secret: str) -> tuple[bytes, dict]:
    """The form body and the two HMAC headers CloudPayments sends with it."""
    body = urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return body, headers | cloudpayments_signatures(body, api_secret)


@app_job
def post_notification(transaction_id: int) -> None:
    """POST the Pay or Fail notification of a sandbox payment to the hub; raise to retry."""
    transaction = db.session.get(SandboxPaymentTransaction, transaction_id)
    if transaction is None or transaction.notification_state == "sent":
        return
    kind = "pay" if transaction.status == "Completed" else "fail"
    body, headers = signed_form(
        notification_fields(transaction), current_app.config["CLOUDPAYMENTS_API_SECRET"]
    )
    db.session.rollback()
    response = requests.post(
        f"{current_app.config['PUBLIC_BASE_URL']}/webhooks/cloudpayments/{kind}",
        data=body,
        headers=headers,
        timeout=current_app.config["PROVIDER_TIMEOUT_SECONDS"],
    )
    response.raise_for_status()
    if response.json().get("code") != 0:
        raise RuntimeError(f"the hub answered {response.text[:200]}")
    transaction = db.session.get(SandboxPaymentTransaction, transaction_id)
    transaction.notification_state = "sent"
    db.session.commit()
