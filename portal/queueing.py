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

QUEUE_NAME = "mayak"
DISPATCH_JOB = "portal.jobs.delivery.dispatch_queued"
DISPATCH_KICK = "mayak:dispatch-kick"
log = logging.getLogger("mayak.queue")


def init_app(app: Flask) -> None:
    app.extensions["mayak_redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=10, socket_connect_timeout=3
    )


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
    if session.info.pop("kick_dispatch", False):
        kick_dispatch()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending_jobs(session: Session, _previous_transaction) -> None:
    session.info.pop("after_commit_jobs", None)
    session.info.pop("kick_dispatch", None)


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
    try:
        if not get_redis().set(DISPATCH_KICK, 1, nx=True, ex=60):
            return  # a dispatch job is queued and has not looked yet: it will see our rows
    except RedisError as exc:
        log.warning("could not kick the dispatcher: %s (the sweeper will)", exc)
        return
    if not enqueue_now(DISPATCH_JOB):
        try:
            reset_dispatch_kick()  # no job behind the kick: let the next commit try again
        except RedisError:
            pass  # the kick expires by itself; the sweeper covers the gap


def reset_dispatch_kick() -> None:
    """Called by the dispatcher before it looks: later commits must kick again."""
    get_redis().delete(DISPATCH_KICK)


def kick_after_commit(session: Session) -> None:
    """Kick the dispatcher once the current transaction commits."""
    session.info["kick_dispatch"] = True


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
