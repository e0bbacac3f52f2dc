"""Searching donations and subscriptions for the portal, and what happened to each."""

from dataclasses import dataclass

from sqlalchemy import or_

from portal.extensions import db
from portal.models import (
    Donation,
    DonationKind,
    DonationStatus,
    Message,
    PaymentNotification,
    RecurringSubscription,
    SubscriptionStatus,
)
from portal.models.donation import FREQUENCIES
from portal.services.message_log import PER_PAGE, UrlFilter, valid_date, within_dates
from portal.services.subscriptions import reference as subscription_reference


@dataclass
class DonationFilter(UrlFilter):
    status: str = ""
    kind: str = ""
    event: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "DonationFilter":
        raw = cls.raw(args)
        raw.status = raw.status if raw.status in set(DonationStatus) else ""
        raw.kind = raw.kind if raw.kind in set(DonationKind) else ""
        raw.date_from, raw.date_to = valid_date(raw.date_from), valid_date(raw.date_to)
        return raw

    def statement(self):
        query = db.select(Donation).order_by(Donation.id.desc())
        if self.status:
            query = query.where(Donation.status == self.status)
        if self.kind:
            query = query.where(Donation.kind == self.kind)
        if self.event:
            query = query.where(Donation.event_id == self.event)
        query = query.where(*within_dates(Donation.created_at, self.date_from, self.date_to))
        if self.q:
            like = f"%{self.q}%"
            query = query.where(or_(Donation.donor_email.ilike(like), Donation.invoice_id.ilike(like)))
        return query


@dataclass
class SubscriptionFilter(UrlFilter):
    status: str = ""
    frequency: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "SubscriptionFilter":
        raw = cls.raw(args)
        raw.status = raw.status if raw.status in set(SubscriptionStatus) else ""
        raw.frequency = raw.frequency if raw.frequency in FREQUENCIES else ""
        raw.date_from, raw.date_to = valid_date(raw.date_from), valid_date(raw.date_to)
        return raw

    def statement(self):
        query = db.select(RecurringSubscription).order_by(RecurringSubscription.id.desc())
        if self.status:
            query = query.where(RecurringSubscription.status == self.status)
        if self.frequency:
            query = query.where(RecurringSubscription.frequency == self.frequency)
        query = query.where(*within_dates(RecurringSubscription.created_at, self.date_from, self.date_to))
        if self.q:
            like = f"%{self.q}%"
            query = query.where(
                or_(
                    RecurringSubscription.donor_email.ilike(like),
                    RecurringSubscription.public_id.ilike(like),
                    RecurringSubscription.cp_subscription_id.ilike(like),
                )
            )
        return query


def search(flt, page: int):
    return db.paginate(flt.statement(), page=max(page, 1), per_page=PER_PAGE, error_out=False)


def letters_about(reference: str) -> list[Message]:
    query = db.select(Message).where(Message.reference == reference).order_by(Message.id)
    return list(db.session.execute(query).scalars())


def donation_notifications(donation: Donation) -> list[PaymentNotification]:
    conditions = [PaymentNotification.invoice_id == donation.invoice_id]
    if donation.transaction_id:
        conditions.append(PaymentNotification.transaction_id == donation.transaction_id)
    query = db.select(PaymentNotification).where(or_(*conditions)).order_by(PaymentNotification.id)
    return list(db.session.execute(query).scalars())


def subscription_notifications(sub: RecurringSubscription) -> list[PaymentNotification]:
    conditions = [PaymentNotification.invoice_id == sub.public_id]
    if sub.cp_subscription_id:
        conditions.append(PaymentNotification.subscription_id == sub.cp_subscription_id)
    query = db.select(PaymentNotification).where(or_(*conditions)).order_by(PaymentNotification.id)
    return list(db.session.execute(query).scalars())


def subscription_charges(sub: RecurringSubscription) -> list[Donation]:
    query = db.select(Donation).where(Donation.subscription_id == sub.id).order_by(Donation.id.desc())
    return list(db.session.execute(query).scalars())


def subscription_letters(sub: RecurringSubscription, charges: list[Donation]) -> list[Message]:
    """Letters about the subscription and about its payments (a declined first payment's, say)."""
    references = [subscription_reference(sub)] + [f"donation:{d.id}" for d in charges]
    query = db.select(Message).where(Message.reference.in_(references)).order_by(Message.id)
    return list(db.session.execute(query).scalars())
