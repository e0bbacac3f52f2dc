"""Messages (the outbox of letters) and their status history."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    SOFT_BOUNCED = "soft_bounced"
    HARD_BOUNCED = "hard_bounced"
    SPAM = "spam"
    UNSUBSCRIBED = "unsubscribed"
    FAILED = "failed"
    CANCELLED = "cancelled"  # never sent: no longer wanted (a reminder the user no longer needs)


# How far along the happy path a status is; a late event never moves a message back.
PROGRESS = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.OPENED: 4,
    MessageStatus.CLICKED: 5,
}
PROBLEM_STATUSES = frozenset(
    {
        MessageStatus.SOFT_BOUNCED,
        MessageStatus.HARD_BOUNCED,
        MessageStatus.SPAM,
        MessageStatus.UNSUBSCRIBED,
        MessageStatus.FAILED,
    }
)


class Message(db.Model):
    __table_args__ = (
        Index("ix_message_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_message_created_at", "created_at"),
        # The statistics rollup finds the days whose letters changed since its last run.
        Index("ix_message_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    kind: Mapped[str] = mapped_column(String(64))
    # What the letter is about, e.g. "donation:12" or "subscription:3" (for those pages' history).
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("message_template.id"))
    recipient: Mapped[str] = mapped_column(String(256), index=True)
    variables: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_override: Mapped[str | None] = mapped_column(Text)
    body_override: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("delivery_batch.id"), index=True)
    provider_job_id: Mapped[str | None] = mapped_column(String(128))
    rendered_subject: Mapped[str | None] = mapped_column(Text)
    rendered_html: Mapped[str | None] = mapped_column(Text)
    rendered_text: Mapped[str | None] = mapped_column(Text)
    # This recipient's values for the placeholders of its batch's shared letter.
    substitutions: Mapped[dict | None] = mapped_column(JSON)
    template_version: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # A failed letter resent by an admin (ФТ-019) gets resent_at; its copy points back to it.
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    template = relationship("MessageTemplate", lazy="joined")
    events = relationship("MessageEvent", order_by="MessageEvent.id", passive_deletes=True)


class MessageEvent(db.Model):
    """One step of a message's life, from the hub or from the provider."""

    __table_args__ = (UniqueConstraint("message_id", "status", "occurred_at", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="hub")
    detail: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
