"""Passing one recorded newsletter consent to Unisender."""

from portal.extensions import db
from portal.models import ContactSubscription
from portal.models.base import utcnow
from portal.providers import ProviderError
from portal.services import provider_clients
from portal.services.backoff import schedule_retry

UNISENDER_SUBSCRIBE_LIMIT = (300, 60)  # requests per window (seconds), per API key


def subscribe_now(subscription_id: int) -> float | None:
    """Call Unisender for a pending consent; returns the delay of a retry, if one is due."""
    sub = db.session.get(ContactSubscription, subscription_id)
    if sub is None or sub.status != "pending":
        return None
    if sub.next_attempt_at and sub.next_attempt_at > utcnow():
        return (sub.next_attempt_at - utcnow()).total_seconds()
    email, name, list_id, source = sub.email, sub.name, sub.list_id, sub.source
    db.session.commit()  # no transaction held across the HTTP call
    try:
        person_id = provider_clients.unisender().subscribe(
            list_ids=[list_id], email=email, name=name, tags=[source]
        )
    except ProviderError as exc:
        return _record_failure(subscription_id, exc)
    sub = db.session.get(ContactSubscription, subscription_id)
    sub.status, sub.person_id, sub.last_error, sub.next_attempt_at = "done", person_id, None, None
    sub.attempts += 1
    return None


def _record_failure(subscription_id: int, exc: ProviderError) -> float | None:
    sub = db.session.get(ContactSubscription, subscription_id)
    delay = schedule_retry(sub, exc)
    if delay is None:
        sub.status = "failed"
    return delay
