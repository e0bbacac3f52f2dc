"""Simulated CloudPayments: its API (Basic auth, envelope, X-Request-ID), a payment page with
test cards, subscriptions charged on demand, and Pay/Fail/Recurrent notifications signed as
CloudPayments signs them."""

import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import requests
from dateutil.relativedelta import relativedelta
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from portal.extensions import csrf, db
from portal.jobs import app_job
from portal.models import Role, SandboxPaymentOrder, SandboxPaymentTransaction, SandboxSubscription
from portal.models.base import utcnow
from portal.queueing import enqueue_after_commit
from portal.sandbox import bp, faults, providers_bp
from portal.sandbox.control import require_operator
from portal.security import STAFF_ROLES, roles_required
from portal.services.donations import rubles
from portal.services.payment_reasons import russian_reason
from portal.services.webhook_signatures import cloudpayments_signatures

NOTIFY_JOB = "portal.sandbox.cloudpayments.post_notification"
RECURRENT_JOB = "portal.sandbox.cloudpayments.post_recurrent"

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
    fault = faults.take_fault("cloudpayments")
    failure = faults.failure_response(fault)
    if failure is not None:
        return failure
    handler = API_METHODS.get(method)
    if handler is None:
        return _envelope(success=False, message=f"Method {method} is not supported by the sandbox")
    response = handler(_params())
    if fault is not None:  # slow_success: served, but the client will have given up
        time.sleep(faults.fault_delay(fault))
    return response


def _test(_params: dict):
    return _envelope(success=True, message="sandbox")


API_METHODS = {"test": _test}  # filled below as the methods are defined


def _repeated(model):
    """The object an earlier call with this X-Request-ID created (CloudPayments answers it again)."""
    request_id = request.headers.get("X-Request-ID")
    if not request_id:
        return None
    return db.session.execute(db.select(model).filter_by(request_id=request_id)).scalar()


def _create_order(params: dict):
    request_id = request.headers.get("X-Request-ID")
    if (earlier := _repeated(SandboxPaymentOrder)) is not None:
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


API_METHODS["orders/create"] = _create_order


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
    if transaction.subscription_code:
        fields["SubscriptionId"] = transaction.subscription_code
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
    fields = notification_fields(transaction)
    db.session.rollback()
    _post_to_hub(kind, fields)
    transaction = db.session.get(SandboxPaymentTransaction, transaction_id)
    transaction.notification_state = "sent"
    db.session.commit()


def _post_to_hub(kind: str, fields: dict) -> None:
    body, headers = signed_form(fields, current_app.config["CLOUDPAYMENTS_API_SECRET"])
    response = requests.post(
        f"{current_app.config['PUBLIC_BASE_URL']}/webhooks/cloudpayments/{kind}",
        data=body,
        headers=headers,
        timeout=current_app.config["PROVIDER_TIMEOUT_SECONDS"],
    )
    response.raise_for_status()
    if response.json().get("code") != 0:
        raise RuntimeError(f"the hub answered {response.text[:200]}")


# ---- subscriptions ----------------------------------------------------------------------------

REJECT_AFTER_FAILURES = 3  # as CloudPayments: Rejected after three failed charges in a row


def _subscription_model(sub: SandboxSubscription) -> dict:
    def iso(moment):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else None

    return {
        "Id": sub.code,
        "AccountId": sub.account_id,
        "Description": sub.description,
        "Email": sub.email,
        "Amount": float(sub.amount),
        "Currency": sub.currency,
        "CurrencyCode": 0,
        "RequireConfirmation": False,
        "StartDateIso": iso(sub.start_date),
        "IntervalCode": 1 if sub.interval == "Month" else 0,
        "Interval": sub.interval,
        "Period": sub.period,
        "MaxPeriods": sub.max_periods,
        "CultureName": "ru-RU",
        "StatusCode": list(SUBSCRIPTION_STATUSES).index(sub.status),
        "Status": sub.status,
        "SuccessfulTransactionsNumber": sub.successful_transactions,
        "FailedTransactionsNumber": sub.failed_transactions,
        "LastTransactionDateIso": iso(sub.last_transaction_date),
        "NextTransactionDateIso": iso(sub.next_transaction_date),
    }


SUBSCRIPTION_STATUSES = ("Active", "PastDue", "Cancelled", "Rejected", "Expired")


def _period(sub: SandboxSubscription) -> relativedelta:
    return relativedelta(weeks=sub.period) if sub.interval == "Week" else relativedelta(months=sub.period)


def _create_subscription(params: dict):
    request_id = request.headers.get("X-Request-ID")
    if (earlier := _repeated(SandboxSubscription)) is not None:
        return _envelope(_subscription_model(earlier))
    token = params.get("token")
    card = db.session.execute(
        db.select(SandboxPaymentTransaction).filter_by(token=token, status="Completed").limit(1)
    ).scalar()
    if not token or card is None:
        return _envelope(success=False, message="Token not found")
    try:
        amount = Decimal(str(params.get("amount")))
        start = datetime.fromisoformat(str(params.get("startdate")).replace("Z", "+00:00"))
        period = int(params.get("period"))
    except (InvalidOperation, ValueError, TypeError):
        return _envelope(success=False, message="Invalid Amount, StartDate or Period value")
    if params.get("interval") not in ("Day", "Week", "Month") or period < 1 or amount <= 0:
        return _envelope(success=False, message="Invalid Interval or Period value")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    sub = SandboxSubscription(
        code="sc_" + secrets.token_hex(14),
        request_id=request_id,
        token=token,
        account_id=params.get("accountid") or "",
        email=params.get("email"),
        description=params.get("description") or "",
        amount=amount,
        currency=params.get("currency") or "RUB",
        interval=params["interval"],
        period=period,
        max_periods=params.get("maxperiods"),
        start_date=start,
        next_transaction_date=start,
    )
    db.session.add(sub)
    db.session.commit()
    return _envelope(_subscription_model(sub))


def _find_subscription(params: dict) -> SandboxSubscription | None:
    return db.session.execute(db.select(SandboxSubscription).filter_by(code=str(params.get("id")))).scalar()


def _get_subscription(params: dict):
    sub = _find_subscription(params)
    if sub is None:
        return _envelope(success=False, message="Subscription not found")
    return _envelope(_subscription_model(sub))


def _list_subscriptions(params: dict):
    query = db.select(SandboxSubscription).filter_by(account_id=str(params.get("accountid")))
    return _envelope([_subscription_model(sub) for sub in db.session.execute(query).scalars()])


def _cancel_subscription(params: dict):
    sub = _find_subscription(params)
    if sub is None:
        return _envelope(success=False, message="Subscription not found")
    if sub.status in ("Active", "PastDue"):
        sub.status = "Cancelled"
        sub.next_transaction_date = None
        _notify_state(sub)
    db.session.commit()
    return _envelope()


API_METHODS.update(
    {
        "subscriptions/create": _create_subscription,
        "subscriptions/get": _get_subscription,
        "subscriptions/find": _list_subscriptions,
        "subscriptions/cancel": _cancel_subscription,
    }
)


def charge_subscription(sub: SandboxSubscription, reason_code: int | None, *, advance: bool) -> dict:
    """Charge the subscription's card now, as CloudPayments does on its date; `advance` moves the
    schedule on by one period first (what a month passing looks like). Notifies the hub."""
    if sub.status not in ("Active", "PastDue"):
        return {"error": f"подписка в статусе {sub.status}: списаний больше нет"}
    now = utcnow()
    if advance and sub.next_transaction_date is not None:
        now = max(now, sub.next_transaction_date)
    transaction = SandboxPaymentTransaction(
        amount=sub.amount,
        currency=sub.currency,
        status="Declined" if reason_code else "Completed",
        reason_code=reason_code,
        card_last_four="4242",
        token=sub.token,
        email=sub.email,
        account_id=sub.account_id,
        subscription_code=sub.code,
        created_at=now,
    )
    db.session.add(transaction)
    sub.last_transaction_date = now
    if reason_code:
        sub.failed_transactions += 1
        sub.next_transaction_date = now + relativedelta(days=1)
        sub.status = "PastDue"
        if sub.failed_transactions >= REJECT_AFTER_FAILURES:
            sub.status, sub.next_transaction_date = "Rejected", None
    else:
        sub.successful_transactions += 1
        sub.failed_transactions = 0
        sub.status = "Active"
        sub.next_transaction_date = now + _period(sub)
        if sub.max_periods and sub.successful_transactions >= int(sub.max_periods):
            sub.status, sub.next_transaction_date = "Expired", None
    db.session.flush()
    enqueue_after_commit(db.session, NOTIFY_JOB, transaction.id, retry=5)
    if sub.status in ("Rejected", "Expired") or (reason_code and sub.failed_transactions == 1):
        _notify_state(sub)  # CloudPayments announces a change of the subscription's status
    db.session.commit()
    return {"transaction": transaction.id, "status": sub.status}


def _notify_state(sub: SandboxSubscription) -> None:
    """Queue the Recurrent notification for the subscription's current state."""

    def text(moment):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    fields = {
        "Id": sub.code,
        "AccountId": sub.account_id,
        "Description": sub.description,
        "Email": sub.email or "",
        "Amount": f"{sub.amount:.2f}",
        "Currency": sub.currency,
        "RequireConfirmation": "0",
        "StartDate": text(sub.start_date),
        "Interval": sub.interval,
        "Period": str(sub.period),
        "Status": sub.status,
        "SuccessfulTransactionsNumber": str(sub.successful_transactions),
        "FailedTransactionsNumber": str(sub.failed_transactions),
        "LastTransactionDate": text(sub.last_transaction_date),
        "NextTransactionDate": text(sub.next_transaction_date),
    }
    enqueue_after_commit(db.session, RECURRENT_JOB, fields, retry=5)


@app_job
def post_recurrent(fields: dict) -> None:
    """POST a Recurrent notification to the hub; raise to retry."""
    _post_to_hub("recurrent", fields)


def _charge_request(code: str) -> tuple[SandboxSubscription, int | None, bool]:
    sub = db.session.execute(db.select(SandboxSubscription).filter_by(code=code)).scalar()
    if sub is None:
        abort(404)
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data or {}
    raw = data.get("reason_code") or None
    try:
        reason_code = int(raw) if raw is not None else None
    except (TypeError, ValueError):
        abort(400)
    return sub, reason_code, str(data.get("advance", "")).lower() in ("1", "true", "on", "yes")


@providers_bp.post("/control/cloudpayments/subscriptions/<code>/charge")
def control_charge(code: str):
    """Tests: charge a subscription now (JSON reason_code: null for success; advance: bool)."""
    require_operator()
    sub, reason_code, advance = _charge_request(code)
    result = charge_subscription(sub, reason_code, advance=advance)
    return jsonify(result), 409 if "error" in result else 200


@bp.get("/cloudpayments/subscriptions")
@roles_required(*STAFF_ROLES)
def subscriptions_page():
    subs = db.session.execute(
        db.select(SandboxSubscription).order_by(SandboxSubscription.id.desc()).limit(100)
    )
    reasons = [(code, russian_reason(code)) for code in sorted(REASON_NAMES)]
    return render_template(
        "sandbox/subscriptions.html", subscriptions=subs.scalars().all(), reasons=reasons, rubles=rubles
    )


@bp.post("/cloudpayments/subscriptions/<code>/charge")
@roles_required(Role.ADMIN)
def subscriptions_charge(code: str):
    sub, reason_code, advance = _charge_request(code)
    result = charge_subscription(sub, reason_code, advance=advance)
    if "error" in result:
        flash(result["error"], "error")
    elif reason_code:
        flash(
            f"Списание по {code} отклонено ({russian_reason(reason_code)}); уведомление Fail отправлено.",
            "info",
        )
    else:
        flash(f"Списание по {code} прошло; уведомление Pay отправлено.", "success")
    return redirect(url_for("sandbox.subscriptions_page"))
