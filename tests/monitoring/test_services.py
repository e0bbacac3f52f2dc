"""GET /api/v1/monitoring/services: the database, Redis, the workers and the providers, each with a
state, a latency and its last error."""

import pytest
from rq import Queue, Worker

from portal.providers import ProviderUnavailable
from portal.providers.circuit import public_error
from portal.providers.unisender_go import Recipient
from portal.queueing import QUEUE_NAME
from portal.services import provider_clients
from tests.conftest import unique_email
from tests.stack import wait_until


def services(api, **params) -> dict[str, dict]:
    response = api.get("/api/v1/monitoring/services", as_role="ADMIN", params=params)
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()["services"]}


def send_one(in_app) -> None:
    """One real UnisenderGo call from the hub's own client (through the circuit breaker)."""

    def call():
        provider_clients.unisendergo().send_email(
            recipients=[Recipient(unique_email("probe"))],
            subject="Проверка",
            html="<p>Проверка</p>",
            plaintext="Проверка",
            from_email="noreply@mayak.example",
            from_name="Маяк",
            idempotence_key=unique_email("key"),
        )

    return in_app(call)


def test_the_database_and_redis_are_up_with_a_measured_latency(api):
    found = services(api)
    assert list(found) == [
        "database",
        "redis",
        "workers",
        "unisendergo",
        "unisender",
        "cloudpayments",
        "bitrix",
    ]
    for name in ("database", "redis"):
        assert found[name]["state"] == "up" and found[name]["last_error"] is None
        assert 0 < found[name]["latency_ms"] < 2000
    assert {found[p]["kind"] for p in ("unisendergo", "unisender", "cloudpayments", "bitrix")} == {"provider"}


def test_one_service_by_name_and_an_unknown_name_is_refused(api):
    assert list(services(api, service_name="redis")) == ["redis"]
    response = api.get("/api/v1/monitoring/services?service_name=smtp", as_role="ADMIN")
    assert response.status_code == 400
    assert response.json()["field"] == "service_name" and "database" in response.json()["message"]
    assert "tracedata" in response.json()


def test_a_failing_provider_is_degraded_then_circuit_open_then_down_until_it_answers(
    api, app, fault, in_app, settings
):
    settings(CIRCUIT_FAILURE_THRESHOLD=3, CIRCUIT_OPEN_SECONDS=1.0)
    send_one(in_app)
    healthy = services(api)["unisendergo"]
    assert healthy["state"] == "up" and healthy["latency_ms"] > 0 and healthy["last_success_at"]

    fault("error_503", count=3)
    with pytest.raises(ProviderUnavailable):
        send_one(in_app)
    failing = services(api)["unisendergo"]
    assert failing["state"] == "degraded" and failing["failures_in_a_row"] == 1
    assert failing["last_error"].startswith("HTTP 503") and "http" not in failing["last_error"].lower()[4:]

    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            send_one(in_app)
    opened = services(api)["unisendergo"]
    assert opened["state"] == "circuit_open" and opened["circuit_open_until"]
    assert opened["recent_failures"] == 3 and opened["last_failure_at"]
    assert services(api)["unisender"]["state"] == "up"  # the others are not affected

    # Once the pause is over and until a call succeeds, the provider is down.
    wait_until(lambda: services(api)["unisendergo"]["state"] == "down", timeout=5, what="the pause to end")
    send_one(in_app)  # the sandbox answers again: the trial call succeeds
    recovered = services(api)["unisendergo"]
    assert recovered["state"] == "degraded"  # up, with failures in the last minutes
    assert recovered["failures_in_a_row"] == 0 and recovered["circuit"] == "closed"


def test_errors_shown_carry_no_urls_or_keys():
    shown = public_error(
        "connection failed to https://api.example/rest/1/s3cr3t-webhook?api_key=abc123 (api_key=abc123)"
    )
    assert "s3cr3t" not in shown and "abc123" not in shown and "<url>" in shown
    assert public_error("HTTP 503: token=XYZ987 expired") == "HTTP 503: token=*** expired"


def test_workers_are_down_without_a_live_worker_and_up_with_one(api, redis_conn):
    workers = services(api)["workers"]
    before = workers["alive"]
    worker = Worker([Queue(QUEUE_NAME, connection=redis_conn)], connection=redis_conn)
    worker.register_birth()
    try:
        found = services(api)["workers"]
        assert found["state"] == "up" and found["alive"] == before + 1
        mine = next(w for w in found["workers"] if w["name"] == worker.name)
        assert mine["alive"] and not mine["busy"] and mine["last_heartbeat"] and QUEUE_NAME in mine["queues"]
    finally:
        worker.register_death()
    after = services(api)["workers"]
    assert all(w["name"] != worker.name for w in after["workers"])
    if after["alive"] == 0:
        assert after["state"] == "down" and after["last_error"]


def test_monitoring_is_for_admins_only(api):
    for role in ("USER", "MODERATOR", "PARTNER"):
        assert api.get("/api/v1/monitoring/services", as_role=role).status_code == 403
    assert api.get("/api/v1/monitoring/services", as_role=None).status_code == 401
