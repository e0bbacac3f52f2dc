"""The circuit breaker: a provider that keeps failing is left alone for a while, at no attempt's cost."""

import time

import pytest

from portal.providers import ProviderCircuitOpen
from portal.providers.circuit import CircuitBreaker
from tests.conftest import unique_email
from tests.delivery.test_retries import message_state, sandbox_copies, send_letter


def test_the_circuit_opens_after_repeated_failures_lets_one_trial_through_and_closes(redis_conn):
    breaker = CircuitBreaker(redis_conn, f"test-{time.time_ns()}", threshold=3, open_seconds=1)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure("HTTP 503")
    assert breaker.state()["state"] == "closed" and breaker.state()["failures"] == 2
    breaker.before_call()
    breaker.record_failure("HTTP 503")
    with pytest.raises(ProviderCircuitOpen) as refused:
        breaker.before_call()
    assert 0 < refused.value.retry_after <= 1
    assert breaker.state()["state"] == "open" and breaker.state()["last_error"] == "HTTP 503"

    time.sleep(1.1)
    breaker.before_call()  # the trial call
    with pytest.raises(ProviderCircuitOpen):
        breaker.before_call()  # nobody else while the trial runs
    breaker.record_failure("timeout")  # the trial failed: open again at once
    with pytest.raises(ProviderCircuitOpen):
        breaker.before_call()

    time.sleep(1.1)
    breaker.before_call()
    breaker.record_success()
    assert breaker.state()["state"] == "closed"
    breaker.before_call()
    breaker.before_call()


def test_letters_wait_for_an_open_circuit_without_spending_attempts(api, app, drain, fault, in_app):
    settings = {"CIRCUIT_FAILURE_THRESHOLD": 2, "CIRCUIT_OPEN_SECONDS": 3.0}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)  # the live server and the test's worker share this app
    try:
        fault("error_503", count=2)  # two failures, then UnisenderGo is well again
        first_email = unique_email("tripped")
        first = send_letter(api, first_email)
        drain(until=lambda: message_state(api, first)["attempts"] == 2)
        opened = time.monotonic()

        second_email = unique_email("waiting")
        second = send_letter(api, second_email)
        drain(until=lambda: "circuit open" in (message_state(api, second)["last_error"] or ""))
        waiting = message_state(api, second)
        assert time.monotonic() - opened < 3, "the circuit should still be open"
        assert waiting["status"] in ("queued", "sending") and waiting["attempts"] == 0
        assert sandbox_copies(in_app, second_email) == 0  # UnisenderGo was not called

        drain(until=lambda: message_state(api, second)["status"] == "delivered", timeout=30)
        drain(until=lambda: message_state(api, first)["status"] == "delivered", timeout=30)
    finally:
        app.config.update(saved)
    assert time.monotonic() - opened >= 2.5  # nothing was sent before the circuit let a trial through
    assert message_state(api, second)["attempts"] == 1 and message_state(api, first)["attempts"] == 3
    assert sandbox_copies(in_app, first_email) == sandbox_copies(in_app, second_email) == 1
