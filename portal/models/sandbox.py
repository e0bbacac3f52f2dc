"""What the sandbox providers recorded: requests, emails they 'delivered', list members."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class SandboxRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    idempotence_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    job_id: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    webhook_state: Mapped[str] = mapped_column(String(16), default="pending")
    webhook_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxEmail(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("sandbox_request.id"), index=True)
    job_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(256), index=True)
    from_email: Mapped[str] = mapped_column(String(256))
    from_name: Mapped[str | None] = mapped_column(String(256))
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    plaintext: Mapped[str | None] = mapped_column(Text)
    substitutions: Mapped[dict] = mapped_column(JSON, default=dict)
    meta: Mapped[dict] = mapped_column("metadata", JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="delivered")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SandboxSubscriber(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(256))
    name: Mapped[str | None] = mapped_column(String(256))
    tags: Mapped[str | None] = mapped_column(String(512))
    requests: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxPaymentOrder(db.Model):
    """A payment link the simulated CloudPayments handed out (orders/create)."""

    id: Mapped[int] = mapped_column(primary_key=True)  # the order's Number
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the order's Id, in its Url
    request_id: Mapped[str | None] = mapped_column(String(128), unique=True)  # X-Request-ID
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(256))
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(256))
    json_data: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="Created")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxPaymentTransaction(db.Model):
    """A payment attempt on the sandbox payment page, and the notification it owes the hub."""

    id: Mapped[int] = mapped_column(primary_key=True)  # TransactionId
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_payment_order.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # Completed or Declined
    reason_code: Mapped[int | None] = mapped_column(Integer)
    card_last_four: Mapped[str] = mapped_column(String(4))
    token: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(256))
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(256))
    json_data: Mapped[dict | None] = mapped_column(JSON)
    subscription_code: Mapped[str | None] = mapped_column(String(32), index=True)  # a recurring charge
    notification_state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxSubscription(db.Model):
    """A subscription at the simulated CloudPayments: charged on demand, not by a clock."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the subscription's Id, sc_…
    request_id: Mapped[str | None] = mapped_column(String(128), unique=True)  # X-Request-ID
    token: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(256), index=True)
    email: Mapped[str | None] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(8))
    period: Mapped[int] = mapped_column(Integer)
    max_periods: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="Active")
    successful_transactions: Mapped[int] = mapped_column(Integer, default=0)
    failed_transactions: Mapped[int] = mapped_column(Integer, default=0)  # in a row
    start_date: Mapped[datetime] = mapped_column(UTCDateTime)
    last_transaction_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_transaction_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
