"""Newsletter consents passed to Unisender, within its 300 requests per minute."""

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now
from portal.services import rate_limit, subscribing

SUBSCRIBE_JOB = "portal.jobs.contacts.subscribe_contact"


@app_job
def subscribe_contact(subscription_id: int) -> None:
    """Subscribe one address, waiting for a free slot in Unisender's rate limit."""
    limit, window = subscribing.UNISENDER_SUBSCRIBE_LIMIT
    wait = rate_limit.wait_for_slot("unisender-subscribe", limit, window)
    if wait:
        enqueue_now(SUBSCRIBE_JOB, subscription_id, delay=wait)
        return
    retry_in = subscribing.subscribe_now(subscription_id)
    db.session.commit()
    if retry_in is not None:
        enqueue_now(SUBSCRIBE_JOB, subscription_id, delay=retry_in)
