"""The statistics of a date range, read from the daily rows only (never from the message table)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from sqlalchemy import func

from portal.extensions import db
from portal.models import (
    MessageStatus,
    MessageTemplate,
    StatisticsDay,
    StatisticsDonationDay,
    StatisticsMessageDay,
)
from portal.statistics.rollup import data_until, local_day

MAX_DAYS = 366
S = MessageStatus

# A letter counts in every step of the funnel it reached, judged by its current status: a
# clicked letter was also sent, delivered and opened; a spam complaint or an unsubscription
# needs a delivered letter.
FUNNEL = {
    "sent": (S.SENT, S.DELIVERED, S.OPENED, S.CLICKED, S.SOFT_BOUNCED, S.HARD_BOUNCED, S.SPAM)
    + (S.UNSUBSCRIBED,),
    "delivered": (S.DELIVERED, S.OPENED, S.CLICKED, S.SPAM, S.UNSUBSCRIBED),
    "opened": (S.OPENED, S.CLICKED),
    "clicked": (S.CLICKED,),
    "bounced": (S.SOFT_BOUNCED, S.HARD_BOUNCED),
    "failed": (S.FAILED,),
    "in_progress": (S.QUEUED, S.SENDING),
}
# Each rate: (numerator, denominator); "total" is every letter created.
RATES = {
    "delivered": ("delivered", "sent"),
    "opened": ("opened", "delivered"),
    "clicked": ("clicked", "delivered"),
    "bounced": ("bounced", "sent"),
    "failed": ("failed", "total"),
}
# The per-day chart stacks letters by where they are now; every status is in exactly one band.
BANDS = {
    "delivered": (S.DELIVERED, S.OPENED, S.CLICKED, S.SPAM, S.UNSUBSCRIBED),
    "sent": (S.SENT,),
    "bounced": (S.SOFT_BOUNCED, S.HARD_BOUNCED),
    "failed": (S.FAILED,),
    "in_progress": (S.QUEUED, S.SENDING, S.CANCELLED),
}


class RangeError(ValueError):
    """The date range is not usable; `problem` names what is wrong, `field` which parameter."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class DateRange:
    date_from: date
    date_to: date

    @property
    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=n) for n in range((self.date_to - self.date_from).days + 1)]

    def query_args(self) -> dict:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}


def today() -> date:
    from portal.models.base import utcnow

    return local_day(utcnow())


def default_range() -> DateRange:
    """The current month up to today."""
    now = today()
    return DateRange(now.replace(day=1), now)


def parse_range(args) -> DateRange:
    """date_from and date_to (YYYY-MM-DD, both included); missing ones take the default's."""
    default = default_range()
    values = {}
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        try:
            values[name] = date.fromisoformat(raw) if raw else getattr(default, name)
        except ValueError:
            raise RangeError(name, "format") from None
    if not args.get("date_from") and values["date_to"] < values["date_from"]:
        values["date_from"] = values["date_to"].replace(day=1)  # only date_to given, in an earlier month
    if values["date_to"] < values["date_from"]:
        raise RangeError("date_to", "order")
    if (values["date_to"] - values["date_from"]).days + 1 > MAX_DAYS:
        raise RangeError("date_to", "too_long")
    return DateRange(values["date_from"], values["date_to"])


def presets() -> list[tuple[str, DateRange]]:
    """The ranges offered as one-click links: (key, range)."""
    now = today()
    first = now.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("this_month", DateRange(first, now)),
        ("last_month", DateRange(last_month_end.replace(day=1), last_month_end)),
        ("last_7_days", DateRange(now - timedelta(days=6), now)),
        ("last_30_days", DateRange(now - timedelta(days=29), now)),
    ]


def _rate(counts: dict, name: str) -> float | None:
    numerator, denominator = RATES[name]
    return round(counts[numerator] / counts[denominator], 4) if counts[denominator] else None


def letter_counts(by_status: dict[str, int]) -> dict:
    """Funnel counts and rates from counts per exact status."""
    counts = {"total": sum(by_status.values())}
    counts.update(_grouped(by_status, FUNNEL))
    counts["rates"] = {name: _rate(counts, name) for name in RATES}
    return counts


def _letters(period: DateRange) -> tuple[dict, list[dict], dict[date, dict[str, int]]]:
    """Summed by the database: a few hundred rows come back, however many days and letters."""
    row = StatisticsMessageDay
    in_range = row.day.between(period.date_from, period.date_to)
    per_template: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    overall: dict[str, int] = defaultdict(int)
    for template_id, channel, status, count in db.session.execute(
        db.select(row.template_id, row.channel, row.status, func.sum(row.messages))
        .where(in_range)
        .group_by(row.template_id, row.channel, row.status)
    ):
        per_template[(template_id, channel)][status] = int(count)
        overall[status] += int(count)
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, status, count in db.session.execute(
        db.select(row.day, row.status, func.sum(row.messages)).where(in_range).group_by(row.day, row.status)
    ):
        per_day[day][status] = int(count)
    names = {
        template_id: (code, name)
        for template_id, code, name in db.session.execute(
            db.select(MessageTemplate.id, MessageTemplate.code, MessageTemplate.name).where(
                MessageTemplate.id.in_({t for t, _ in per_template})
            )
        )
    }
    templates = []
    for (template_id, channel), by_status in per_template.items():
        code, name = names.get(template_id, (None, f"#{template_id}"))
        templates.append(
            {
                "template_id": template_id,
                "code": code,
                "name": name,
                "channel": channel,
                **letter_counts(by_status),
            }
        )
    templates.sort(key=lambda t: (-t["total"], t["name"]))
    return letter_counts(overall), templates, per_day


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _donations(period: DateRange) -> tuple[dict, dict[date, dict]]:
    rows = db.session.execute(
        db.select(
            StatisticsDonationDay.day,
            StatisticsDonationDay.kind,
            StatisticsDonationDay.donor,
            StatisticsDonationDay.donations,
            StatisticsDonationDay.amount,
        ).where(StatisticsDonationDay.day.between(period.date_from, period.date_to))
    ).all()

    def empty():
        return {"count": 0, "sum": Decimal("0")}

    total, by_donor, by_kind = empty(), defaultdict(empty), defaultdict(empty)
    per_day: dict[date, dict] = defaultdict(empty)
    for day, kind, donor, count, amount in rows:
        for bucket in (total, by_donor[donor], by_kind[kind], per_day[day]):
            bucket["count"] += count
            bucket["sum"] += Decimal(amount)

    def shown(bucket):
        return {"count": bucket["count"], "sum": _money(bucket["sum"])}

    summary = {
        **shown(total),
        "first_time": shown(by_donor["first"]),
        "repeat": shown(by_donor["repeat"]),
        "by_kind": {kind: shown(bucket) for kind, bucket in sorted(by_kind.items())},
    }
    return summary, {day: shown(bucket) for day, bucket in per_day.items()}


def _days(period: DateRange) -> tuple[dict, dict, dict[date, StatisticsDay]]:
    rows = {
        row.day: row
        for row in db.session.execute(
            db.select(StatisticsDay).where(StatisticsDay.day.between(period.date_from, period.date_to))
        ).scalars()
    }

    def total(name: str) -> int:
        return sum(getattr(row, name) for row in rows.values())

    started_before, ended_before = db.session.execute(
        db.select(
            func.coalesce(func.sum(StatisticsDay.subscriptions_started), 0),
            func.coalesce(func.sum(StatisticsDay.subscriptions_ended), 0),
        ).where(StatisticsDay.day <= period.date_to)
    ).one()
    subscriptions = {
        "new": total("subscriptions_started"),
        "active": int(started_before) - int(ended_before),
        "cancelled": total("subscriptions_cancelled"),
        "ended": total("subscriptions_ended"),
        "failed_charges": total("failed_charges"),
    }
    waits = [w for row in rows.values() for w in row.moderation_seconds or []]
    events = {
        "received": total("events_received"),
        "approved": total("events_approved"),
        "rejected": total("events_rejected"),
        "closed": total("events_closed"),
        "decisions": len(waits),
        "median_moderation_seconds": round(median(waits)) if waits else None,
    }
    return subscriptions, events, rows


def _grouped(by_status: dict[str, int], groups: dict) -> dict[str, int]:
    return {group: sum(by_status.get(s, 0) for s in statuses) for group, statuses in groups.items()}


def summary(period: DateRange) -> dict:
    """Everything the statistics page and GET /api/v1/statistics/summary show for a range."""
    letters, templates, letter_days = _letters(period)
    donations, donation_days = _donations(period)
    subscriptions, events, day_rows = _days(period)
    series = []
    for day in period.days:
        by_status = letter_days.get(day, {})
        row = day_rows.get(day)
        series.append(
            {
                "date": day.isoformat(),
                "letters": _grouped(by_status, BANDS),
                "letters_total": sum(by_status.values()),
                "letters_steps": _grouped(by_status, FUNNEL),
                "donations": donation_days.get(day, {"count": 0, "sum": "0.00"}),
                "subscriptions_new": row.subscriptions_started if row else 0,
                "subscriptions_cancelled": row.subscriptions_cancelled if row else 0,
                "failed_charges": row.failed_charges if row else 0,
                "events_received": row.events_received if row else 0,
                "events_approved": row.events_approved if row else 0,
                "events_rejected": row.events_rejected if row else 0,
                "events_closed": row.events_closed if row else 0,
            }
        )
    until = data_until()
    return {
        "date_from": period.date_from.isoformat(),
        "date_to": period.date_to.isoformat(),
        "data_until": until.isoformat(timespec="seconds") if until else None,
        "letters": {**letters, "by_template": templates},
        "donations": donations,
        "subscriptions": subscriptions,
        "events": events,
        "days": series,
    }
