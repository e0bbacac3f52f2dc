"""Keeping the daily statistics up to date: recompute only the days whose source rows changed.

Each run looks at the rows changed since the previous run started (less OVERLAP, for a
transaction that wrote its timestamp before the last run and committed after it), turns their
timestamps into local days, and recomputes those days whole. The first run recomputes every
day there is data for; `rebuild` recomputes a given range whatever changed. The caller commits.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert

from portal.extensions import db
from portal.models import (
    Donation,
    DonationStatus,
    EventHistory,
    Message,
    PaymentNotification,
    RecurringSubscription,
    StatisticsDay,
    StatisticsDonationDay,
    StatisticsMessageDay,
    StatisticsRollup,
    SubscriptionStatus,
)
from portal.models.base import utcnow
from portal.services.message_log import local_zone

OVERLAP = timedelta(minutes=5)
ROLLUP = "daily"
RECEIVED_ACTIONS = ("received", "resubmitted")
DECISION_ACTIONS = ("approved", "rejected")

# Which rows say that a day changed: (the column that moves when a row changes, the columns
# whose day the row is counted on) per kind of daily rows.
MESSAGE_SOURCES = ((Message.updated_at, (Message.created_at,)),)
DONATION_SOURCES = ((Donation.updated_at, (Donation.paid_at,)),)
DAY_SOURCES = (
    (RecurringSubscription.updated_at, (RecurringSubscription.started_at, RecurringSubscription.ended_at)),
    (PaymentNotification.received_at, (PaymentNotification.received_at,)),
    (EventHistory.at, (EventHistory.at,)),
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as a half-open range of aware datetimes."""
    zone = local_zone()
    return datetime.combine(day, time.min, zone), datetime.combine(day + timedelta(days=1), time.min, zone)


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def _changed_days(sources, since: datetime | None) -> set[date]:
    """Local days of the rows changed after `since` (every day with rows when None).

    Grouped by UTC date (portable SQL), with each group's first and last moment: the local
    days are those the group spans, at most two.
    """
    days = set()
    for changed, day_columns in sources:
        for column in day_columns:
            query = (
                db.select(func.min(column), func.max(column))
                .where(column.is_not(None))
                .group_by(func.date(column))
            )
            if since is not None:
                query = query.where(changed > since)
            for first, last in db.session.execute(query):
                days.add(local_day(first))
                days.add(local_day(last))
    return days


def recompute_message_day(day: date) -> None:
    start, end = day_bounds(day)
    db.session.execute(delete(StatisticsMessageDay).where(StatisticsMessageDay.day == day))
    rows = db.session.execute(
        db.select(Message.template_id, Message.channel, Message.status, func.count())
        .where(Message.created_at >= start, Message.created_at < end)
        .group_by(Message.template_id, Message.channel, Message.status)
    ).all()
    if rows:
        db.session.execute(
            insert(StatisticsMessageDay),
            [{"day": day, "template_id": t, "channel": c, "status": s, "messages": n} for t, c, s, n in rows],
        )


def recompute_donation_day(day: date) -> None:
    start, end = day_bounds(day)
    db.session.execute(delete(StatisticsDonationDay).where(StatisticsDonationDay.day == day))
    rows = db.session.execute(
        db.select(Donation.kind, Donation.is_first_donation, func.count(), func.sum(Donation.amount))
        .where(Donation.status == DonationStatus.COMPLETED, Donation.paid_at >= start, Donation.paid_at < end)
        .group_by(Donation.kind, Donation.is_first_donation)
    ).all()
    merged: dict[tuple[str, str], list] = defaultdict(lambda: [0, Decimal("0")])
    for kind, first, count, amount in rows:
        entry = merged[(kind, "first" if first else "repeat")]
        entry[0] += count
        entry[1] += Decimal(amount or 0)
    if merged:
        db.session.execute(
            insert(StatisticsDonationDay),
            [
                {"day": day, "kind": kind, "donor": donor, "donations": n, "amount": amount}
                for (kind, donor), (n, amount) in merged.items()
            ],
        )


def _count(model, *conditions) -> int:
    return db.session.execute(db.select(func.count()).select_from(model).where(*conditions)).scalar()


def moderation_waits(start: datetime, end: datetime) -> list[int]:
    """Seconds from an Event's (re)submission to each decision taken in [start, end)."""
    decisions = db.session.execute(
        db.select(EventHistory.event_pk, EventHistory.at).where(
            EventHistory.action.in_(DECISION_ACTIONS), EventHistory.at >= start, EventHistory.at < end
        )
    ).all()
    if not decisions:
        return []
    received: dict[int, list[datetime]] = defaultdict(list)
    for event_pk, at in db.session.execute(
        db.select(EventHistory.event_pk, EventHistory.at)
        .where(
            EventHistory.action.in_(RECEIVED_ACTIONS),
            EventHistory.event_pk.in_({pk for pk, _ in decisions}),
            EventHistory.at < end,
        )
        .order_by(EventHistory.at)
    ):
        received[event_pk].append(at)
    waits = []
    for event_pk, decided in decisions:
        submitted = [at for at in received[event_pk] if at <= decided]
        if submitted:
            waits.append(round((decided - submitted[-1]).total_seconds()))
    return sorted(waits)


def recompute_day(day: date) -> None:
    """A day's subscriptions and Events."""
    start, end = day_bounds(day)
    sub = RecurringSubscription
    ended = (sub.started_at.is_not(None), sub.ended_at >= start, sub.ended_at < end)
    actions = dict(
        db.session.execute(
            db.select(EventHistory.action, func.count())
            .where(EventHistory.at >= start, EventHistory.at < end)
            .group_by(EventHistory.action)
        ).all()
    )
    values = {
        "subscriptions_started": _count(sub, sub.started_at >= start, sub.started_at < end),
        "subscriptions_ended": _count(sub, *ended),
        "subscriptions_cancelled": _count(sub, *ended, sub.status == SubscriptionStatus.CANCELLED),
        "failed_charges": _count(
            PaymentNotification,
            PaymentNotification.kind == "fail",
            PaymentNotification.subscription_id.is_not(None),
            PaymentNotification.received_at >= start,
            PaymentNotification.received_at < end,
        ),
        "events_received": sum(actions.get(a, 0) for a in RECEIVED_ACTIONS),
        "events_approved": actions.get("approved", 0),
        "events_rejected": actions.get("rejected", 0),
        "events_closed": actions.get("closed", 0),
        "moderation_seconds": moderation_waits(start, end),
    }
    db.session.execute(delete(StatisticsDay).where(StatisticsDay.day == day))
    if any(values.values()):
        db.session.execute(insert(StatisticsDay), [{"day": day, **values}])


def _recompute(sources_and_steps, since: datetime | None, within: tuple[date, date] | None) -> dict:
    done = {}
    for name, sources, step in sources_and_steps:
        days = _changed_days(sources, since) if within is None else _days_between(*within)
        for day in sorted(days):
            step(day)
        done[name] = sorted(days)
    return done


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


STEPS = (
    ("messages", MESSAGE_SOURCES, recompute_message_day),
    ("donations", DONATION_SOURCES, recompute_donation_day),
    ("days", DAY_SOURCES, recompute_day),
)


def rollup() -> dict:
    """Recompute the days touched since the last run (every day on the first); the days, by kind."""
    started = utcnow()
    state = db.session.get(StatisticsRollup, ROLLUP, with_for_update=True)
    since = state.changes_since - OVERLAP if state else None
    done = _recompute(STEPS, since, None)
    if state is None:
        state = StatisticsRollup(name=ROLLUP)
        db.session.add(state)
    state.changes_since, state.finished_at = started, utcnow()
    return done


def rebuild(first: date, last: date) -> dict:
    """Recompute every day of [first, last], whatever changed (after a fix, or rows deleted)."""
    return _recompute(STEPS, None, (first, last))


def data_until() -> datetime | None:
    """When the last rollup started: the figures include every change made before it."""
    state = db.session.get(StatisticsRollup, ROLLUP)
    return state.changes_since if state else None
