"""Outbox, retries with backoff, poison messages, idempotency keys and the sweeper."""

import threading
import time
from datetime import timedelta

from portal.extensions import db
from portal.jobs import delivery as delivery_jobs
from portal.jobs.sweeper import sweep
from portal.models import DeliveryBatch, Message, SandboxEmail, SandboxRequest
from portal.models.base import utcnow
from portal.queueing import flush_kicks
from portal.services.backoff import retry_delay
from tests.conftest import unique_email


def send_letter(api, email: str, name: str = "Олег") -> int:
    body = {
        "kind": "registration",
        "user_email": email,
        "user_name": name,
        "agree_newsletter": False,
        "registration_date": "2026-11-20",
    }
    response = api.post("/api/v1/emails/send", body)
    assert response.status_code == 202, response.text
    return response.json()["messages"][0]["id"]


def message_state(api, message_id: int) -> dict:
    return api.get(f"/api/v1/messages/{message_id}", as_role="ADMIN").json()


def sandbox_copies(in_app, email: str) -> int:
    return in_app(lambda: SandboxEmail.query.filter_by(email=email).count())


def test_server_errors_are_retried_until_the_letter_goes_through(api, drain, in_app, fault):
    fault("error_500", count=2)
    email = unique_email("retry")
    message_id = send_letter(api, email)
    drain(until=lambda: message_state(api, message_id)["status"] == "delivered")
    state = message_state(api, message_id)
    assert state["attempts"] == 3 and state["last_error"] is None
    assert sandbox_copies(in_app, email) == 1


def test_a_message_that_exhausts_its_attempts_is_failed_with_the_last_error(api, drain, app, fault):
    fault("error_503", count=100)
    message_id = send_letter(api, unique_email("exhaust"))
    drain(until=lambda: message_state(api, message_id)["status"] == "failed")
    state = message_state(api, message_id)
    assert state["attempts"] == app.config["DELIVERY_MAX_ATTEMPTS"]
    assert "HTTP 503" in state["last_error"]
    assert state["history"][-1]["status"] == "failed"


def test_a_refused_request_is_not_retried(api, drain, in_app, fault):
    fault("reject_400", count=1)
    email = unique_email("poison")
    message_id = send_letter(api, email)
    drain()
    state = message_state(api, message_id)
    assert state["status"] == "failed" and state["attempts"] == 1
    assert "HTTP 400" in state["last_error"]
    assert sandbox_copies(in_app, email) == 0


def test_rate_limit_waits_for_retry_after(api, drain, fault):
    fault("rate_limit", count=1)
    message_id = send_letter(api, unique_email("ratelimited"))
    started = time.monotonic()
    drain(until=lambda: message_state(api, message_id)["status"] == "delivered")
    assert time.monotonic() - started >= 1.0  # the sandbox says Retry-After: 1
    assert message_state(api, message_id)["attempts"] == 2


def test_a_lost_answer_is_retried_and_the_letter_recorded_once(api, drain, in_app, fault, app):
    """The provider took the letter but its answer came after our timeout."""
    fault("slow_success", count=1, delay=app.config["PROVIDER_TIMEOUT_SECONDS"] + 0.5)
    email = unique_email("slow")
    message_id = send_letter(api, email)
    drain(until=lambda: message_state(api, message_id)["status"] == "delivered")
    drain()
    assert sandbox_copies(in_app, email) == 1
    history = [h["status"] for h in message_state(api, message_id)["history"]]
    assert history.count("delivered") == 1


def test_the_same_idempotence_key_is_served_once(app):
    """What a retry after a lost answer does: same key, same answer, one letter."""
    from portal.providers.unisender_go import Recipient
    from portal.services import provider_clients

    email = unique_email("idem")
    key = f"test-key-{email}"
    with app.app_context():
        client = provider_clients.unisendergo()
        letter = dict(
            subject="Тема",
            html="<p>Привет</p>",
            plaintext="Привет",
            from_email="noreply@mayak.example",
            from_name="Маяк",
            idempotence_key=key,
        )
        first = client.send_email(recipients=[Recipient(email=email)], **letter)
        second = client.send_email(recipients=[Recipient(email=email)], **letter)
        assert second.job_id == first.job_id and second.emails == [email]
        assert SandboxEmail.query.filter_by(email=email).count() == 1
        assert SandboxRequest.query.filter_by(idempotence_key=key).one().repeats == 1
        db.session.rollback()


def test_recipient_refused_by_the_provider_fails_at_once(api, drain):
    message_id = send_letter(
        api, unique_email("addr").replace("@example.org", "@invalid.sandbox.example.org")
    )
    drain()
    state = message_state(api, message_id)
    assert state["status"] == "failed" and "invalid" in state["last_error"]


def test_temporarily_unavailable_recipient_is_retried_alone(api, drain, app):
    message_id = send_letter(api, unique_email("busy").replace("@example.org", "@busy.sandbox.example.org"))
    drain(until=lambda: message_state(api, message_id)["status"] == "failed")
    state = message_state(api, message_id)
    assert state["attempts"] == app.config["DELIVERY_MAX_ATTEMPTS"]
    assert "temporary_unavailable" in state["last_error"]


def test_bounce_reported_by_the_provider_is_shown(api, drain):
    message_id = send_letter(api, unique_email("b").replace("@example.org", "@bounce.sandbox.example.org"))
    drain(until=lambda: message_state(api, message_id)["status"] == "hard_bounced")
    assert "err_user_unknown" in message_state(api, message_id)["last_error"]


def test_sweeper_sends_what_a_lost_job_left_behind(app, api, drain, in_app, redis_conn):
    """The job never reached Redis (or Redis lost it): the database still knows."""
    email = unique_email("lost")
    message_id = send_letter(api, email)
    from rq import Queue

    flush_kicks(app)  # the request's dispatch job has reached Redis...
    Queue("mayak", connection=redis_conn).empty()  # ...and is gone
    drain()
    assert message_state(api, message_id)["status"] == "queued"

    def age_it():
        message = db.session.get(Message, message_id)
        message.updated_at = utcnow() - timedelta(seconds=5)
        db.session.commit()

    in_app(age_it)
    with app.app_context():
        found = sweep()
    assert found["messages"] >= 1
    drain(until=lambda: message_state(api, message_id)["status"] == "delivered")
    assert sandbox_copies(in_app, email) == 1


def test_a_batch_abandoned_mid_call_is_resent_with_its_key(app, api, drain, in_app):
    """A worker died after claiming a batch: after its lease the sweeper sends it again."""
    email = unique_email("abandoned")
    message_id = send_letter(api, email)
    from rq import Queue

    Queue("mayak", connection=app.extensions["mayak_redis"]).empty()

    def claim_and_die():
        from portal.services.delivery import claim_and_batch, lease_batch

        _, [batch_id] = claim_and_batch(1)  # the test's only queued message
        db.session.commit()
        assert lease_batch(batch_id)
        batch = db.session.get(DeliveryBatch, batch_id)
        batch.leased_until = utcnow() - timedelta(seconds=1)  # the lease ran out
        batch.updated_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
        return batch_id

    batch_id = in_app(claim_and_die)
    assert message_state(api, message_id)["status"] == "sending"
    with app.app_context():
        assert sweep()["batches"] >= 1
    drain(until=lambda: message_state(api, message_id)["status"] == "delivered")
    request_key = in_app(
        lambda: (
            SandboxRequest.query.join(SandboxEmail, SandboxEmail.request_id == SandboxRequest.id)
            .filter(SandboxEmail.email == email)
            .one()
            .idempotence_key
        )
    )
    assert request_key == batch_id


def test_concurrent_dispatchers_send_each_message_once(app, api, in_app, drain):
    emails = [unique_email("race") for _ in range(6)]
    ids = [send_letter(api, email, name=f"Гость {i}") for i, email in enumerate(emails)]
    from rq import Queue

    Queue("mayak", connection=app.extensions["mayak_redis"]).empty()
    errors = []

    def worker():
        try:
            with app.app_context():
                delivery_jobs.dispatch_queued()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert in_app(lambda: Message.query.filter(Message.id.in_(ids), Message.batch_id.is_(None)).count()) == 0
    drain()  # the dispatchers only enqueued their batches
    assert [sandbox_copies(in_app, e) for e in emails] == [1] * 6


def test_backoff_grows_with_jitter_is_capped_and_honours_retry_after(app):
    with app.app_context():
        base, cap = app.config["DELIVERY_RETRY_BASE_SECONDS"], app.config["DELIVERY_RETRY_CAP_SECONDS"]
        for attempt in range(1, 8):
            ceiling = min(cap, base * 2 ** (attempt - 1))
            delays = {retry_delay(attempt) for _ in range(50)}
            assert all(ceiling / 2 <= d <= ceiling for d in delays)
            assert len(delays) > 1  # jitter
        assert retry_delay(1, retry_after=7) == 7
