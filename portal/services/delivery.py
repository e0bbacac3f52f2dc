"""Turning queued messages into provider calls, and recording what the provider said.

A message is claimed (queued -> sending) and put into a DeliveryBatch in one
transaction; the batch id is the provider's idempotence key, so a batch re-sent after
a crash is the same request, and the provider records its letters once.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, update

from portal.extensions import db
from portal.models import DeliveryBatch, Message, MessageEvent, MessageStatus
from portal.models.base import utcnow
from portal.providers import ProviderError
from portal.providers.unisender_go import Recipient
from portal.services import provider_clients
from portal.services.backoff import retry_delay, schedule_retry
from portal.services.rendering import RenderedLetter, RenderError, render_letter, shared_letter

MAX_RECIPIENTS_PER_CALL = 500  # UnisenderGo's limit for email/send
RETRYABLE_RECIPIENT_FAILURES = {"temporary_unavailable"}


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    batch_retry_in: float | None = None  # the whole call failed and is tried again
    requeued: list[int] = field(default_factory=list)  # single addresses to try later
    requeue_in: float = 0.0


def claim_and_batch(limit: int) -> tuple[int, list[str]]:
    """Claim up to `limit` due, queued messages and batch them.

    Returns how many were claimed and the new batch ids. Letters that render to the same
    shared letter (see rendering.shared_letter) go in one batch, one provider call.
    """
    now = utcnow()
    candidates = (
        db.select(Message.id)
        .where(
            Message.status == MessageStatus.QUEUED,
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
        )
        .order_by(Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock serialises instead
    )
    ids = db.session.execute(candidates).scalars().all()
    if not ids:
        return 0, []
    claimed = (
        db.session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.SENDING, updated_at=now)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    messages = db.session.execute(db.select(Message).where(Message.id.in_(claimed))).scalars()
    groups: dict[RenderedLetter, list[list[Message]]] = {}
    for message in messages:
        try:
            letter, shared, substitutions = _render(message)
        except RenderError as exc:
            _fail(message, str(exc))
            continue
        message.rendered_subject, message.rendered_html, message.rendered_text = (
            letter.subject,
            letter.html,
            letter.text,
        )
        message.template_version = message.template.version
        message.substitutions = substitutions
        if shared is None:
            groups.setdefault(letter, []).append([message])  # alone in its call
            continue
        batches = groups.setdefault(shared, [[]])
        # One address appears once per call: UnisenderGo would drop the second as a duplicate.
        if len(batches[-1]) >= MAX_RECIPIENTS_PER_CALL or any(
            m.recipient == message.recipient for m in batches[-1]
        ):
            batches.append([])
        batches[-1].append(message)
    batch_ids = []
    for content, batches in groups.items():
        for members in batches:
            batch = DeliveryBatch(
                id=str(uuid.uuid4()),
                provider="unisendergo",
                subject=content.subject,
                html=content.html,
                plaintext=content.text,
            )
            db.session.add(batch)
            for message in members:
                message.batch_id = batch.id
            batch_ids.append(batch.id)
    db.session.flush()
    return len(claimed), batch_ids


def _render(message: Message) -> tuple[RenderedLetter, RenderedLetter | None, dict]:
    """The full letter, the shared letter it can go out as (or None), its substitutions."""
    template = message.template
    variables = {k: v for k, v in (message.variables or {}).items() if isinstance(k, str)}
    parts = (
        message.subject_override or template.subject,
        message.body_override or template.body_html,
        "" if message.body_override else template.body_text,
    )
    letter = render_letter(*parts, variables)
    shared = shared_letter(*parts, variables, letter)
    if shared is None:
        return letter, None, {}
    return letter, shared[0], shared[1]


def _fail(message: Message, error: str) -> None:
    message.status = MessageStatus.FAILED
    message.last_error = error
    message.next_attempt_at = None
    db.session.add(MessageEvent(message_id=message.id, status=MessageStatus.FAILED, detail=error))


def seconds_until_due(batch_id: str | None = None) -> float | None:
    """Seconds until this batch (or else the first waiting queued message) is due.

    0 when it is due already (it may have become due since the caller last looked), None
    when nothing waits for a time.
    """
    now = utcnow()
    if batch_id is not None:
        query = db.select(DeliveryBatch.next_attempt_at).where(
            DeliveryBatch.id == batch_id, DeliveryBatch.state == "sending"
        )
    else:
        query = db.select(db.func.min(Message.next_attempt_at)).where(Message.status == MessageStatus.QUEUED)
    due = db.session.execute(query).scalar()
    return None if due is None else max((due - now).total_seconds(), 0.0)


def lease_batch(batch_id: str) -> bool:
    """Take the batch for this worker; False if it is done, not due, or someone holds it."""
    now = utcnow()
    lease = (
        current_app.config["BATCH_LEASE_SECONDS"] or current_app.config["PROVIDER_TIMEOUT_SECONDS"] * 2 + 30
    )
    result = db.session.execute(
        update(DeliveryBatch)
        .where(
            DeliveryBatch.id == batch_id,
            DeliveryBatch.state == "sending",
            or_(DeliveryBatch.leased_until.is_(None), DeliveryBatch.leased_until < now),
            or_(DeliveryBatch.next_attempt_at.is_(None), DeliveryBatch.next_attempt_at <= now),
        )
        .values(leased_until=now + timedelta(seconds=lease), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_batch(batch_id: str) -> BatchOutcome:
    """Hand one leased batch to UnisenderGo and record the answer; the caller commits.

    The caller must not hold a transaction open during this call's HTTP request: the
    request is made between two transactions.
    """
    batch = db.session.get(DeliveryBatch, batch_id)
    letter = (batch.subject, batch.html, batch.plaintext)
    rows = db.session.execute(
        db.select(Message.id, Message.recipient, Message.substitutions)
        .where(Message.batch_id == batch_id, Message.status == MessageStatus.SENDING)
        .order_by(Message.id)
    ).all()
    db.session.commit()  # no transaction (and no SQLite lock) held across the HTTP call
    if not rows:
        batch = db.session.get(DeliveryBatch, batch_id)
        batch.state, batch.leased_until = "sent", None
        return BatchOutcome()
    config = current_app.config
    recipients = [
        Recipient(
            email=row.recipient, substitutions=row.substitutions or {}, metadata={"message_id": str(row.id)}
        )
        for row in rows
    ]
    try:
        result = provider_clients.unisendergo().send_email(
            recipients=recipients,
            subject=letter[0],
            html=letter[1],
            plaintext=letter[2] or "",
            from_email=config["UNISENDERGO_FROM_EMAIL"],
            from_name=config["UNISENDERGO_FROM_NAME"],
            idempotence_key=batch_id,
        )
    except ProviderError as exc:
        return _record_batch_failure(batch_id, exc)
    return _record_batch_success(batch_id, result)


def _batch_messages(batch_id: str) -> list[Message]:
    query = db.select(Message).where(Message.batch_id == batch_id, Message.status == MessageStatus.SENDING)
    return list(db.session.execute(query).scalars())


def _record_batch_success(batch_id: str, result) -> BatchOutcome:
    now = utcnow()
    batch = db.session.get(DeliveryBatch, batch_id)
    batch.state, batch.leased_until, batch.provider_job_id = "sent", None, result.job_id
    batch.attempts += 1
    outcome = BatchOutcome()
    for message in _batch_messages(batch_id):
        message.attempts += 1
        reason = result.failed_emails.get(message.recipient)
        if reason in RETRYABLE_RECIPIENT_FAILURES:
            delay = _requeue(message, f"UnisenderGo: {reason}")
            if delay is None:
                outcome.failed += 1
            else:
                outcome.requeued.append(message.id)
                outcome.requeue_in = max(outcome.requeue_in, delay)
        elif reason:
            _fail(message, f"UnisenderGo отклонил адрес: {reason}")
            outcome.failed += 1
        else:
            message.status = MessageStatus.SENT
            message.provider_job_id = result.job_id
            message.last_error = None
            db.session.add(
                MessageEvent(
                    message_id=message.id,
                    status=MessageStatus.SENT,
                    detail=f"job_id {result.job_id}",
                    occurred_at=now,
                )
            )
            outcome.sent += 1
    return outcome


def _requeue(message: Message, error: str) -> float | None:
    """Put one message back in the queue for a later, separate call."""
    delay = retry_delay(message.attempts)
    if message.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
        _fail(message, error)
        return None
    message.status = MessageStatus.QUEUED
    message.batch_id = None
    message.last_error = error
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return delay


def _record_batch_failure(batch_id: str, exc: ProviderError) -> BatchOutcome:
    batch = db.session.get(DeliveryBatch, batch_id)
    batch.leased_until = None
    # Same batch, same idempotence key on the next try: the provider may have taken this one.
    delay = schedule_retry(batch, exc)
    messages = _batch_messages(batch_id)
    for message in messages:
        message.attempts = batch.attempts
        message.last_error = str(exc)
        message.next_attempt_at = batch.next_attempt_at
    if delay is not None:
        return BatchOutcome(batch_retry_in=delay)
    batch.state = "failed"
    reason = str(exc) if not exc.retryable else f"{exc} (попыток: {batch.attempts})"
    for message in messages:
        _fail(message, reason)
    return BatchOutcome(failed=len(messages))
