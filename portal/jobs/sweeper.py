"""The safety net: re-send to the queue whatever a lost job or a crashed worker left behind."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, update

from portal.extensions import db
from portal.jobs import app_job
from portal.jobs.contacts import SUBSCRIBE_JOB
from portal.jobs.delivery import SEND_BATCH_JOB
from portal.models import (
    ContactSubscription,
    DeliveryBatch,
    Event,
    Message,
    MessageStatus,
    PaymentNotification,
    RecurringSubscription,
    ResendRun,
)
from portal.models.base import utcnow
from portal.queueing import enqueue_now, kick, kick_dispatch, reset_kick
from portal.services.events import BITRIX_JOB, FANOUT_JOB
from portal.services.resending import RESEND_JOB
from portal.services.subscriptions import SYNC_JOB

LIMIT = 20_000


def _due(model, now, stale):
    """Due now, or waiting for no particular time but untouched since `stale`."""
    return or_(
        and_(model.next_attempt_at.is_(None), model.updated_at < stale),
        model.next_attempt_at <= now,
    )


def _claim_stale(model, now, *conditions) -> list:
    """Ids of stale rows, touched so that the next sweep leaves them to the job it sends."""
    ids = db.session.execute(db.select(model.id).where(*conditions).limit(LIMIT)).scalars().all()
    if ids:
        db.session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids


@app_job
def sweep() -> dict:
    """Enqueue work whose job should have run by now; repeats are harmless."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["STALE_AFTER_SECONDS"])
    waiting = db.session.execute(
        db.select(db.func.count())
        .select_from(Message)
        .where(Message.status == MessageStatus.QUEUED, _due(Message, now, stale))
    ).scalar()
    batch_ids = _claim_stale(
        DeliveryBatch,
        now,
        DeliveryBatch.state == "sending",
        or_(DeliveryBatch.leased_until.is_(None), DeliveryBatch.leased_until < now),
        _due(DeliveryBatch, now, stale),
    )
    subscription_ids = _claim_stale(
        ContactSubscription,
        now,
        ContactSubscription.status == "pending",
        _due(ContactSubscription, now, stale),
    )
    recurring_ids = _claim_stale(
        RecurringSubscription,
        now,
        RecurringSubscription.pending_action.is_not(None),
        _due(RecurringSubscription, now, stale),
    )
    unapplied = db.session.execute(
        db.select(db.func.count())
        .select_from(PaymentNotification)
        .where(PaymentNotification.applied_at.is_(None), PaymentNotification.received_at < stale)
    ).scalar()
    event_ids = (
        db.session.execute(
            db.select(Event.id)
            .where(
                Event.bitrix_state == "pending",
                or_(
                    and_(Event.bitrix_next_attempt_at.is_(None), Event.updated_at < stale),
                    Event.bitrix_next_attempt_at <= now,
                ),
            )
            .limit(LIMIT)
        )
        .scalars()
        .all()
    )
    fanout_ids = (
        db.session.execute(
            db.select(Event.id)
            .where(Event.fanout_state == "running", Event.fanout_updated_at < stale)
            .limit(LIMIT)
        )
        .scalars()
        .all()
    )
    resend_ids = _claim_stale(ResendRun, now, ResendRun.state == "running", ResendRun.updated_at < stale)
    found = {
        "messages": waiting,
        "resend_runs": len(resend_ids),
        "closing_fanouts": len(fanout_ids),
        "bitrix_callbacks": len(event_ids),
        "payment_notifications": unapplied,
        "batches": len(batch_ids),
        "subscriptions": len(subscription_ids),
        "cloudpayments_calls": len(recurring_ids),
    }
    webhook_ids = []
    if current_app.config["SANDBOX"]:  # the simulated provider re-sends its callbacks too
        from portal.sandbox import webhooks as sandbox_webhooks

        webhook_ids = sandbox_webhooks.stale_webhook_requests(now, stale)
        found["sandbox_webhooks"] = len(webhook_ids)
    db.session.commit()
    if waiting:
        reset_kick()  # a kick whose job was lost would otherwise hold back the new one
        kick_dispatch()
    if unapplied:
        reset_kick("payments")
        kick("payments")
    for batch_id in batch_ids:
        enqueue_now(SEND_BATCH_JOB, batch_id)
    for subscription_id in subscription_ids:
        enqueue_now(SUBSCRIBE_JOB, subscription_id)
    for event_pk in event_ids:
        enqueue_now(BITRIX_JOB, event_pk)
    for event_pk in fanout_ids:
        enqueue_now(FANOUT_JOB, event_pk)
    for run_id in resend_ids:
        enqueue_now(RESEND_JOB, run_id)
    for subscription_id in recurring_ids:
        enqueue_now(SYNC_JOB, subscription_id)
    for request_id in webhook_ids:
        enqueue_now(sandbox_webhooks.WEBHOOK_JOB, request_id, retry=5)
    return found
