"""A circuit breaker per provider, shared by every process through Redis.

After `threshold` failures in a row (timeouts, connection errors, 5xx, 429) the circuit opens:
for `open_seconds` no call is made and callers get ProviderCircuitOpen at once, so an outage
costs one short wait per message instead of all its attempts. Then one caller is let through
as a trial: a success closes the circuit, a failure opens it again. If Redis itself is
unreachable the breaker stays out of the way (calls go through).

Each outcome is also kept for monitoring: the last call's latency, when the provider last
answered and last failed, and the failures of the last RECENT_SECONDS.
"""

import logging
import re
import time
import uuid

from redis import Redis
from redis.exceptions import RedisError

from portal.providers import ProviderCircuitOpen

log = logging.getLogger("mayak.providers")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
RECENT_SECONDS = 300
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_SECRET = re.compile(r"((?:api[_-]?key|token|secret|password|signature)\W{0,3})[^\s&\"',;]+", re.IGNORECASE)


def public_error(error: str) -> str:
    """An error text fit for a page: no URLs (they may carry credentials), no key=value secrets."""
    return _SECRET.sub(r"\1***", _URL.sub("<url>", error))[:300]


class CircuitBreaker:
    def __init__(
        self,
        redis: Redis,
        name: str,
        *,
        threshold: int = 5,
        open_seconds: float = 30.0,
        trial_seconds: float = 60.0,
    ):
        self.redis = redis
        self.name = name
        self.threshold = threshold
        self.open_seconds = open_seconds
        self.trial_seconds = trial_seconds  # how long one trial call may take before another is let in
        prefix = f"mayak:circuit:{name}"
        self.k_failures, self.k_open, self.k_tripped, self.k_trial, self.k_error = (
            f"{prefix}:{part}" for part in ("failures", "open-until", "tripped", "trial", "error")
        )
        self.k_latency, self.k_answered, self.k_failed, self.k_recent = (
            f"{prefix}:{part}" for part in ("latency", "answered-at", "failed-at", "recent-failures")
        )

    def before_call(self) -> None:
        """Raise ProviderCircuitOpen if this call must not be made now."""
        try:
            open_until = self.redis.get(self.k_open)
            if open_until is not None:
                wait = float(open_until) - time.time()
                if wait > 0:
                    raise ProviderCircuitOpen(self._open_message(), retry_after=wait)
            if self.redis.exists(self.k_tripped) and not self.redis.set(
                self.k_trial, 1, nx=True, ex=int(self.trial_seconds)
            ):
                raise ProviderCircuitOpen(self._open_message(), retry_after=min(self.open_seconds, 5.0))
        except RedisError:
            return

    def _open_message(self) -> str:
        return f"{self.name}: circuit open after repeated failures, calls paused"

    def record_success(self, latency: float | None = None) -> None:
        try:
            if self.redis.exists(self.k_tripped):
                log.info("%s answers again: circuit closed", self.name)
            pipe = self.redis.pipeline()
            pipe.delete(self.k_failures, self.k_tripped, self.k_trial, self.k_open)
            pipe.set(self.k_answered, time.time())
            if latency is not None:
                pipe.set(self.k_latency, round(latency, 4))
            pipe.execute()
        except RedisError:
            pass

    def record_failure(self, error: str, latency: float | None = None) -> None:
        try:
            now = time.time()
            pipe = self.redis.pipeline()
            pipe.incr(self.k_failures)
            pipe.expire(self.k_failures, int(max(self.open_seconds * 4, 60)))
            pipe.exists(self.k_tripped)
            pipe.set(self.k_error, public_error(error))
            pipe.set(self.k_failed, now)
            if latency is not None:
                pipe.set(self.k_latency, round(latency, 4))
            pipe.zadd(self.k_recent, {uuid.uuid4().hex[:12]: now})
            pipe.zremrangebyscore(self.k_recent, 0, now - RECENT_SECONDS)
            pipe.expire(self.k_recent, RECENT_SECONDS)
            failures, _, tripped, *_ = pipe.execute()
            if failures >= self.threshold or tripped:
                until = time.time() + self.open_seconds
                pipe = self.redis.pipeline()
                pipe.set(self.k_open, until, ex=int(self.open_seconds) + 1)
                pipe.set(self.k_tripped, 1)
                pipe.delete(self.k_trial, self.k_failures)
                pipe.execute()
                log.warning(
                    "%s: circuit open for %g s after %s failures (%s)",
                    self.name,
                    self.open_seconds,
                    failures,
                    public_error(error)[:200],
                )
        except RedisError:
            pass

    def state(self) -> dict:
        """For the portal: closed / open / half_open, failures in a row, the last error and timings."""
        try:
            pipe = self.redis.pipeline()
            pipe.mget(
                self.k_open,
                self.k_tripped,
                self.k_failures,
                self.k_error,
                self.k_latency,
                self.k_answered,
                self.k_failed,
            )
            pipe.zcount(self.k_recent, time.time() - RECENT_SECONDS, "+inf")
            (open_until, tripped, failures, error, latency, answered, failed), recent = pipe.execute()
        except RedisError:
            return {"state": "unknown", "failures": None, "last_error": None}
        if open_until is not None and float(open_until) > time.time():
            state = OPEN
        elif tripped:
            state = HALF_OPEN
        else:
            state = CLOSED
        return {
            "state": state,
            "failures": int(failures or 0),
            "last_error": error.decode() if error else None,
            "open_until": float(open_until) if state == OPEN else None,
            "latency": float(latency) if latency is not None else None,
            "answered_at": float(answered) if answered is not None else None,
            "failed_at": float(failed) if failed is not None else None,
            "recent_failures": int(recent),
        }
