"""Exponential backoff with jitter, and a floor when the provider says how long to wait."""

import random

from flask import current_app


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt number `attempt + 1` (equal jitter, capped)."""
    base = current_app.config["DELIVERY_RETRY_BASE_SECONDS"]
    cap = current_app.config["DELIVERY_RETRY_CAP_SECONDS"]
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)
