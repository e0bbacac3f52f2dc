"""Exponential backoff with jitter, and a floor when the provider says how long to wait."""

import random
from datetime import timedelta

from flask import current_app

from portal.models.base import utcnow
from portal.providers import ProviderCircuitOpen, ProviderError


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt number `attempt + 1` (equal jitter, capped)."""
    base = current_app.config["DELIVERY_RETRY_BASE_SECONDS"]
    cap = current_app.config["DELIVERY_RETRY_CAP_SECONDS"]
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def schedule_retry(row, exc: ProviderError) -> float | None:
    """Record a failed provider call on a row with attempts, next_attempt_at and last_error.

    Returns the delay before the next try, or None when the call must not be tried again (a
    refusal, or the last attempt). A call not made because the provider's circuit is open
    costs no attempt: it waits for the circuit.
    """
    row.last_error = str(exc)
    if isinstance(exc, ProviderCircuitOpen):
        delay = max(exc.retry_after or 1.0, 0.5) + random.uniform(0, 1)
    else:
        row.attempts += 1
        if not exc.retryable or row.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
            row.next_attempt_at = None
            return None
        delay = retry_delay(row.attempts, exc.retry_after)
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return delay
