"""The safety net: re-send to the queue whatever a lost job or a crashed worker left behind."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_

from portal.extensions import db
from portal.jobs import app_job
from portal.jobs.contacts import SUBSCRIBE_JOB
from portal.jobs.delivery import DELIVER_JOB, SEND_BATCH_JOB
from portal.models import ContactSubscription, DeliveryBatch, Message, MessageStatus
from portal.models.base import utcnow
from portal.queueing import enqueue_now

LIMIT = 20_000


def _due(model, now, stale):
    """Due now, or waiting for no particular time but untouched since `stale`."""
    return or_(
        and_(model.next_attempt_at.is_(None), model.updated_at < stale),
        model.next_attempt_at <= now,
    )


@app_job
def sweep() -> dict:
    """Enqueue due work whose job should have run by now; repeats are harmless."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["STALE_AFTER_SECONDS"])

    def ids(column, *conditions, order=None):
        query = db.select(column).where(*conditions).limit(LIMIT)
        return db.session.execute(query.order_by(order) if order is not None else query).scalars().all()

    message_ids = ids(
        Message.id, Message.status == MessageStatus.QUEUED, _due(Message, now, stale), order=Message.id
    )
    batch_ids = ids(
        DeliveryBatch.id,
        DeliveryBatch.state == "sending",
        or_(DeliveryBatch.leased_until.is_(None), DeliveryBatch.leased_until < now),
        _due(DeliveryBatch, now, stale),
    )
    subscription_ids = ids(
        ContactSubscription.id, ContactSubscription.status == "pending", _due(ContactSubscription, now, stale)
    )
    db.session.rollback()
    chunk = current_app.config["DELIVERY_BATCH_SIZE"]
    for start in range(0, len(message_ids), chunk):
        enqueue_now(DELIVER_JOB, message_ids[start : start + chunk])
    for batch_id in batch_ids:
        enqueue_now(SEND_BATCH_JOB, batch_id)
    for subscription_id in subscription_ids:
        enqueue_now(SUBSCRIBE_JOB, subscription_id)
    found = {"messages": len(message_ids), "batches": len(batch_ids), "subscriptions": len(subscription_ids)}
    if current_app.config["SANDBOX"]:
        from portal.sandbox.webhooks import resend_stale_webhooks

        found["sandbox_webhooks"] = resend_stale_webhooks(stale)
    return found
