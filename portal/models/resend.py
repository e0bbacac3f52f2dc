"""Resending failed letters (ФТ-019): one run per admin request, one item per letter asked for."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class ResendRun(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Chosen letters, or every letter matching a filter (then walked by a job, in chunks).
    filter: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="running")  # running, done
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    resent: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # the last message id walked
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by = relationship("User", lazy="joined")


class ResendItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("resend_run.id", ondelete="CASCADE"), index=True)
    original_id: Mapped[int] = mapped_column(Integer, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))  # the new letter
    refusal: Mapped[str | None] = mapped_column(String(256))

    message = relationship("Message", lazy="joined")
