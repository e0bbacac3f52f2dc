"""One provider call carrying one or more messages, under one idempotency key."""

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class DeliveryBatch(db.Model):
    # The id is the idempotence_key sent to the provider, so a re-run after a crash is
    # recognised as the same request.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), default="unisendergo")
    state: Mapped[str] = mapped_column(String(16), default="sending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A worker holds the batch until then; past it, a crashed worker's batch is taken over.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_job_id: Mapped[str | None] = mapped_column(String(128))
    # What is sent: the letter itself, or one with {{placeholders}} for the recipients' values.
    subject: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    plaintext: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
