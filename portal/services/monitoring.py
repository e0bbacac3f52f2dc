"""What the hub runs on, as monitoring sees it (НФТ-5.2): the database, Redis, the workers, the
providers and the RQ queues, each with a state, a latency and its last error."""

import time
import uuid
from datetime import UTC, datetime

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.providers.circuit import CLOSED, HALF_OPEN, OPEN, public_error
from portal.queueing import QUEUE_NAME, get_redis
from portal.services import provider_clients

UP, DEGRADED, DOWN, CIRCUIT_OPEN = "up", "degraded", "down", "circuit_open"
STATES = (UP, DEGRADED, DOWN, CIRCUIT_OPEN)
PROVIDERS = {
    "unisendergo": "UnisenderGo",
    "unisender": "Unisender",
    "cloudpayments": "CloudPayments",
    "bitrix": "Bitrix",
}
SERVICE_NAMES = ("database", "redis", "workers", *PROVIDERS)
WEBHOOK_REJECTIONS_KEY = "mayak:monitoring:webhook-rejections:{source}"


def _moment(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds") if epoch else None


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 1) if seconds is not None else None


def _timed_state(latency_ms: float) -> str:
    return DEGRADED if latency_ms > current_app.config["MONITORING_SLOW_MS"] else UP


def probe_database() -> dict:
    """One real round trip to the database."""
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        latency = _ms(time.perf_counter() - started)
        return {"state": _timed_state(latency), "latency_ms": latency, "last_error": None}
    except SQLAlchemyError as exc:
        return {"state": DOWN, "latency_ms": None, "last_error": public_error(exc.__class__.__name__)}
    finally:
        db.session.rollback()


def probe_redis() -> dict:
    """One real round trip to Redis."""
    started = time.perf_counter()
    try:
        get_redis().ping()
    except RedisError as exc:
        return {"state": DOWN, "latency_ms": None, "last_error": public_error(exc.__class__.__name__)}
    latency = _ms(time.perf_counter() - started)
    return {"state": _timed_state(latency), "latency_ms": latency, "last_error": None}


def worker_list() -> list[dict]:
    """Every registered RQ worker: alive (its heartbeat is recent), busy or idle, its last heartbeat."""
    now = datetime.now(UTC)
    result = []
    for worker in Worker.all(connection=get_redis()):
        beat = worker.last_heartbeat.replace(tzinfo=UTC) if worker.last_heartbeat else None
        alive = beat is not None and (now - beat).total_seconds() <= worker.worker_ttl + 60
        result.append(
            {
                "name": worker.name,
                "hostname": worker.hostname,
                "pid": worker.pid,
                "queues": worker.queue_names(),
                "alive": alive,
                "busy": worker.get_state() == "busy",
                "current_job": worker.get_current_job_id(),
                "last_heartbeat": beat.isoformat(timespec="seconds") if beat else None,
            }
        )
    return sorted(result, key=lambda w: w["name"])


def probe_workers(workers: list[dict] | None = None) -> dict:
    try:
        workers = worker_list() if workers is None else workers
    except RedisError as exc:
        return {"state": DOWN, "latency_ms": None, "last_error": public_error(exc.__class__.__name__)}
    alive = [w for w in workers if w["alive"]]
    return {
        "state": UP if alive else DOWN,
        "latency_ms": None,
        "last_error": None if alive else "no live worker: queued jobs are not being run",
        "workers": workers,
        "alive": len(alive),
        "busy": sum(w["busy"] for w in alive),
    }


def provider_state(name: str) -> dict:
    """A provider as the outcomes of the hub's own calls describe it (it is never probed)."""
    breaker = provider_clients.breaker(name).state()
    circuit = breaker["state"]
    latency = _ms(breaker.get("latency"))
    if circuit == OPEN:
        state = CIRCUIT_OPEN
    elif circuit == HALF_OPEN:
        state = DOWN  # the circuit opened and no call has succeeded since
    elif circuit != CLOSED:
        state = DEGRADED  # Redis cannot tell
    elif breaker["failures"] or breaker["recent_failures"]:
        state = DEGRADED
    elif latency is not None:
        state = _timed_state(latency)
    else:
        state = UP
    return {
        "state": state,
        "latency_ms": latency,
        "last_error": breaker["last_error"],
        "circuit": circuit,
        "failures_in_a_row": breaker["failures"],
        "recent_failures": breaker.get("recent_failures"),
        "last_success_at": _moment(breaker.get("answered_at")),
        "last_failure_at": _moment(breaker.get("failed_at")),
        "circuit_open_until": _moment(breaker.get("open_until")),
    }


def services(only: str | None = None, workers: list[dict] | None = None) -> list[dict]:
    """Every component (or the one named) with its state, latency and last error."""
    probes = {"database": probe_database, "redis": probe_redis, "workers": lambda: probe_workers(workers)}
    result = []
    for name in SERVICE_NAMES:
        if only and name != only:
            continue
        if name in probes:
            kind, title, state = ("worker" if name == "workers" else "infrastructure"), None, probes[name]()
        else:
            kind, title, state = "provider", PROVIDERS[name], provider_state(name)
        title = title or {"database": "Database", "redis": "Redis", "workers": "Workers"}[name]
        result.append({"name": name, "title": title, "kind": kind, **state})
    return result


def _oldest_age(queue: Queue, now: datetime) -> float | None:
    job_ids = queue.get_job_ids(0, 1)
    job = queue.fetch_job(job_ids[0]) if job_ids else None
    if job is None or job.enqueued_at is None:
        return None
    return max((now - job.enqueued_at.replace(tzinfo=UTC)).total_seconds(), 0.0)


def queues(workers: list[dict] | None = None) -> list[dict]:
    """Each RQ queue: waiting, started, scheduled, deferred and failed jobs, the oldest waiting job's
    age in seconds, and the live workers listening to it."""
    redis = get_redis()
    now = datetime.now(UTC)
    names = sorted({QUEUE_NAME, *(q.name for q in Queue.all(connection=redis))})
    workers = worker_list() if workers is None else workers
    result = []
    for name in names:
        queue = Queue(name, connection=redis)
        result.append(
            {
                "name": name,
                "length": queue.count,
                # Counted as they stand: RQ's `count` would also run the registries' maintenance
                # (retrying abandoned jobs), which is the workers' business, not a reader's.
                "started": queue.started_job_registry.get_job_count(cleanup=False),
                "scheduled": queue.scheduled_job_registry.get_job_count(cleanup=False),
                "deferred": queue.deferred_job_registry.get_job_count(cleanup=False),
                "failed": queue.failed_job_registry.get_job_count(cleanup=False),
                "oldest_job_age_seconds": _oldest_age(queue, now),
                "workers_alive": sum(1 for w in workers if w["alive"] and name in w["queues"]),
            }
        )
    return result


def count_webhook_rejection(source: str) -> None:
    """Remember a webhook refused for its signature (the repeated-rejections rule counts them)."""
    window = current_app.config["MONITORING_WEBHOOK_WINDOW_SECONDS"]
    key = WEBHOOK_REJECTIONS_KEY.format(source=source)
    now = time.time()
    try:
        pipe = get_redis().pipeline()
        pipe.zadd(key, {uuid.uuid4().hex[:12]: now})
        pipe.zremrangebyscore(key, 0, now - window)
        pipe.zremrangebyrank(key, 0, -10_001)  # a flood of forgeries keeps at most this many
        pipe.expire(key, window)
        pipe.execute()
    except RedisError:
        pass  # counting must never break the webhook's answer


def webhook_rejections(source: str) -> int:
    window = current_app.config["MONITORING_WEBHOOK_WINDOW_SECONDS"]
    key = WEBHOOK_REJECTIONS_KEY.format(source=source)
    return get_redis().zcount(key, time.time() - window, "+inf")
