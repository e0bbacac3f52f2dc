"""Per-account login throttling: after a few failures each attempt waits longer."""

import logging

from flask import current_app
from redis.exceptions import RedisError

from portal.queueing import get_redis

log = logging.getLogger("mayak.auth")


def _keys(username: str) -> tuple[str, str]:
    name = username.strip().lower()[:256]
    return f"login:fail:{name}", f"login:lock:{name}"


def seconds_locked(username: str) -> int:
    """How long this account must still wait before the next attempt (0 = go ahead)."""
    try:
        ttl = get_redis().ttl(_keys(username)[1])
    except RedisError:
        log.warning("login throttle unavailable: Redis is down")
        return 0
    return max(int(ttl), 0)


def record_failure(username: str) -> None:
    """Count a failure; from the Nth on, lock the account for a doubling period."""
    fail_key, lock_key = _keys(username)
    free = current_app.config["LOGIN_FREE_ATTEMPTS"]
    cap = current_app.config["LOGIN_LOCK_CAP_SECONDS"]
    try:
        redis = get_redis()
        failures = redis.incr(fail_key)
        redis.expire(fail_key, 3600)
        if failures >= free:
            redis.set(lock_key, 1, ex=min(2 ** (failures - free) * 15, cap))
    except RedisError:
        log.warning("login throttle unavailable: Redis is down")


def record_success(username: str) -> None:
    try:
        get_redis().delete(*_keys(username))
    except RedisError:
        pass
