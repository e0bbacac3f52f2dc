"""Regular donations (ФТ-009, ФТ-005/012, ФТ-010/011, ФТ-011) through CloudPayments subscriptions.

A subscription cannot exist at CloudPayments without a card, so it starts as a payment link
for the first payment (the donor enters the card on CloudPayments' page). Its Pay carries the
card's Token; a job then creates the subscription at CloudPayments (subscriptions/create,
first charge one period later) and the donor gets the details letter. After that CloudPayments
charges the card by itself and tells us: Pay with SubscriptionId (thank-you; every 12th monthly
charge the "year of support" letter), Fail with SubscriptionId (attempt letters 1-3; the 4th
ends the subscription), Recurrent when its state changes (Rejected ends it as well).

CloudPayments calls owed by a subscription (create, cancel) are made by a job with no
transaction open, retried with backoff, and re-sent by the sweeper if the job is lost.
"""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, or_

from portal.extensions import db
from portal.models import Donation, DonationKind, DonationStatus, RecurringSubscription, SubscriptionStatus
from portal.models.base import utcnow
from portal.models.donation import FREQUENCIES
from portal.providers import ProviderError
from portal.queueing import enqueue_after_commit
from portal.services import provider_clients, triggers
from portal.services.backoff import schedule_retry
from portal.services.donations import create_donation, new_invoice_id, rubles, thank
from portal.services.donor_links import manage_link, reactivate_link
from portal.services.message_log import local_zone
from portal.services.messages import dispatch_after_commit, queue_message, template_ref
from portal.services.payment_reasons import russian_reason

log = logging.getLogger("mayak.subscriptions")

SYNC_JOB = "portal.jobs.payments.sync_subscription"
FREQUENCY_NAMES = {
    "monthly": "ежемесячно",
    "quarterly": "раз в квартал",
    "semiannual": "раз в полгода",
    "yearly": "раз в год",
}
LETTERED_FAILURES = 3  # charge failures 1-3 get an attempt letter; the next one ends the subscription
RETRY_AFTER_FAILURE = timedelta(days=1)  # CloudPayments charges a past-due subscription again a day later
ENDED = (
    SubscriptionStatus.CANCELLED,
    SubscriptionStatus.REJECTED,
    SubscriptionStatus.EXPIRED,
    SubscriptionStatus.FAILED,
)


def reference(sub: RecurringSubscription) -> str:
    return f"subscription:{sub.id}"


def russian_date(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return triggers.russian_date(moment.astimezone(local_zone()))


def plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


def one_period_after(sub: RecurringSubscription, moment: datetime) -> datetime:
    return moment + relativedelta(months=FREQUENCIES[sub.frequency][1])


# ---- creating -------------------------------------------------------------------------------


def create_subscription(
    *,
    donor_email: str,
    amount: Decimal,
    currency: str,
    frequency: str,
    event_id: str | None,
    event_name: str | None,
    agree_newsletter: bool,
    created_by_id: int | None,
    request_key: str | None = None,
) -> RecurringSubscription:
    """The subscription and its first payment's link (CloudPayments is asked first); caller commits."""
    public_id = new_invoice_id("sub", created_by_id, request_key)
    description = f"Регулярное пожертвование «Маяку», {FREQUENCY_NAMES[frequency]}" + (
        f", сбор «{event_name}»" if event_name else ""
    )
    first = create_donation(
        donor_email=donor_email,
        amount=amount,
        currency=currency,
        event_id=event_id,
        event_name=event_name,
        agree_newsletter=agree_newsletter,
        created_by_id=created_by_id,
        request_key=request_key,
        kind=DonationKind.FIRST_PAYMENT,
        invoice_id=public_id,
        description=description,
        newsletter_source="subscription",
    )
    sub = RecurringSubscription(
        public_id=public_id,
        donor_email=donor_email,
        amount=amount,
        currency=currency,
        frequency=frequency,
        event_id=event_id,
        event_name=event_name,
        agree_newsletter=agree_newsletter,
        order_id=first.order_id,
        payment_url=first.payment_url,
        created_by_id=created_by_id,
    )
    db.session.add(sub)
    db.session.flush()
    first.subscription_id = sub.id
    return sub


def first_payment_made(donation: Donation, fields: dict) -> str | None:
    """The first payment went through: create the subscription at CloudPayments with its card.

    None if the subscription was cancelled before it was paid, or cannot be created: the
    payment is then thanked as a one-off donation.
    """
    sub = _locked(RecurringSubscription.id == donation.subscription_id)
    if sub is not None and sub.status in ENDED:
        return None
    if sub is None or sub.status != SubscriptionStatus.AWAITING_PAYMENT:
        return "первый платёж учтён; подписка уже прошла этот шаг"
    paid_at = notification_time(fields)
    sub.started_at = sub.last_charge_at = paid_at
    sub.successful_charges = 1
    sub.total_charged = donation.amount
    sub.next_charge_at = one_period_after(sub, paid_at)
    token = fields.get("Token")
    if not token:
        sub.status, sub.ended_at = SubscriptionStatus.FAILED, utcnow()
        sub.end_reason = sub.last_error = "CloudPayments не передал токен карты: подписку создать нельзя"
        log.error("Pay for subscription %s without a Token", sub.public_id)
        return None
    sub.card_token = token
    sub.status = SubscriptionStatus.ACTIVATING
    _owe(sub, "create")
    return "первый платёж; подписка создаётся в CloudPayments"


# ---- CloudPayments' reports -------------------------------------------------------------------


def cloudpayments_time(value) -> datetime | None:
    """A CloudPayments time (yyyy-MM-dd HH:mm:ss, UTC), or None."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def notification_time(fields: dict) -> datetime:
    """When CloudPayments says it happened (DateTime), or now."""
    return cloudpayments_time(fields.get("DateTime")) or utcnow()


def charge_succeeded(fields: dict) -> str:
    sub = _locked(RecurringSubscription.cp_subscription_id == str(fields["SubscriptionId"]))
    if sub is None:
        log.warning("Pay for an unknown subscription %r", fields["SubscriptionId"])
        return "подписка не найдена: ничего не изменено"
    paid_at = notification_time(fields)
    amount = Decimal(str(fields["Amount"]))
    db.session.add(
        Donation(
            invoice_id=f"rec-{fields['TransactionId']}",
            kind=DonationKind.RECURRING,
            subscription_id=sub.id,
            donor_email=sub.donor_email,
            amount=amount,
            currency=fields.get("Currency") or sub.currency,
            event_id=sub.event_id,
            event_name=sub.event_name,
            status=DonationStatus.COMPLETED,
            transaction_id=fields["TransactionId"],
            is_first_donation=False,
            paid_at=paid_at,
        )
    )
    sub.successful_charges += 1
    sub.total_charged += amount
    sub.failed_attempts = 0
    sub.last_failure_reason = None
    sub.last_charge_at = paid_at
    if sub.status == SubscriptionStatus.PAST_DUE:
        sub.status = SubscriptionStatus.ACTIVE
    if sub.status in ENDED:
        log.warning("Charge %s for ended subscription %s", fields["TransactionId"], sub.public_id)
    else:
        sub.next_charge_at = one_period_after(sub, paid_at)
    if sub.successful_charges % sub.charges_per_year == 0:
        db.session.flush()
        _send(sub, "subscription_year", **_year_figures(sub))
        return f"списание № {sub.successful_charges}, письмо subscription_year"
    _send(sub, "subscription_thanks", charge_number=sub.successful_charges)
    return f"списание № {sub.successful_charges}, письмо subscription_thanks"


def _year_figures(sub: RecurringSubscription) -> dict:
    recent = (
        db.select(Donation.amount)
        .where(Donation.subscription_id == sub.id, Donation.status == DonationStatus.COMPLETED)
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(sub.charges_per_year)
        .subquery()
    )
    count, total = db.session.execute(db.select(func.count(), func.sum(recent.c.amount))).one()
    total = total or Decimal("0")
    word = plural(count, "пожертвование", "пожертвования", "пожертвований")
    return {
        "year_charges": count,
        "year_total": rubles(total, sub.currency),
        "yearly_stats": f"{count} {word} на сумму {rubles(total, sub.currency)}",
    }


def charge_failed(fields: dict) -> str:
    sub = _locked(RecurringSubscription.cp_subscription_id == str(fields["SubscriptionId"]))
    if sub is None:
        log.warning("Fail for an unknown subscription %r", fields["SubscriptionId"])
        return "подписка не найдена: ничего не изменено"
    if sub.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        return f"отказ в списании; подписка в статусе {sub.status}, ничего не делаем"
    sub.failed_attempts += 1
    sub.last_failure_reason = russian_reason(fields.get("ReasonCode"))
    if sub.failed_attempts > LETTERED_FAILURES:
        _end(
            sub,
            SubscriptionStatus.REJECTED,
            f"{sub.failed_attempts} неудачных списаний подряд",
            letter="subscription_cancelled",
        )
        return f"отказ № {sub.failed_attempts}: подписка завершена, письмо subscription_cancelled"
    sub.status = SubscriptionStatus.PAST_DUE
    sub.next_charge_at = notification_time(fields) + RETRY_AFTER_FAILURE
    _send(
        sub,
        "subscription_charge_failed",
        failure_reason=sub.last_failure_reason,
        next_retry_date=russian_date(sub.next_charge_at),
        attempt_number=sub.failed_attempts,
    )
    return f"отказ в списании, попытка {sub.failed_attempts}, письмо subscription_charge_failed"


def apply_recurrent(fields: dict) -> str:
    """CloudPayments reports the subscription's state (Active, PastDue, Cancelled, Rejected, Expired)."""
    sub = _locked(RecurringSubscription.cp_subscription_id == str(fields["Id"]))
    if sub is None:
        log.warning("Recurrent for an unknown subscription %r", fields["Id"])
        return "подписка не найдена: ничего не изменено"
    state = str(fields["Status"])
    sub.cp_status = state
    if sub.status in ENDED:
        return f"CloudPayments: {state}; подписка уже завершена"
    if state == "Rejected":
        _end(
            sub,
            SubscriptionStatus.REJECTED,
            "CloudPayments отклонил подписку после неудачных списаний",
            letter="subscription_cancelled",
            at_cloudpayments=False,
        )
        return "CloudPayments отклонил подписку: завершена, письмо subscription_cancelled"
    if state in ("Cancelled", "Expired"):
        status = SubscriptionStatus.CANCELLED if state == "Cancelled" else SubscriptionStatus.EXPIRED
        _end(sub, status, f"CloudPayments: {state}", letter=None, at_cloudpayments=False)
        return f"CloudPayments: {state}; подписка завершена"
    next_date = cloudpayments_time(fields.get("NextTransactionDate"))
    if next_date:
        sub.next_charge_at = next_date
    return f"CloudPayments: {state}"


# ---- ending -----------------------------------------------------------------------------------


def find(identifier: str, *, lock: bool = False) -> RecurringSubscription | None:
    """By our id (sub-…) or CloudPayments' (sc_…)."""
    condition = or_(
        RecurringSubscription.public_id == identifier, RecurringSubscription.cp_subscription_id == identifier
    )
    if lock:
        return _locked(condition)
    return db.session.execute(db.select(RecurringSubscription).where(condition)).scalar_one_or_none()


def cancel(sub: RecurringSubscription, *, reason: str | None, farewell: bool) -> str:
    """End a subscription now (the donor's wish, or an operator's); the caller holds its row lock."""
    if sub.status in ENDED:
        return "already ended"
    if sub.status == SubscriptionStatus.AWAITING_PAYMENT:
        _end(sub, SubscriptionStatus.CANCELLED, reason or "отменена до первого платежа", letter=None)
        return "cancelled before the first payment"
    _end(
        sub,
        SubscriptionStatus.CANCELLED,
        reason or "отменена по желанию благотворителя",
        letter="subscription_farewell" if farewell else None,
    )
    return "cancelled" + (", letter subscription_farewell" if farewell else "")


def _end(
    sub: RecurringSubscription, status: str, reason: str, *, letter: str | None, at_cloudpayments: bool = True
) -> None:
    sub.status = status
    sub.ended_at = utcnow()
    sub.end_reason = reason
    sub.next_charge_at = None
    if at_cloudpayments and sub.cp_subscription_id:
        _owe(sub, "cancel")
    # A create still owed goes on: an earlier try may have created it at CloudPayments, and
    # once it is recorded the subscription, ended, owes the cancel (_created).
    if letter == "subscription_cancelled":
        _send(
            sub,
            letter,
            failure_reason=sub.last_failure_reason or "банк не подтвердил списание",
            cancellation_date=russian_date(sub.ended_at),
            reactivate_link=reactivate_link(sub.public_id),
        )
    elif letter == "subscription_farewell":
        _send(
            sub,
            letter,
            cancellation_date=russian_date(sub.ended_at),
            total_donated=rubles(sub.total_charged, sub.currency),
            reactivate_link=reactivate_link(sub.public_id),
        )


# ---- CloudPayments calls owed -----------------------------------------------------------------


def _owe(sub: RecurringSubscription, action: str) -> None:
    sub.pending_action = action
    sub.attempts = 0
    sub.next_attempt_at = None
    sub.last_error = None
    enqueue_after_commit(db.session, SYNC_JOB, sub.id)


def perform_pending(subscription_id: int) -> float | None:
    """Make the CloudPayments call the subscription owes; the delay of a retry, if one is due.

    No transaction is open during the call. X-Request-ID makes a repeated create return the
    first one's subscription; a cancel first asks whether the subscription is still live.
    """
    sub = _locked(RecurringSubscription.id == subscription_id)
    if sub is None or not sub.pending_action:
        return None
    if sub.next_attempt_at and sub.next_attempt_at > utcnow():
        return (sub.next_attempt_at - utcnow()).total_seconds()
    action = sub.pending_action
    interval, period, _ = FREQUENCIES[sub.frequency]
    call = {
        "token": sub.card_token,
        "account_id": sub.donor_email,
        "description": _cp_description(sub),
        "email": sub.donor_email,
        "amount": sub.amount,
        "currency": sub.currency,
        "start_date": sub.next_charge_at or one_period_after(sub, utcnow()),
        "interval": interval,
        "period": period,
        "request_id": f"subscription-{sub.public_id}",
    }
    cp_id, tried_before, public_id = sub.cp_subscription_id, sub.attempts > 0, sub.public_id
    # A lease: another job for this subscription (a retry, the sweeper's) waits until it runs out.
    lease = current_app.config["PROVIDER_TIMEOUT_SECONDS"] * 3 + 5
    sub.next_attempt_at = utcnow() + timedelta(seconds=lease)
    db.session.commit()  # no transaction (and no lock) held across the HTTP calls
    client = provider_clients.cloudpayments()
    try:
        if action == "create":
            # An earlier try may have created it and lost the answer: adopt that one.
            result = _created_before(client, call["account_id"], public_id) if tried_before else None
            result = result or client.create_subscription(**call)
        else:
            result = client.get_subscription(cp_id)
            if result.get("Status") in ("Active", "PastDue"):
                client.cancel_subscription(cp_id)
                result = {**result, "Status": "Cancelled"}
    except ProviderError as exc:
        return _call_failed(subscription_id, action, exc)
    sub = _locked(RecurringSubscription.id == subscription_id)
    if action == "create":
        return _created(sub, result)
    sub.cp_status = result.get("Status")
    if sub.pending_action == "cancel":
        sub.pending_action, sub.last_error, sub.next_attempt_at = None, None, None
    return None


def _cp_description(sub: RecurringSubscription) -> str:
    """What the donor sees at CloudPayments; it names our id, so a lost answer can be found again."""
    return f"Регулярное пожертвование «Маяку», {FREQUENCY_NAMES[sub.frequency]} ({sub.public_id})"


def _created_before(client, account_id: str, public_id: str) -> dict | None:
    found = client.find_subscriptions(account_id)
    return next((m for m in found if public_id in (m.get("Description") or "")), None)


def _created(sub: RecurringSubscription, model: dict) -> float | None:
    if sub.cp_subscription_id:  # another job recorded it first (the same X-Request-ID: the same one)
        return None
    sub.cp_subscription_id = str(model["Id"])
    sub.cp_status = model.get("Status") or "Active"
    sub.pending_action, sub.last_error, sub.next_attempt_at = None, None, None
    if sub.status != SubscriptionStatus.ACTIVATING:  # ended while it was being created
        _owe(sub, "cancel")
        return None
    sub.status = SubscriptionStatus.ACTIVE
    _send(sub, "subscription_details")
    return None


def _call_failed(subscription_id: int, action: str, exc: ProviderError) -> float | None:
    sub = _locked(RecurringSubscription.id == subscription_id)
    if sub.pending_action != action:
        return None  # overtaken (a cancel while the create failed): the new action has its own job
    delay = schedule_retry(sub, exc)
    log.warning("CloudPayments %s for %s failed: %s", action, sub.public_id, exc)
    if delay is not None:
        return delay
    sub.pending_action = None
    if action == "create":
        sub.status, sub.ended_at = SubscriptionStatus.FAILED, utcnow()
        sub.end_reason = f"CloudPayments не создал подписку: {exc}"
        first = db.session.execute(db.select(Donation).filter_by(invoice_id=sub.public_id)).scalar()
        if first is not None and first.status == DonationStatus.COMPLETED:
            thank(first)  # the donor paid once: that payment is thanked all the same
    return None


# ---- helpers ----------------------------------------------------------------------------------


def _locked(condition) -> RecurringSubscription | None:
    """The row, locked, as committed now (not as this session loaded it before)."""
    query = (
        db.select(RecurringSubscription)
        .where(condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.execute(query).scalar_one_or_none()


def _send(sub: RecurringSubscription, code: str, **variables) -> None:
    values = {
        "recurrent_amount": rubles(sub.amount, sub.currency),
        "frequency": FREQUENCY_NAMES[sub.frequency],
        "manage_link": manage_link(sub.public_id),
        "event_name": sub.event_name or "",
        "next_charge_date": russian_date(sub.next_charge_at),
        **variables,
    }
    message = queue_message(template_ref(code), sub.donor_email, values, kind=code, reference=reference(sub))
    dispatch_after_commit([message])


def subscription_to_dict(sub: RecurringSubscription) -> dict:
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "id": sub.public_id,
        "subscription_id": sub.cp_subscription_id,
        "recurrent_email": sub.donor_email,
        "recurrent_amount": str(sub.amount),
        "currency": sub.currency,
        "frequency": sub.frequency,
        "event_id": sub.event_id,
        "status": sub.status,
        "cloudpayments_status": sub.cp_status,
        "payment_url": sub.payment_url if sub.status == SubscriptionStatus.AWAITING_PAYMENT else None,
        "successful_charges": sub.successful_charges,
        "total_charged": str(sub.total_charged),
        "failed_attempts": sub.failed_attempts,
        "last_failure_reason": sub.last_failure_reason,
        "next_charge_at": iso(sub.next_charge_at),
        "ended_at": iso(sub.ended_at),
        "end_reason": sub.end_reason,
        "pending_action": sub.pending_action,
        "last_error": sub.last_error,
        "created_at": iso(sub.created_at),
    }
