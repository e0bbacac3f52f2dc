"""Donations (ФТ-005/007/008, ФТ-010): the payment link, then CloudPayments' verdict on it."""

import hashlib
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal

from flask import current_app

from portal.extensions import db
from portal.models import Donation, DonationKind, DonationStatus
from portal.models.base import utcnow
from portal.services import provider_clients
from portal.services.contacts import queue_subscription
from portal.services.messages import dispatch_after_commit, queue_message, template_ref
from portal.services.payment_reasons import russian_reason

log = logging.getLogger("mayak.donations")


def rubles(amount: Decimal, currency: str = "RUB") -> str:
    """1 500 ₽, 1 500,50 ₽ — as a Russian reader expects an amount."""
    whole, _, kopecks = f"{amount:,.2f}".partition(".")
    text = whole.replace(",", "\u00a0") + ("" if kopecks == "00" else "," + kopecks)
    return f"{text}\u00a0{'₽' if currency == 'RUB' else currency}"


def create_donation(
    *,
    donor_email: str,
    amount: Decimal,
    currency: str,
    event_id: str | None,
    event_name: str | None,
    agree_newsletter: bool,
    created_by_id: int | None,
    request_key: str | None = None,
    kind: str = DonationKind.ONE_OFF,
    invoice_id: str | None = None,
    description: str | None = None,
    newsletter_source: str = "donation",
) -> Donation:
    """Ask CloudPayments for a payment link, then store the donation (and the consent); the caller commits.

    The provider is called before the transaction opens, so no database lock waits on it; a
    provider error leaves nothing behind. `request_key` (the caller's Idempotency-Key) makes
    a repeated call get the same link from CloudPayments (X-Request-ID).
    """
    invoice_id = invoice_id or new_invoice_id("don", created_by_id, request_key)
    if description is None:
        description = "Пожертвование «Маяку»" + (f" на сбор «{event_name}»" if event_name else "")
    order = provider_clients.cloudpayments().create_order(
        amount=amount,
        currency=currency,
        description=description,
        email=donor_email,
        invoice_id=invoice_id,
        account_id=donor_email,
        json_data={"kind": kind, "event_id": event_id},
        request_id=request_key and f"order-{invoice_id}",
    )
    donation = Donation(
        invoice_id=invoice_id,
        kind=kind,
        donor_email=donor_email,
        amount=amount,
        currency=currency,
        event_id=event_id,
        event_name=event_name,
        agree_newsletter=agree_newsletter,
        order_id=str(order.get("Id", "")),
        payment_url=order.get("Url"),
        created_by_id=created_by_id,
    )
    db.session.add(donation)
    if agree_newsletter:
        queue_subscription(donor_email, current_app.config["UNISENDER_LIST_ID"], newsletter_source)
    db.session.flush()
    return donation


def new_invoice_id(prefix: str, created_by_id: int | None, request_key: str | None) -> str:
    """Our InvoiceId: random, or, for a call with an Idempotency-Key, the same for every repeat
    of that call (a repeat after a lost answer gets CloudPayments' first order, with this id)."""
    if request_key:
        return f"{prefix}-" + hashlib.sha256(f"{created_by_id}:{request_key}".encode()).hexdigest()[:20]
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def reference(donation: Donation) -> str:
    return f"donation:{donation.id}"


def donation_for(fields: dict) -> Donation | None:
    invoice_id = fields.get("InvoiceId")
    if not invoice_id:
        return None
    query = db.select(Donation).filter_by(invoice_id=invoice_id).with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def letter_variables(donation: Donation) -> dict:
    return {
        "donor_amount": rubles(donation.amount, donation.currency),
        "event_name": donation.event_name or "",
    }


def apply_pay(fields: dict, on_first_payment: Callable[[Donation, dict], str | None]) -> str:
    """A paid invoice: the donation completed and thanked (a subscription's first payment goes on
    to `on_first_payment`, which creates the subscription, or answers None to have it thanked)."""
    donation = donation_for(fields)
    if donation is None:
        log.warning(
            "Pay for an unknown invoice %r (transaction %s)", fields.get("InvoiceId"), fields["TransactionId"]
        )
        return "счёт не найден: ничего не изменено"
    if donation.status == DonationStatus.COMPLETED:
        return "пожертвование уже оплачено: ничего не изменено"
    earlier = db.session.execute(
        db.select(Donation.id)
        .filter_by(donor_email=donation.donor_email, status=DonationStatus.COMPLETED)
        .filter(Donation.id != donation.id)
        .limit(1)
    ).first()
    donation.status = DonationStatus.COMPLETED
    donation.transaction_id = fields["TransactionId"]
    donation.paid_at = utcnow()
    donation.is_first_donation = earlier is None
    if donation.kind == DonationKind.FIRST_PAYMENT:
        outcome = on_first_payment(donation, fields)
        if outcome is not None:
            return outcome
    code = thank(donation)
    return f"оплачено, письмо {code}"


def thank(donation: Donation) -> str:
    """Queue the thank-you for a paid donation (first or repeat); the letter's code."""
    code = "donation_thanks_first" if donation.is_first_donation else "donation_thanks_repeat"
    variables = {**letter_variables(donation), "is_first_donation": bool(donation.is_first_donation)}
    message = queue_message(
        template_ref(code), donation.donor_email, variables, kind=code, reference=reference(donation)
    )
    dispatch_after_commit([message])
    return code


def apply_fail(fields: dict) -> str:
    donation = donation_for(fields)
    if donation is None:
        log.warning("Fail for an unknown invoice %r", fields.get("InvoiceId"))
        return "счёт не найден: ничего не изменено"
    if donation.status == DonationStatus.COMPLETED:
        return "пожертвование уже оплачено: ничего не изменено"
    donation.status = DonationStatus.FAILED
    donation.failed_attempts += 1
    donation.reason_code = fields.get("ReasonCode")
    donation.failure_reason = russian_reason(fields.get("ReasonCode"))
    if donation.failed_attempts > 1:
        return "снова отказ; письмо с повтором уже отправлено"
    variables = {
        **letter_variables(donation),
        "failure_reason": donation.failure_reason,
        "retry_link": donation.payment_url or "",
    }
    message = queue_message(
        template_ref("donation_failed"),
        donation.donor_email,
        variables,
        kind="donation_failed",
        reference=reference(donation),
    )
    dispatch_after_commit([message])
    return "отказ, письмо donation_failed"


def donation_to_dict(donation: Donation) -> dict:
    return {
        "id": donation.id,
        "invoice_id": donation.invoice_id,
        "donor_email": donation.donor_email,
        "donor_amount": str(donation.amount),
        "currency": donation.currency,
        "event_id": donation.event_id,
        "status": donation.status,
        "kind": donation.kind,
        "subscription_id": donation.subscription_id,
        "payment_url": donation.payment_url,
        "transaction_id": donation.transaction_id,
        "is_first_donation": donation.is_first_donation,
        "failure_reason": donation.failure_reason,
        "created_at": donation.created_at.isoformat() if donation.created_at else None,
    }
