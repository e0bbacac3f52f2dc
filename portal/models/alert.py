"""Alerts raised by the monitoring rules (НФТ-5.2): one active alert per rule and key."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"


class Alert(db.Model):
    __table_args__ = (
        # While an alert is active (not resolved) the rule raises no second one for the same key.
        Index(
            "uq_alert_active_rule_key",
            "rule",
            "key",
            unique=True,
            sqlite_where=db.text("resolved_at IS NULL"),
            postgresql_where=db.text("resolved_at IS NULL"),
        ),
        Index("ix_alert_raised_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))  # what the rule looked at: a provider, a queue…
    severity: Mapped[str] = mapped_column(String(16), default=Severity.WARNING)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    acknowledged_by = relationship("User", lazy="joined")

    @property
    def active(self) -> bool:
        return self.resolved_at is None
