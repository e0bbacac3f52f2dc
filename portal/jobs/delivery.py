"""Delivering letters: claim queued messages, batch them, call the provider."""

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now
from portal.services import delivery

SEND_BATCH_JOB = "portal.jobs.delivery.send_batch"
DELIVER_JOB = "portal.jobs.delivery.deliver_messages"


@app_job
def deliver_messages(message_ids: list[int]) -> dict:
    """Claim the messages that are still queued and send them, one call per batch."""
    batch_ids = delivery.claim_and_batch(message_ids)
    db.session.commit()
    # The scheduler works in whole seconds: a retry that came early waits for its time.
    early = delivery.seconds_until_due(message_ids=message_ids)
    db.session.rollback()
    if early is not None:
        enqueue_now(DELIVER_JOB, message_ids, delay=early)
    totals = {"batches": len(batch_ids), "sent": 0, "failed": 0}
    for batch_id in batch_ids:
        outcome = _send(batch_id)
        totals["sent"] += outcome.sent
        totals["failed"] += outcome.failed
    return totals


@app_job
def send_batch(batch_id: str) -> dict:
    """(Re)send one batch: after a provider error, or when the sweeper finds it stale."""
    outcome = _send(batch_id)
    return {"sent": outcome.sent, "failed": outcome.failed}


def _send(batch_id: str) -> delivery.BatchOutcome:
    if not delivery.lease_batch(batch_id):
        db.session.rollback()
        early = delivery.seconds_until_due(batch_id=batch_id)
        db.session.rollback()
        if early is not None:
            enqueue_now(SEND_BATCH_JOB, batch_id, delay=early)
        return delivery.BatchOutcome()
    db.session.commit()
    outcome = delivery.send_batch(batch_id)
    db.session.commit()
    if outcome.batch_retry_in is not None:
        enqueue_now(SEND_BATCH_JOB, batch_id, delay=outcome.batch_retry_in)
    if outcome.requeued:
        enqueue_now(DELIVER_JOB, outcome.requeued, delay=outcome.requeue_in)
    return outcome
