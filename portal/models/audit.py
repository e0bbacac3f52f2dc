"""Seed 002's audit of actions, the daily usage it rolls up into, and partners' quotas."""

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class AuditAction(db.Model):
    """One API call, or one portal action that changed something, with its outcome."""

    __tablename__ = "audit_action"
    __table_args__ = (
        Index("ix_audit_action_user_day", "user_id", "day"),
        Index("ix_audit_action_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The caller's local day (their account's timezone): what usage and daily quotas count by.
    day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))  # api | portal
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(256))
    company: Mapped[str | None] = mapped_column(String(256))
    service: Mapped[str] = mapped_column(String(32))
    process_type: Mapped[str] = mapped_column(String(16))
    operation: Mapped[str] = mapped_column(String(256))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    request_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    http_status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    request_points: Mapped[int] = mapped_column(Integer, default=0)
    replayed: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str | None] = mapped_column(String(512))
    pod: Mapped[str | None] = mapped_column(String(64))  # the host that answered


class UsageDay(db.Model):
    """A user's calls of one service and process type on one local day (rolled up from the audit)."""

    __tablename__ = "usage_day"
    __table_args__ = (UniqueConstraint("user_id", "day", "service", "process_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(32))
    process_type: Mapped[str] = mapped_column(String(16))
    processes: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)
    unique_points: Mapped[int] = mapped_column(Integer, default=0)
    elements: Mapped[int] = mapped_column(Integer, default=0)
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Quota(db.Model):
    """A partner's limits on one service and process type (defaults from config when absent)."""

    __tablename__ = "quota"
    __table_args__ = (UniqueConstraint("user_id", "service", "process_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("app_user.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(32))
    process_type: Mapped[str] = mapped_column(String(16))
    points_per_request: Mapped[int] = mapped_column(Integer)
    points_per_day: Mapped[int] = mapped_column(Integer)
    max_concurrent_execution: Mapped[int] = mapped_column(Integer)
    edited_by: Mapped[str | None] = mapped_column(String(256))
    edit_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
