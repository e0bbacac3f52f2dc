"""Daily statistics (ФТ-013-017): per-day counts kept by the rollup job, read by the summary.

Every day is a local day (DISPLAY_TIMEZONE). A day's rows are recomputed whole from the source
tables whenever something on that day changed, so they are never incremented in place and a
rebuild of any range gives the same rows.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime


class StatisticsMessageDay(db.Model):
    """Letters created on a day, by template, channel and their current status."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    template_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class StatisticsDonationDay(db.Model):
    """Completed donations paid on a day, by kind and whether the donor gave for the first time."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    donor: Mapped[str] = mapped_column(String(8), primary_key=True)  # first, repeat
    donations: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))


class StatisticsDay(db.Model):
    """A day's subscriptions and Events; `moderation_seconds` lists each decision's wait."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    subscriptions_started: Mapped[int] = mapped_column(Integer, default=0)
    # Every subscription that had started and ended on the day (active ones = started − ended).
    subscriptions_ended: Mapped[int] = mapped_column(Integer, default=0)
    subscriptions_cancelled: Mapped[int] = mapped_column(Integer, default=0)  # of those, by donor or admin
    failed_charges: Mapped[int] = mapped_column(Integer, default=0)
    events_received: Mapped[int] = mapped_column(Integer, default=0)
    events_approved: Mapped[int] = mapped_column(Integer, default=0)
    events_rejected: Mapped[int] = mapped_column(Integer, default=0)
    events_closed: Mapped[int] = mapped_column(Integer, default=0)
    moderation_seconds: Mapped[list] = mapped_column(JSON, default=list)


class StatisticsRollup(db.Model):
    """Where the rollup stopped: changes made after `changes_since` are still to be counted."""

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    changes_since: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
