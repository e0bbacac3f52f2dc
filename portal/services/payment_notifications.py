"""CloudPayments notifications: stored once, then applied to a donation or a subscription."""

from portal.database import insert_ignoring_conflicts
from portal.extensions import db
from portal.models import PaymentNotification
from portal.models.base import utcnow
from portal.services import donations, subscriptions


def dedupe_key(kind: str, fields: dict) -> str:
    if kind == "recurrent":
        parts = ("Id", "Status", "SuccessfulTransactionsNumber", "FailedTransactionsNumber")
        return "recurrent:" + ":".join(str(fields.get(p, "")) for p in parts)
    return f"{kind}:{fields['TransactionId']}"


def record_notification(kind: str, fields: dict) -> str:
    """Store a verified notification once and apply it; a repeat changes nothing. Caller commits."""
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key(kind, fields),
        "transaction_id": fields.get("TransactionId"),
        "invoice_id": fields.get("InvoiceId") or None,
        "subscription_id": fields.get("SubscriptionId") or fields.get("Id") or None,
        "payload": fields,
        "received_at": utcnow(),
    }
    inserted = db.session.execute(insert_ignoring_conflicts(PaymentNotification, values)).rowcount
    if not inserted:
        return "repeat"  # the first copy did (or is doing, in its transaction) the work
    outcome = {"pay": _pay, "fail": _fail, "recurrent": subscriptions.apply_recurrent}[kind](fields)
    db.session.execute(
        db.update(PaymentNotification).filter_by(dedupe_key=values["dedupe_key"]).values(outcome=outcome)
    )
    return outcome


def _pay(fields: dict) -> str:
    if fields.get("SubscriptionId"):  # a charge CloudPayments made for a subscription
        return subscriptions.charge_succeeded(fields)
    return donations.apply_pay(fields, on_first_payment=subscriptions.first_payment_made)


def _fail(fields: dict) -> str:
    if fields.get("SubscriptionId"):
        return subscriptions.charge_failed(fields)
    return donations.apply_fail(fields)
