"""Alert rules: each raised once while its condition holds, resolved by itself when it clears."""

from datetime import UTC, datetime, timedelta

from rq import Queue

from portal.extensions import db
from portal.models import Alert, Message, MessageStatus
from portal.models.base import utcnow
from portal.queueing import QUEUE_NAME
from portal.services import provider_clients
from tests.factories import make_message
from tests.stack import wait_until


def trip(in_app, provider: str, times: int = 5) -> None:
    """Record failed calls until the provider's circuit opens."""

    def fail():
        for _ in range(times):
            provider_clients.breaker(provider).record_failure("HTTP 503: unavailable")

    in_app(fail)


def test_a_provider_with_an_open_circuit_raises_one_critical_alert_until_it_answers(evaluate, in_app):
    trip(in_app, "bitrix")
    first = evaluate()
    alert = first[("provider_down", "bitrix")]
    assert alert["severity"] == "critical" and alert["active"]
    assert "Bitrix" in alert["message"] and alert["details"]["last_error"] == "HTTP 503: unavailable"
    assert [key for key in first if key[0] == "provider_down"] == [("provider_down", "bitrix")]

    again = evaluate()[("provider_down", "bitrix")]
    assert again["id"] == alert["id"] and again["last_seen_at"] >= alert["last_seen_at"]  # the same alert

    in_app(lambda: provider_clients.breaker("bitrix").record_success(0.05))
    assert ("provider_down", "bitrix") not in evaluate()
    assert in_app(lambda: db.session.get(Alert, alert["id"]).resolved_at) is not None


def test_a_failure_rate_over_the_threshold_raises_an_alert_and_clears_when_letters_succeed(
    evaluate, in_app, settings
):
    def counts():
        since = utcnow() - timedelta(hours=1)
        rows = db.session.execute(
            db.select(Message.status, db.func.count())
            .where(Message.updated_at >= since, Message.status.not_in(["queued", "sending", "cancelled"]))
            .group_by(Message.status)
        ).all()
        return sum(n for s, n in rows if s == "failed"), sum(n for _, n in rows)

    failed, finished = in_app(counts)
    extra = max(20, finished)
    before, after = failed / max(finished, 1), (failed + extra) / (finished + extra)
    settings(
        MONITORING_FAILURE_RATE=(before + after) / 2,
        MONITORING_FAILURE_MIN_MESSAGES=1,
        MONITORING_FAILURE_WINDOW_SECONDS=3600,
    )
    assert ("failure_rate", "email") not in evaluate()

    made = [make_message(in_app, status="failed") for _ in range(extra)]
    alert = evaluate()[("failure_rate", "email")]
    assert alert["severity"] == "warning" and alert["details"]["failed"] == failed + extra
    assert "%" in alert["message"]

    def delivered():
        db.session.execute(
            db.update(Message).where(Message.id.in_(made)).values(status=MessageStatus.DELIVERED)
        )
        db.session.commit()

    in_app(delivered)
    assert ("failure_rate", "email") not in evaluate()


def test_a_queue_backlog_and_an_old_job_raise_alerts_that_clear_when_the_queue_drains(
    evaluate, redis_conn, settings
):
    settings(MONITORING_QUEUE_BACKLOG=3, MONITORING_QUEUE_AGE_SECONDS=120)
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    old = queue.enqueue("os.getpid")
    old.enqueued_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    old.save()
    aged = evaluate()
    assert ("queue_backlog", QUEUE_NAME) not in aged
    age_alert = aged[("queue_age", QUEUE_NAME)]
    assert age_alert["details"]["age_seconds"] >= 300
    assert age_alert["severity"] == ("warning" if age_alert["details"]["workers_alive"] else "critical")

    for _ in range(2):
        queue.enqueue("os.getpid")
    backlog = evaluate()[("queue_backlog", QUEUE_NAME)]
    assert backlog["details"]["length"] == 3 and "3" in backlog["message"]

    queue.empty()
    left = evaluate()
    assert ("queue_backlog", QUEUE_NAME) not in left and ("queue_age", QUEUE_NAME) not in left


def test_repeated_bad_webhook_signatures_raise_an_alert_that_clears_after_the_window(api, evaluate, settings):
    settings(MONITORING_WEBHOOK_REJECTIONS=3, MONITORING_WEBHOOK_WINDOW_SECONDS=2)
    for _ in range(3):
        response = api.post(
            "/webhooks/unisendergo/status", json={"auth": "forged", "events_by_user": []}, as_role=None
        )
        assert response.status_code == 401
    alert = evaluate()[("webhook_signatures", "unisendergo")]
    assert alert["details"]["count"] == 3 and "UnisenderGo" in alert["message"]
    assert ("webhook_signatures", "cloudpayments") not in evaluate()

    wait_until(
        lambda: ("webhook_signatures", "unisendergo") not in evaluate(),
        timeout=6,
        interval=0.3,
        what="the rejections to leave the window",
    )


def test_the_worker_runs_the_rules_as_a_periodic_task(in_app, evaluate):
    from portal.jobs.periodic import PERIODIC_TASKS, run_if_ours

    task = ("monitoring", "MONITORING_INTERVAL_SECONDS", "portal.jobs.monitoring.evaluate_alerts")
    assert task in PERIODIC_TASKS
    trip(in_app, "cloudpayments")
    ran, result = in_app(lambda: run_if_ours("monitoring"))
    if ran:  # another test's run may hold this interval's lock
        assert result == {"raised": 1, "resolved": 0}
    assert ("provider_down", "cloudpayments") in evaluate()
