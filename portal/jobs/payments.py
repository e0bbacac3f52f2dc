"""CloudPayments calls a subscription owes (create after the first payment, cancel at its end)."""

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now
from portal.services import subscriptions


@app_job
def sync_subscription(subscription_id: int) -> None:
    retry_in = subscriptions.perform_pending(subscription_id)
    db.session.commit()
    if retry_in is not None:
        enqueue_now(subscriptions.SYNC_JOB, subscription_id, delay=retry_in)
