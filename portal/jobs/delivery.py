"""Delivering letters: claim queued messages, batch them, one job per provider call.

Requests do not enqueue a job per message: after their commit they "kick" the
dispatcher (a Redis SET NX), so a burst of requests costs one dispatch job. The
dispatcher deletes the kick before it looks, so a message committed while it runs
either is seen by it or sets a new kick.
"""

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now, kick_dispatch, reset_kick
from portal.services import delivery

SEND_BATCH_JOB = "portal.jobs.delivery.send_batch"
CLAIM_LIMIT = 500  # one provider call's worth: keeps the SQLite write lock short


@app_job
def dispatch_queued() -> dict:
    """Claim every due queued message, batch them, and send the batches to the workers."""
    reset_kick()
    totals = {"claimed": 0, "batches": 0}
    while True:
        claimed, batch_ids = delivery.claim_and_batch(CLAIM_LIMIT)
        db.session.commit()
        for batch_id in batch_ids:
            enqueue_now(SEND_BATCH_JOB, batch_id)
        totals["claimed"] += claimed
        totals["batches"] += len(batch_ids)
        # Letters waiting for a retry: dispatch again when the first of them is due.
        wait = None if claimed == CLAIM_LIMIT else delivery.seconds_until_due()
        db.session.rollback()
        if claimed == CLAIM_LIMIT or (wait == 0 and claimed):
            continue  # more to take, or one fell due while we looked
        if wait is not None:  # (due but not claimable: another dispatcher holds it; look again soon)
            kick_dispatch(delay=max(wait, 0.2))
        break
    return totals


@app_job
def send_batch(batch_id: str) -> dict:
    """Send one batch: first time, after a provider error, or when the sweeper finds it stale."""
    outcome = _send(batch_id)
    return {"sent": outcome.sent, "failed": outcome.failed}


def _send(batch_id: str) -> delivery.BatchOutcome:
    if not delivery.lease_batch(batch_id):
        db.session.rollback()
        # The scheduler works in whole seconds: a retry that came early waits for its time
        # (or, if it fell due while we looked, takes the lease now).
        early = delivery.seconds_until_due(batch_id=batch_id)
        db.session.rollback()
        if early is None or (early == 0 and not delivery.lease_batch(batch_id)):
            db.session.rollback()
            return delivery.BatchOutcome()  # sent, failed, or another worker holds it
        if early > 0:
            enqueue_now(SEND_BATCH_JOB, batch_id, delay=early)
            return delivery.BatchOutcome()
    db.session.commit()
    outcome = delivery.send_batch(batch_id)
    db.session.commit()
    if outcome.batch_retry_in is not None:
        enqueue_now(SEND_BATCH_JOB, batch_id, delay=outcome.batch_retry_in)
    if outcome.requeued:
        kick_dispatch(delay=outcome.requeue_in)
    return outcome
