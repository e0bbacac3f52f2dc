"""Events (fundraisers) from Bitrix, their moderation, and what the hub told Bitrix."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow
from portal.models.donation import Money


class EventStatus(enum.StrEnum):
    PENDING_MODERATION = "pending_moderation"
    PUBLISHED = "published"
    REJECTED = "rejected"
    CLOSED = "closed"


class Event(db.Model):
    """An Event as Bitrix sent it for moderation; `event_id` is Bitrix's id (the API's {id}).

    `bitrix_state` is the decision's callback to Bitrix: pending (owed; `bitrix_attempts`,
    `bitrix_next_attempt_at`, `bitrix_last_error` describe it), sent, or failed (refused).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    creator_email: Mapped[str] = mapped_column(String(256), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    images_count: Mapped[int] = mapped_column(Integer, default=0)
    target_amount: Mapped[Decimal | None] = mapped_column(Money)
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default=EventStatus.PENDING_MODERATION, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # waiting since
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    moderator_comment: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    event_url: Mapped[str | None] = mapped_column(String(512))
    bitrix_state: Mapped[str | None] = mapped_column(String(16), index=True)
    bitrix_fields: Mapped[dict | None] = mapped_column(db.JSON)  # what the decision owes Bitrix
    bitrix_attempts: Mapped[int] = mapped_column(Integer, default=0)
    bitrix_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bitrix_last_error: Mapped[str | None] = mapped_column(Text)
    bitrix_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closing (ФТ-003/006/027): the total, and the letters to every donor, queued in chunks by a
    # job that resumes after `fanout_cursor` (the last address queued).
    total_amount: Mapped[Decimal | None] = mapped_column(Money)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fanout_state: Mapped[str | None] = mapped_column(String(16), index=True)  # running, done
    fanout_total: Mapped[int] = mapped_column(Integer, default=0)
    fanout_queued: Mapped[int] = mapped_column(Integer, default=0)
    fanout_cursor: Mapped[str | None] = mapped_column(String(256))
    fanout_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    decided_by = relationship("User", foreign_keys=[decided_by_id])  # not joined: rows are locked FOR UPDATE
    history = relationship("EventHistory", order_by="EventHistory.id", passive_deletes=True)


class EventHistory(db.Model):
    """What happened to an Event, who did it and when: the moderation decisions' audit trail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))  # received, updated, approved, rejected, bitrix_…
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", lazy="joined")


class SandboxBitrixCall(db.Model):
    """A REST call the simulated Bitrix received (the sandbox page lists them)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    answered: Mapped[int] = mapped_column(Integer)  # the HTTP status the sandbox answered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
