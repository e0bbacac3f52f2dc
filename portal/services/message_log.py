"""Searching the message log, and the counts the dashboard shows."""

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func

from portal.extensions import db
from portal.models import Message, MessageStatus, MessageTemplate

PER_PAGE = 25
STATUS_GROUPS = {
    "in_progress": (MessageStatus.QUEUED, MessageStatus.SENDING),
    "sent": (MessageStatus.SENT,),
    "delivered": (MessageStatus.DELIVERED, MessageStatus.OPENED, MessageStatus.CLICKED),
    "problems": (
        MessageStatus.FAILED,
        MessageStatus.HARD_BOUNCED,
        MessageStatus.SOFT_BOUNCED,
        MessageStatus.SPAM,
        MessageStatus.UNSUBSCRIBED,
    ),
}


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _parse_date(value: str | None) -> date | None:
    """YYYY-MM-DD only (fromisoformat alone also takes 20261101 and 2026-W48-1)."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def valid_date(value: str) -> str:
    """The value if it is an ISO date (as the date inputs send it), else empty."""
    return value if _parse_date(value) else ""


def within_dates(column, date_from: str, date_to: str) -> list:
    """Conditions for `column` falling on the days from…to (inclusive, local time)."""
    zone = local_zone()
    conditions = []
    if date_from:
        conditions.append(column >= datetime.combine(_parse_date(date_from), time.min, zone))
    if date_to:
        conditions.append(column < datetime.combine(_parse_date(date_to) + timedelta(days=1), time.min, zone))
    return conditions


class UrlFilter:
    """A dataclass of filters kept in the URL: every field a query argument (trimmed)."""

    @classmethod
    def raw(cls, args):
        return cls(**{name: args.get(name, "").strip()[:256] for name in asdict(cls())})

    def query_args(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass
class MessageFilter(UrlFilter):
    status: str = ""
    channel: str = ""
    template: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "MessageFilter":
        raw = cls.raw(args)
        if raw.status not in set(MessageStatus) | set(STATUS_GROUPS):
            raw.status = ""
        if raw.channel not in ("email", "sms"):
            raw.channel = ""
        raw.date_from, raw.date_to = valid_date(raw.date_from), valid_date(raw.date_to)
        return raw

    def statement(self):
        query = db.select(Message).order_by(Message.id.desc())
        if self.status in STATUS_GROUPS:
            query = query.where(Message.status.in_(STATUS_GROUPS[self.status]))
        elif self.status:
            query = query.where(Message.status == self.status)
        if self.channel:
            query = query.where(Message.channel == self.channel)
        if self.template:
            query = query.join(MessageTemplate).where(MessageTemplate.code == self.template)
        query = query.where(*within_dates(Message.created_at, self.date_from, self.date_to))
        if self.q:
            query = query.where(Message.recipient.ilike(f"%{self.q}%"))
        return query


def search(flt: MessageFilter, page: int):
    return db.paginate(flt.statement(), page=max(page, 1), per_page=PER_PAGE, error_out=False)


def start_of_today() -> datetime:
    zone = local_zone()
    return datetime.combine(datetime.now(zone).date(), time.min, zone)


def counts_since(since: datetime) -> dict[str, int]:
    """Messages created since `since`, per status group, plus the total."""
    rows = db.session.execute(
        db.select(Message.status, func.count()).where(Message.created_at >= since).group_by(Message.status)
    ).all()
    by_status = dict(rows)
    counts = {group: sum(by_status.get(s, 0) for s in statuses) for group, statuses in STATUS_GROUPS.items()}
    counts["total"] = sum(by_status.values())
    return counts


def templates_for_filter() -> list[MessageTemplate]:
    return list(db.session.execute(db.select(MessageTemplate).order_by(MessageTemplate.name)).scalars())
