"""Payment work for the workers: applying received CloudPayments notifications, and the calls a
subscription owes CloudPayments (create after the first payment, cancel at its end)."""

from flask import current_app
from redis.exceptions import LockError

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now, get_redis, kick, reset_kick
from portal.services import payment_notifications, subscriptions

BATCH = 100  # notifications per transaction
JOB_LIMIT = 2_000  # per job; a longer backlog is left to the next job, kicked at once
APPLIER_LOCK = "mayak:payments-applier"


@app_job
def apply_notifications() -> int:
    """Apply every stored notification not applied yet, oldest first, a batch per transaction.

    One applier at a time (a Redis lock), so that "oldest first" holds across workers: a
    subscription's Fail is applied before the Recurrent that followed it.
    """
    timeout = current_app.config["JOB_TIMEOUT_SECONDS"]
    try:
        with get_redis().lock(APPLIER_LOCK, timeout=timeout, blocking_timeout=timeout / 2):
            return _apply_all()
    except LockError:
        kick("payments")  # the holder is stuck or gone: try again later
        return 0


def _apply_all() -> int:
    reset_kick("payments")  # a notification stored from now on kicks again
    applied = 0
    while applied < JOB_LIMIT:
        done = payment_notifications.apply_batch(BATCH)
        db.session.commit()
        applied += done
        if done < BATCH:
            return applied
    kick("payments")
    return applied


@app_job
def sync_subscription(subscription_id: int) -> None:
    retry_in = subscriptions.perform_pending(subscription_id)
    db.session.commit()
    if retry_in is not None:
        enqueue_now(subscriptions.SYNC_JOB, subscription_id, delay=retry_in)
