"""GET /api/v1/monitoring/queues: each RQ queue's waiting, started, scheduled, deferred and failed
jobs, its oldest job's age and the workers listening to it."""

from datetime import UTC, datetime, timedelta

from rq import Queue, SimpleWorker

from portal.queueing import QUEUE_NAME


def mayak_queue(api) -> dict:
    response = api.get("/api/v1/monitoring/queues", as_role="ADMIN")
    assert response.status_code == 200, response.text
    return next(q for q in response.json()["queues"] if q["name"] == QUEUE_NAME)


def test_counts_follow_enqueued_scheduled_and_failed_jobs(api, redis_conn):
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    empty = mayak_queue(api)
    assert empty["length"] == 0 and empty["oldest_job_age_seconds"] is None
    failed_before = empty["failed"]

    first = queue.enqueue("os.getpid")
    first.enqueued_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=7)
    first.save()
    queue.enqueue("os.getpid")
    queue.enqueue_in(timedelta(hours=1), "os.getpid")
    waiting = mayak_queue(api)
    assert waiting["length"] == 2 and waiting["scheduled"] == 1
    assert 7 * 60 <= waiting["oldest_job_age_seconds"] < 8 * 60

    queue.empty()
    broken = queue.enqueue("builtins.int", "not a number", failure_ttl=600)
    SimpleWorker([queue], connection=redis_conn).work(burst=True, logging_level="WARNING")
    try:
        after = mayak_queue(api)
        assert after["length"] == 0 and after["failed"] == failed_before + 1 and after["started"] == 0
    finally:
        queue.failed_job_registry.remove(broken.id, delete_job=True)


def test_queues_are_for_admins_only(api):
    assert api.get("/api/v1/monitoring/queues", as_role="USER").status_code == 403
