"""A fixed-window rate limit shared by every worker through Redis."""

import time

from portal.queueing import get_redis


def wait_for_slot(name: str, limit: int, window_seconds: int) -> float:
    """0 if a call may go now (and counts it), else seconds until the next window."""
    now = time.time()
    window = int(now // window_seconds)
    key = f"ratelimit:{name}:{window}"
    redis = get_redis()
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, window_seconds * 2)
    if count <= limit:
        return 0.0
    return (window + 1) * window_seconds - now
