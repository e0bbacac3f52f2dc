"""The Redis connection, the RQ queue, and jobs sent only after the transaction commits."""

import logging
import math
import time
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, get_current_job
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.background import BatchingThread

QUEUE_NAME = "mayak"
DISPATCH_JOB = "portal.jobs.delivery.dispatch_queued"
DISPATCH_KICK = "mayak:dispatch-kick"
PAYMENTS_JOB = "portal.jobs.payments.apply_notifications"
PAYMENTS_KICK = "mayak:payments-kick"
# What a kick wakes: a job that looks at the database for work, and the key that keeps it to one
# queued job however many commits kick it. The job deletes its key before it looks.
KICKS = {"dispatch": (DISPATCH_KICK, DISPATCH_JOB), "payments": (PAYMENTS_KICK, PAYMENTS_JOB)}
log = logging.getLogger("mayak.queue")


def init_app(app: Flask) -> None:
    app.extensions["mayak_redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=10, socket_connect_timeout=3
    )
    app.extensions["mayak_kicker"] = Kicker(app)


def get_redis() -> Redis:
    return current_app.extensions["mayak_redis"]


def get_queue() -> Queue:
    return Queue(
        QUEUE_NAME, connection=get_redis(), default_timeout=current_app.config["JOB_TIMEOUT_SECONDS"]
    )


def enqueue_now(func: str, *args, retry: int = 0, delay: float | None = None, **options) -> bool:
    """Send a job to Redis; a failure is logged, not raised: the sweeper re-sends it."""
    queue = get_queue()
    options.setdefault("result_ttl", 60)
    options.setdefault("failure_ttl", 7 * 24 * 3600)
    if retry:
        options["retry"] = Retry(max=retry, interval=[1, 5, 15])
    try:
        if delay:
            queue.enqueue_in(timedelta(seconds=delay), func, *args, **options)
        else:
            queue.enqueue(func, *args, **options)
    except RedisError as exc:
        log.warning("could not enqueue %s: %s (the sweeper will pick it up)", func, exc)
        return False
    return True


def enqueue_after_commit(session: Session, func: str, *args, **options) -> None:
    """Queue a job that is sent to Redis only if the current transaction commits."""
    session.info.setdefault("after_commit_jobs", []).append((func, args, options))


@event.listens_for(Session, "after_commit")
def _send_pending_jobs(session: Session) -> None:
    for func, args, options in session.info.pop("after_commit_jobs", []):
        enqueue_now(func, *args, **options)
    for kind in session.info.pop("kicks", ()):
        kick_soon(kind)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending_jobs(session: Session, _previous_transaction) -> None:
    session.info.pop("after_commit_jobs", None)
    session.info.pop("kicks", None)


def kick_dispatch(delay: float | None = None) -> None:
    """Make sure a dispatch job will look for queued messages (one job for many callers)."""
    if delay:
        # One delayed dispatch per second of due time, however many retries wait for it...
        due = math.ceil(time.time() + delay)
        job_id = f"dispatch-at-{due}"
        current = get_current_job()
        if current is not None and current.id == job_id:
            job_id += "-again"  # ...but a job that ran early must not overwrite itself
        enqueue_now(DISPATCH_JOB, delay=max(due - time.time(), 0.01), job_id=job_id)
        return
    kick("dispatch")


def kick(kind: str) -> None:
    """Make sure the job of `kind` (KICKS) will look for work: one queued job for many callers."""
    key, job = KICKS[kind]
    try:
        if not get_redis().set(key, 1, nx=True, ex=60):
            return  # a job is queued and has not looked yet: it will see our rows
    except RedisError as exc:
        log.warning("could not kick %s: %s (the sweeper will)", kind, exc)
        return
    if not enqueue_now(job):
        try:
            get_redis().delete(key)  # no job behind the kick: let the next commit try again
        except RedisError:
            pass  # the kick expires by itself; the sweeper covers the gap


class Kicker(BatchingThread):
    """Kicks jobs from a background thread of this process, for many commits at once.

    A commit only flags which kick it wants and returns; the thread then kicks (one Redis call
    per kind covering every commit flagged before it) and waits KICK_INTERVAL before the next
    round. The request does not wait for Redis, and a busy process makes ~1/KICK_INTERVAL calls
    a second instead of one per commit. If the process dies before kicking, the sweeper finds
    the rows.
    """

    NAME = "kicker"

    def __init__(self, app: Flask):
        # a process stopping kicks what it committed
        super().__init__(app, pause=app.config["KICK_INTERVAL_SECONDS"], flush_at_exit=1.0)

    def request(self, kind: str) -> None:
        self.add(kind)

    def work(self, kinds: list[str]) -> None:
        for kind in sorted(set(kinds)):
            kick(kind)


def kick_soon(kind: str = "dispatch") -> None:
    """Kick the job of `kind` within KICK_INTERVAL, off the calling thread (for committed rows)."""
    current_app.extensions["mayak_kicker"].request(kind)


def flush_kicks(app: Flask, timeout: float = 5.0) -> bool:
    """Wait for this process's pending kicks (tests, and processes about to exit)."""
    kicker = app.extensions.get("mayak_kicker")
    return kicker.flush(timeout) if kicker else True


def reset_kick(kind: str = "dispatch") -> None:
    """Called by a kicked job before it looks: later commits must kick again."""
    get_redis().delete(KICKS[kind][0])


def kick_after_commit(session: Session, kind: str = "dispatch") -> None:
    """Kick the job of `kind` once the current transaction commits."""
    session.info.setdefault("kicks", set()).add(kind)


def promote_due_jobs(queue: Queue | None = None, ahead: float = 0.0) -> int:
    """Move scheduled jobs whose time has come onto the queue (RQ's ScheduledJobRegistry).

    Any number of workers may call this: the atomic ZREM lets one of them move each job.
    """
    queue = queue or get_queue()
    registry = queue.scheduled_job_registry
    moved = 0
    for job_id in registry.get_jobs_to_schedule(int(time.time() + ahead)):
        if queue.connection.zrem(registry.key, job_id):
            job = queue.fetch_job(job_id)
            if job is not None:
                queue.enqueue_job(job)
                moved += 1
    return moved
