"""Events (ФТ-024, ФТ-025, ФТ-026): received for moderation, decided once, told to Bitrix.

A decision is one conditional UPDATE (… WHERE status = 'pending_moderation'): of two moderators
acting at once exactly one changes the row; the other is told the Event was already decided.
The decision, its history row, the creator's letter and the Bitrix callback owed commit
together; a job then calls Bitrix with no transaction open, retrying until Bitrix takes it.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from flask import current_app
from sqlalchemy import update

from portal.database import insert_ignoring_conflicts
from portal.extensions import db
from portal.models import Donation, DonationStatus, Event, EventHistory, EventStatus, Message, MessageStatus
from portal.models.base import utcnow
from portal.providers import ProviderCircuitOpen, ProviderError
from portal.queueing import enqueue_after_commit
from portal.services import provider_clients
from portal.services.backoff import retry_delay
from portal.services.donations import rubles
from portal.services.messages import dispatch_after_commit, queue_message, queue_messages, template_ref

log = logging.getLogger("mayak.events")

BITRIX_JOB = "portal.jobs.events.notify_bitrix"


class EventNotFound(LookupError):
    pass


class EventChanged(Exception):
    """Bitrix changed the Event after the moderator opened it: they must look again."""


class AlreadyDecided(Exception):
    def __init__(self, event: Event):
        super().__init__(event.status)
        self.event = event


@dataclass
class Notice:
    event_id: str
    name: str
    creator_email: str
    description: str | None
    images_count: int
    target_amount: Decimal | None
    date_from: date | None
    date_to: date | None


def reference(event: Event) -> str:
    return f"event:{event.id}"


def receive_notice(notice: Notice, created_by_id: int | None) -> tuple[Event, str]:
    """Store or update the Event; (event, what happened). The caller commits.

    A new Event, or one rejected before and sent again, waits for moderation and its creator
    gets the "on moderation" letter; a repeat while it waits only updates its fields; an Event
    already published or closed keeps its state (the notice is recorded in its history).
    """
    now = utcnow()
    inserted = (
        db.session.execute(
            insert_ignoring_conflicts(
                Event,
                {
                    "event_id": notice.event_id,
                    "name": notice.name,
                    "creator_email": notice.creator_email,
                    "status": EventStatus.PENDING_MODERATION,
                    "images_count": notice.images_count,
                    "submitted_at": now,
                    "created_by_id": created_by_id,
                    "created_at": now,
                    "updated_at": now,
                    "bitrix_attempts": 0,
                },
            ).returning(Event.__table__.c.id)
        ).first()
        is not None
    )
    event = _locked(notice.event_id)
    for field in (
        "name",
        "creator_email",
        "description",
        "images_count",
        "target_amount",
        "date_from",
        "date_to",
    ):
        setattr(event, field, getattr(notice, field))
    if inserted:
        outcome = "received"
    elif event.status == EventStatus.REJECTED:
        event.status, event.submitted_at = EventStatus.PENDING_MODERATION, now
        event.decided_at = event.decided_by_id = event.rejection_reason = event.moderator_comment = None
        if event.bitrix_state == "pending":  # Bitrix sent it again: the rejection is old news there
            event.bitrix_state, event.bitrix_last_error = None, "не отправлено: Событие снова на модерации"
        outcome = "resubmitted"
    elif event.status == EventStatus.PENDING_MODERATION:
        outcome = "updated"
    else:
        outcome = f"notice for a {event.status} Event: fields updated, state kept"
    _history(event, outcome if outcome in ("received", "resubmitted", "updated") else "notice", created_by_id)
    if outcome in ("received", "resubmitted"):
        _send(event, "event_on_moderation", event_name=event.name, event_id=event.event_id)
        cancel_event_reminders(event.creator_email)
    return event, outcome


def cancel_event_reminders(email: str) -> None:
    """The user has an Event now: a "create your first Event" letter still waiting is not sent."""
    db.session.execute(
        update(Message)
        .where(
            Message.recipient == email,
            Message.kind == "event_reminder",
            Message.status == MessageStatus.QUEUED,
        )
        .values(status=MessageStatus.CANCELLED, last_error="не отправлено: пользователь уже создал Событие")
        .execution_options(synchronize_session=False)
    )


def find(event_id: str) -> Event:
    event = db.session.execute(db.select(Event).filter_by(event_id=event_id)).scalar()
    if event is None:
        raise EventNotFound(event_id)
    return event


def approve(event_id: str, actor_id: int, comment: str | None, seen: datetime | None = None) -> Event:
    now = utcnow()
    url = current_app.config["EVENT_URL_TEMPLATE"].format(event_id=quote(event_id, safe=""))
    event = _decide(
        event_id,
        status=EventStatus.PUBLISHED,
        actor_id=actor_id,
        moderator_comment=comment,
        event_url=url,
        now=now,
        bitrix_fields={"ufCrmStatus": "published", "ufCrmUpdatedAt": _iso(now), "ufCrmEventUrl": url},
        seen=seen,
    )
    _history(event, "approved", actor_id, comment)
    _send(event, "event_approved", event_name=event.name, event_url=event.event_url)
    return event


def reject(event_id: str, actor_id: int, reason: str, seen: datetime | None = None) -> Event:
    now = utcnow()
    event = _decide(
        event_id,
        status=EventStatus.REJECTED,
        actor_id=actor_id,
        rejection_reason=reason,
        now=now,
        bitrix_fields={
            "ufCrmStatus": "rejected",
            "ufCrmRejectionReason": reason,
            "ufCrmRejectedAt": _iso(now),
        },
    )
    _history(event, "rejected", actor_id, reason)
    _send(event, "event_rejected", event_name=event.name, rejection_reason=reason)
    return event


def _decide(
    event_id: str, *, status: str, actor_id: int, now: datetime, seen: datetime | None = None, **values
) -> Event:
    """`seen`: the Event's updated_at when the moderator opened it; a later change refuses."""
    conditions = [Event.event_id == event_id, Event.status == EventStatus.PENDING_MODERATION]
    if seen is not None:
        conditions.append(Event.updated_at == seen)
    changed = db.session.execute(
        update(Event)
        .where(*conditions)
        .values(
            status=status,
            decided_at=now,
            decided_by_id=actor_id,
            updated_at=now,
            bitrix_state="pending",
            bitrix_attempts=0,
            bitrix_next_attempt_at=None,
            bitrix_last_error=None,
            **values,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    event = db.session.execute(
        db.select(Event).filter_by(event_id=event_id).execution_options(populate_existing=True)
    ).scalar()
    if event is None:
        raise EventNotFound(event_id)
    if not changed and event.status == EventStatus.PENDING_MODERATION:
        raise EventChanged(event_id)
    if not changed:
        raise AlreadyDecided(event)
    enqueue_after_commit(db.session, BITRIX_JOB, event.id)
    return event


# ---- Bitrix -----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def notify_bitrix(event_pk: int) -> float | None:
    """Tell Bitrix the decision; the delay of the next try, or None. No transaction is held
    during the call; a lease keeps a second job (a retry, the sweeper's) from calling too."""
    event = db.session.execute(
        db.select(Event).filter_by(id=event_pk).with_for_update().execution_options(populate_existing=True)
    ).scalar()
    if event is None or event.bitrix_state != "pending" or not event.bitrix_fields:
        return None
    if event.bitrix_next_attempt_at and event.bitrix_next_attempt_at > utcnow():
        return (event.bitrix_next_attempt_at - utcnow()).total_seconds()
    # What was decided, as it was decided (seed 000: event.approved / event.rejected): the Event
    # may have moved on since (closed, or sent for moderation again).
    fields, item_id = dict(event.bitrix_fields), event.event_id
    event.bitrix_next_attempt_at = utcnow() + timedelta(
        seconds=current_app.config["PROVIDER_TIMEOUT_SECONDS"] + 5
    )
    db.session.commit()
    try:
        provider_clients.bitrix().update_item(
            current_app.config["BITRIX_EVENT_ENTITY_TYPE_ID"], item_id, fields
        )
    except ProviderError as exc:
        return _bitrix_failed(event_pk, exc)
    event = db.session.get(Event, event_pk)
    event.bitrix_attempts += 1
    event.bitrix_state, event.bitrix_sent_at = "sent", utcnow()
    event.bitrix_next_attempt_at, event.bitrix_last_error = None, None
    _history(
        event,
        "bitrix_sent",
        None,
        f"event.{'approved' if fields['ufCrmStatus'] == 'published' else 'rejected'}",
    )
    return None


def _bitrix_failed(event_pk: int, exc: ProviderError) -> float | None:
    """Retried until Bitrix takes it (backoff capped); a refusal (4xx) is shown as failed."""
    event = db.session.get(Event, event_pk)
    event.bitrix_last_error = str(exc)
    if not exc.retryable:
        event.bitrix_attempts += 1
        event.bitrix_state, event.bitrix_next_attempt_at = "failed", None
        _history(event, "bitrix_failed", None, str(exc))
        log.error("Bitrix refused the decision on Event %s: %s", event.event_id, exc)
        return None
    if not isinstance(exc, ProviderCircuitOpen):  # waiting for the circuit is not an attempt
        event.bitrix_attempts += 1
    delay = retry_delay(event.bitrix_attempts, exc.retry_after)
    event.bitrix_next_attempt_at = utcnow() + timedelta(seconds=delay)
    return delay


def _locked(event_id: str) -> Event:
    query = (
        db.select(Event)
        .filter_by(event_id=event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.execute(query).scalar_one()


def _history(event: Event, action: str, actor_id: int | None, detail: str | None = None) -> None:
    db.session.add(
        EventHistory(event_pk=event.id, action=action, actor_id=actor_id, detail=detail, at=utcnow())
    )


def _send(event: Event, code: str, **variables) -> None:
    message = queue_message(
        template_ref(code), event.creator_email, variables, kind=code, reference=reference(event)
    )
    dispatch_after_commit([message])


def event_to_dict(event: Event, *, with_history: bool = False) -> dict:
    def iso(moment):
        return moment.isoformat() if moment else None

    body = {
        "event_id": event.event_id,
        "event_name": event.name,
        "event_creator_email": event.creator_email,
        "event_description": event.description,
        "images_count": event.images_count,
        "target_amount": str(event.target_amount) if event.target_amount is not None else None,
        "event_date_from": iso(event.date_from),
        "event_date_to": iso(event.date_to),
        "status": event.status,
        "submitted_at": iso(event.submitted_at),
        "decided_at": iso(event.decided_at),
        "decided_by": event.decided_by.username if event.decided_by else None,
        "comment": event.moderator_comment,
        "rejection_reason": event.rejection_reason,
        "event_url": event.event_url,
        "total_amount": str(event.total_amount) if event.total_amount is not None else None,
        "closed_at": iso(event.closed_at),
        "donor_letters": {
            "state": event.fanout_state,
            "total": event.fanout_total,
            "queued": event.fanout_queued,
        },
        "bitrix": {
            "state": event.bitrix_state,
            "attempts": event.bitrix_attempts,
            "last_error": event.bitrix_last_error,
            "sent_at": iso(event.bitrix_sent_at),
        },
    }
    if with_history:
        body["history"] = [
            {
                "action": h.action,
                "by": h.actor.username if h.actor else None,
                "detail": h.detail,
                "at": iso(h.at),
            }
            for h in event.history
        ]
    return body


# ---- closing (ФТ-003, ФТ-006, ФТ-027) ------------------------------------------------------------

FANOUT_JOB = "portal.jobs.events.fan_out_closing"


@dataclass
class Closing:
    event_id: str
    total_amount: Decimal
    creator_email: str
    name: str
    closed_at: datetime


def donors_of(event_id: str):
    """The distinct addresses that completed a donation to the Event, in address order."""
    return (
        db.select(Donation.donor_email)
        .where(Donation.event_id == event_id, Donation.status == DonationStatus.COMPLETED)
        .group_by(Donation.donor_email)
        .order_by(Donation.donor_email)
    )


def close(closing: Closing, created_by_id: int | None) -> tuple[Event, str]:
    """Close the Event once: the creator's letter (the ФТ-027 one for a zero total) now, and a
    job that writes every donor's letter. A second close changes and sends nothing. Caller commits."""
    now = utcnow()
    db.session.execute(
        insert_ignoring_conflicts(
            Event,
            {
                "event_id": closing.event_id,
                "name": closing.name,
                "creator_email": closing.creator_email,
                "status": EventStatus.PUBLISHED,
                "images_count": 0,
                "submitted_at": now,
                "created_by_id": created_by_id,
                "created_at": now,
                "updated_at": now,
                "bitrix_attempts": 0,
                "fanout_total": 0,
                "fanout_queued": 0,
            },
        )
    )
    event = _locked(closing.event_id)
    if event.status == EventStatus.CLOSED:
        return event, "already closed"
    event.status, event.closed_at, event.total_amount = (
        EventStatus.CLOSED,
        closing.closed_at,
        closing.total_amount,
    )
    event.name, event.creator_email = closing.name, closing.creator_email
    total = rubles(closing.total_amount)
    code = "event_closed_creator" if closing.total_amount > 0 else "event_closed_zero"
    _send(event, code, event_name=event.name, total_amount=total)
    donors = db.session.execute(
        db.select(db.func.count()).select_from(donors_of(event.event_id).subquery())
    ).scalar()
    event.fanout_total, event.fanout_queued, event.fanout_cursor = donors, 0, None
    event.fanout_state, event.fanout_updated_at = ("running" if donors else "done"), now
    _history(event, "closed", created_by_id, f"собрано {total}; благотворителей: {donors}")
    if donors:
        enqueue_after_commit(db.session, FANOUT_JOB, event.id)
    return event, "closed"


def fan_out_chunk(event_pk: int) -> bool:
    """Queue the next chunk of donors' letters after the cursor; True while more remain.

    The chunk's letters and the moved cursor commit together (the caller commits) under the
    Event's row lock: a job that dies, or a second job for the same Event, neither skips nor
    repeats an address. The letters share one text, so the dispatcher sends them in batches of
    many recipients per UnisenderGo call.
    """
    event = db.session.execute(
        db.select(Event).filter_by(id=event_pk).with_for_update().execution_options(populate_existing=True)
    ).scalar()
    if event is None or event.fanout_state != "running":
        return False
    size = current_app.config["FANOUT_CHUNK_SIZE"]
    query = donors_of(event.event_id).limit(size)
    if event.fanout_cursor is not None:
        query = query.where(Donation.donor_email > event.fanout_cursor)
    addresses = db.session.execute(query).scalars().all()
    if addresses:
        variables = {"event_name": event.name, "total_amount": rubles(event.total_amount or Decimal("0"))}
        messages = queue_messages(
            template_ref("event_closed_donor"),
            [(address, variables) for address in addresses],
            kind="event_closed_donor",
            reference=reference(event),
        )
        dispatch_after_commit(messages)
        event.fanout_cursor = addresses[-1]
        event.fanout_queued += len(addresses)
    event.fanout_updated_at = utcnow()
    if len(addresses) < size:
        event.fanout_state = "done"
        _history(event, "donors_queued", None, f"{event.fanout_queued}")
        return False
    return True


def fanout_progress(event: Event) -> dict:
    """How far the donors' letters have got, by delivery status."""
    rows = db.session.execute(
        db.select(Message.status, db.func.count())
        .where(Message.reference == reference(event), Message.kind == "event_closed_donor")
        .group_by(Message.status)
    ).all()
    return {"total": event.fanout_total, "queued": event.fanout_queued, "by_status": dict(rows)}
