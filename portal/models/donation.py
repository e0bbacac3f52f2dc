"""One-off donations through CloudPayments, and every payment notification received."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow

Money = Numeric(12, 2)  # rubles and kopecks, exactly


class DonationStatus(enum.StrEnum):
    PENDING = "pending"  # the payment link is out, nothing paid yet
    COMPLETED = "completed"
    FAILED = "failed"  # the last attempt failed; the donor may still pay with the same link


class Donation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[str] = mapped_column(String(64), unique=True)  # ours, sent as InvoiceId
    donor_email: Mapped[str] = mapped_column(String(256), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_name: Mapped[str | None] = mapped_column(String(256))
    agree_newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=DonationStatus.PENDING, index=True)
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
    """A verified CloudPayments notification; `dedupe_key` makes its effects happen once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # pay, fail, recurrent
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(256))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
