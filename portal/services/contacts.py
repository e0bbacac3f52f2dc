"""Newsletter consent: put an address on a Unisender list through the outbox."""

from datetime import datetime

from portal.extensions import db
from portal.models import ContactSubscription
from portal.queueing import enqueue_after_commit

SUBSCRIBE_JOB = "portal.jobs.contacts.subscribe_contact"


def queue_subscription(
    email: str,
    list_id: str,
    source: str,
    *,
    name: str | None = None,
    subscribed_at: datetime | None = None,
    created_by_id: int | None = None,
) -> ContactSubscription:
    """Record the consent and ask a worker to pass it to Unisender after commit."""
    subscription = ContactSubscription(
        email=email,
        name=name,
        list_id=list_id,
        source=source,
        created_by_id=created_by_id,
    )
    if subscribed_at is not None:
        subscription.subscribed_at = subscribed_at
    db.session.add(subscription)
    db.session.flush()
    enqueue_after_commit(db.session, SUBSCRIBE_JOB, subscription.id)
    return subscription


def subscription_to_dict(subscription: ContactSubscription) -> dict:
    return {
        "id": subscription.id,
        "user_email": subscription.email,
        "list_id": subscription.list_id,
        "source": subscription.source,
        "status": subscription.status,
        "timestamp": subscription.subscribed_at.isoformat(),
        "last_error": subscription.last_error,
    }
