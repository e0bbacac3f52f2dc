"""Shared fixtures: the stack, the app with a live server, users of each role, a worker."""

import logging
import os
import re
import threading
import time
import uuid

import pytest
import requests
from rq import Queue, SimpleWorker
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.queueing import DISPATCH_KICK, PAYMENTS_KICK, QUEUE_NAME, flush_kicks, promote_due_jobs
from tests.stack import Stack, free_port, wait_until

STACK_KIND = os.environ.get("MAYAK_TEST_STACK", "embedded")
PASSWORD = "correct-horse-battery"
TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnop",
    "SANDBOX": True,
    "PROVIDER_TIMEOUT_SECONDS": 2.0,
    "DELIVERY_RETRY_BASE_SECONDS": 0.05,
    "DELIVERY_RETRY_CAP_SECONDS": 0.4,
    "DELIVERY_MAX_ATTEMPTS": 4,
    "STALE_AFTER_SECONDS": 0.5,
    "BATCH_LEASE_SECONDS": 3,
    "CIRCUIT_OPEN_SECONDS": 1.0,
    "LOG_LEVEL": "WARNING",
}


logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def stack():
    started = Stack(STACK_KIND).start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def app(stack):
    port = free_port()
    app = create_app(
        {
            **TEST_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": stack.database_url("hub"),
            "REDIS_URL": stack.redis.url(0),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(app) -> str:
    return app.config["PUBLIC_BASE_URL"]


@pytest.fixture(scope="session")
def redis_conn(app):
    return app.extensions["mayak_redis"]


@pytest.fixture(scope="session")
def users(app) -> dict[str, str]:
    """A username per role (plus a second partner), all with PASSWORD."""
    from portal.services.users import create_user

    names = {
        "ADMIN": "t_admin",
        "MODERATOR": "t_moderator",
        "USER": "t_user",
        "PARTNER": "t_partner",
        "PARTNER2": "t_partner_two",
    }
    with app.app_context():
        for role, name in names.items():
            create_user(name, PASSWORD, [role.rstrip("2")], email=f"{name}@example.org")
        db.session.commit()
    return names


@pytest.fixture(scope="session")
def tokens(base_url, users) -> dict[str, str]:
    """A Bearer token per role name of `users`."""
    result = {}
    for role, name in users.items():
        response = requests.post(
            f"{base_url}/api/v1/auth/token", json={"username": name, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        result[role] = response.json()
    return result


class Api:
    """Calls the running hub over real HTTP, as Bitrix or a partner would."""

    def __init__(self, base_url: str, tokens: dict[str, str]):
        self.base_url, self.tokens = base_url, tokens

    def request(self, method: str, path: str, *, as_role: str | None = "PARTNER", **kwargs):
        headers = kwargs.pop("headers", {})
        if as_role:
            headers["Authorization"] = f"Bearer {self.tokens[as_role]}"
        return requests.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


@pytest.fixture
def api(base_url, tokens) -> Api:
    return Api(base_url, tokens)


@pytest.fixture
def drain(app, redis_conn):
    """Run queued jobs in this process (a burst worker) until `until()` holds or all is done."""
    queue = Queue(QUEUE_NAME, connection=redis_conn)

    def run(until=None, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while True:
            flush_kicks(app)  # commits kick the dispatcher from a background thread...
            with app.app_context():
                SimpleWorker([queue], connection=redis_conn).work(burst=True, logging_level="WARNING")
            flush_kicks(app)  # ...the jobs' commits too
            promote_due_jobs(queue, ahead=1)  # early by up to a second: jobs wait for their time
            idle = queue.count == 0 and queue.scheduled_job_registry.count == 0
            if until() if until else idle:
                return
            if time.monotonic() > deadline:
                scheduled = queue.scheduled_job_registry.get_job_ids()
                failed = [queue.fetch_job(j) for j in queue.failed_job_registry.get_job_ids()[-3:]]
                crashes = [
                    f"{j.func_name}: {(j.exc_info or '').strip().splitlines()[-1:]}" for j in failed if j
                ]
                raise AssertionError(
                    f"jobs did not finish in time ({queue.count} queued, scheduled: {scheduled[:5]}, "
                    f"failed jobs: {crashes})"
                )
            time.sleep(0.05)

    return run


@pytest.fixture
def fault(base_url, app):
    """Tell a sandbox provider to fail its next `count` calls in the given way."""

    def inject(mode: str, count: int, provider: str = "unisendergo", delay: float | None = None):
        response = requests.post(
            f"{base_url}/sandbox/control/faults",
            json={"provider": provider, "mode": mode, "count": count, "delay": delay},
            headers={"X-API-KEY": app.config["UNISENDERGO_API_KEY"]},
        )
        assert response.status_code == 200, response.text

    return inject


@pytest.fixture
def in_app(app):
    """Run a function in a fresh app context and session, never leaving a transaction open."""

    def run(func):
        with app.app_context():
            try:
                return func()
            finally:
                db.session.rollback()

    return run


@pytest.fixture(autouse=True)
def _clean_shared_state(request):
    """Faults, throttles and left-over jobs never leak from one test into the next."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    redis = app.extensions["mayak_redis"]
    for key in redis.scan_iter("sandbox:fault:*"):
        redis.delete(key)
    for pattern in ("login:*", "mayak:circuit:*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)
    redis.delete(DISPATCH_KICK, PAYMENTS_KICK)
    queue = Queue(QUEUE_NAME, connection=redis)
    queue.empty()
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id)
    # The dispatcher takes any queued message: close what this test left, so the next
    # test's provider calls (and injected faults) are its own.
    from portal.models import (
        ContactSubscription,
        DeliveryBatch,
        Event,
        Message,
        PaymentNotification,
        RecurringSubscription,
    )

    with app.app_context():
        db.session.execute(
            db.update(Message).where(Message.status.in_(["queued", "sending"])).values(status="failed")
        )
        db.session.execute(
            db.update(DeliveryBatch).where(DeliveryBatch.state == "sending").values(state="failed")
        )
        db.session.execute(
            db.update(ContactSubscription)
            .where(ContactSubscription.status == "pending")
            .values(status="failed")
        )
        db.session.execute(
            db.update(PaymentNotification)
            .where(PaymentNotification.applied_at.is_(None))
            .values(applied_at=db.func.now(), outcome="left by a test")
        )
        db.session.execute(db.update(Event).where(Event.bitrix_state == "pending").values(bitrix_state=None))
        db.session.execute(
            db.update(RecurringSubscription)
            .where(RecurringSubscription.pending_action.is_not(None))
            .values(pending_action=None)
        )
        db.session.commit()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def text_of(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Sign a Flask test client in and out through the real login form (flaskr's `auth`)."""

    def __init__(self, client, users):
        self.client, self.users = client, users

    def login(self, role: str = "ADMIN", password: str = PASSWORD):
        page = self.client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post(
            "/login", data={"username": self.users[role], "password": password, "csrf_token": token}
        )

    def logout(self):
        page = self.client.get("/account")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client, users) -> AuthActions:
    return AuthActions(client, users)


__all__ = ["PASSWORD", "csrf_token_from", "unique_email", "wait_until"]
