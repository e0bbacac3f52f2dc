"""Donations and regular subscriptions through CloudPayments, and every payment notification."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow

Money = Numeric(12, 2)  # rubles and kopecks, exactly


class DonationKind(enum.StrEnum):
    ONE_OFF = "one_off"
    FIRST_PAYMENT = "first_payment"  # a subscription's first payment, through a payment link
    RECURRING = "recurring"  # a subscription's charge by CloudPayments


class DonationStatus(enum.StrEnum):
    PENDING = "pending"  # the payment link is out, nothing paid yet
    COMPLETED = "completed"
    FAILED = "failed"  # the last attempt failed; the donor may still pay with the same link


class Donation(db.Model):
    # An Event's donors, address by address (the closing letters walk this in order).
    __table_args__ = (
        Index("ix_donation_event_status_donor", "event_id", "status", "donor_email"),
        Index("ix_donation_updated_at", "updated_at"),  # the statistics rollup's changed days
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[str] = mapped_column(String(64), unique=True)  # ours, sent as InvoiceId
    donor_email: Mapped[str] = mapped_column(String(256), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_name: Mapped[str | None] = mapped_column(String(256))
    agree_newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=DonationStatus.PENDING, index=True)
    kind: Mapped[str] = mapped_column(String(16), default=DonationKind.ONE_OFF)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("recurring_subscription.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(64))
    payment_url: Mapped[str | None] = mapped_column(String(512))
    transaction_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    is_first_donation: Mapped[bool | None] = mapped_column(Boolean)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[int | None] = mapped_column(Integer)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PaymentNotification(db.Model):
    """A verified CloudPayments notification; `dedupe_key` makes its effects happen once.

    The webhook only stores it (one INSERT, so CloudPayments gets its answer at once); a worker
    applies it to the donation or subscription and records the outcome.
    """

    # The worker's queue: not applied yet (applied_at NULL), oldest first.
    __table_args__ = (Index("ix_payment_notification_unapplied", "applied_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # pay, fail, recurrent
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(256))  # what applying it did
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Received notifications are stored at once and applied by a worker; None until then.
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubscriptionStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"  # the first payment's link is out, no card yet
    ACTIVATING = "activating"  # paid; being created at CloudPayments with the card's token
    ACTIVE = "active"
    PAST_DUE = "past_due"  # the last charge failed; CloudPayments tries again
    CANCELLED = "cancelled"  # by the donor or an operator
    REJECTED = "rejected"  # ended after failed charges
    EXPIRED = "expired"  # CloudPayments reached MaxPeriods
    FAILED = "failed"  # could not be created at CloudPayments

    @classmethod
    def live(cls) -> tuple[str, ...]:
        return (cls.ACTIVATING, cls.ACTIVE, cls.PAST_DUE)


# Frequencies a donor can choose: CloudPayments' Interval and Period, charges per year.
FREQUENCIES = {
    "monthly": ("Month", 1, 12),
    "quarterly": ("Month", 3, 4),
    "semiannual": ("Month", 6, 2),
    "yearly": ("Month", 12, 1),
}


class RecurringSubscription(db.Model):
    """A donor's regular donation (ФТ-009): a CloudPayments subscription after a first payment.

    `pending_action` is a CloudPayments call still owed ("create" after the first payment,
    "cancel" after the donor or the failed charges ended it); `attempts`, `next_attempt_at` and
    `last_error` describe it, and the sweeper re-sends its job if it was lost.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)  # ours: sub-…, the first InvoiceId
    cp_subscription_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # sc_…
    donor_email: Mapped[str] = mapped_column(String(256), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_name: Mapped[str | None] = mapped_column(String(256))
    agree_newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.AWAITING_PAYMENT, index=True)
    cp_status: Mapped[str | None] = mapped_column(String(16))  # as CloudPayments last reported it
    order_id: Mapped[str | None] = mapped_column(String(64))
    payment_url: Mapped[str | None] = mapped_column(String(512))
    card_token: Mapped[str | None] = mapped_column(String(128))
    successful_charges: Mapped[int] = mapped_column(Integer, default=0)
    total_charged: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)  # in a row; a success resets it
    last_failure_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_charge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_charge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)
    pending_action: Mapped[str | None] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def charges_per_year(self) -> int:
        return FREQUENCIES[self.frequency][2]
