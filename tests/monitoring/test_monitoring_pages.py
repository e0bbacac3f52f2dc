"""The monitoring page and the alerts in every admin's header; GET /api/v1/monitoring/alerts."""

import re

import pytest

from portal.extensions import db
from portal.models import Alert
from portal.services import provider_clients
from tests.conftest import csrf_token_from, text_of
from tests.monitoring.test_alerts import trip


@pytest.fixture
def admin(client, auth):
    assert auth.login("ADMIN").status_code == 303
    return client


@pytest.fixture
def outage(in_app, evaluate):
    """UnisenderGo's circuit open and the rules run: one critical alert."""
    trip(in_app, "unisendergo")
    return evaluate()[("provider_down", "unisendergo")]


def test_the_page_shows_components_queues_and_refreshes_itself(admin):
    page = admin.get("/monitoring/").get_data(as_text=True)
    text = text_of(page)
    for words in ("Мониторинг", "Компоненты", "База данных", "Redis", "UnisenderGo", "Bitrix", "Очереди"):
        assert words in text
    assert re.search(r'data-service="database">.*?Работает', page, re.S)
    assert "Активных тревог нет" in text
    fragment = admin.get("/monitoring/", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'hx-trigger="every 10s"' in body and 'data-queue="mayak"' in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_an_alert_shows_in_every_admin_header_and_on_the_page_until_acknowledged(
    admin, app, client, outage, in_app, users
):
    messages = text_of(admin.get("/messages/").get_data(as_text=True))
    assert "1 активная тревога" in messages and "UnisenderGo не отвечает: цепь разомкнута" in messages
    page = admin.get("/monitoring/").get_data(as_text=True)
    row = re.search(r'<tr class="alert-row severity-critical">.*?</tr>', page, re.S).group(0)
    assert "Критично" in row and "HTTP 503: unavailable" in row and "Подтвердить" in row

    url = f"/monitoring/alerts/{outage['id']}/acknowledge"
    assert admin.post(url, data={}).status_code == 400  # no CSRF token
    answer = admin.post(url, data={"csrf_token": csrf_token_from(page)})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/monitoring/")

    def recorded():
        alert = db.session.get(Alert, outage["id"])
        return alert.acknowledged_by.username, alert.acknowledged_at, alert.resolved_at

    who, when, resolved = in_app(recorded)
    assert who == users["ADMIN"] and when is not None and resolved is None
    after = text_of(admin.get("/monitoring/").get_data(as_text=True))
    assert "Тревога подтверждена" in after and users["ADMIN"] in after  # still listed, with who
    assert "активная тревога" not in text_of(admin.get("/messages/").get_data(as_text=True))


def test_the_header_is_only_for_admins(client, auth, outage):
    auth.login("USER")
    assert "активная тревога" not in text_of(client.get("/messages/").get_data(as_text=True))
    assert client.get("/monitoring/").status_code == 403


def test_a_resolved_alert_moves_to_the_history(admin, in_app, evaluate, outage):
    in_app(lambda: provider_clients.breaker("unisendergo").record_success(0.02))
    assert evaluate() == {}
    text = text_of(admin.get("/monitoring/").get_data(as_text=True))
    history = text.split("Решённые тревоги", 1)[1]
    assert "UnisenderGo не отвечает" in history and "Активных тревог нет" in text
    assert "активная тревога" not in text


def test_check_now_runs_the_rules(admin, in_app):
    trip(in_app, "unisender")
    token = csrf_token_from(admin.get("/monitoring/").get_data(as_text=True))
    answer = admin.post("/monitoring/check", data={"csrf_token": token}, follow_redirects=True)
    text = text_of(answer.get_data(as_text=True))
    assert "Правила проверены: поднято 1" in text and "Unisender не отвечает" in text


def test_the_alerts_api_lists_active_first_and_filters_by_severity(api, in_app, evaluate, outage, settings):
    settings(MONITORING_QUEUE_AGE_SECONDS=0)  # any waiting job is "old": a warning with a worker...
    from rq import Queue

    from portal.queueing import QUEUE_NAME

    Queue(QUEUE_NAME, connection=api_redis(in_app)).enqueue("os.getpid")
    evaluate()
    listed = api.get("/api/v1/monitoring/alerts", as_role="ADMIN").json()["alerts"]
    active = [a for a in listed if a["active"]]
    assert listed[: len(active)] == active and {a["rule"] for a in active} >= {"provider_down", "queue_age"}
    critical = api.get("/api/v1/monitoring/alerts?severity=critical&limit=1", as_role="ADMIN").json()
    assert len(critical["alerts"]) == 1 and critical["alerts"][0]["severity"] == "critical"
    assert critical["alerts"][0]["active"] and critical["alerts"][0]["message"]


def api_redis(in_app):
    from portal.queueing import get_redis

    return in_app(get_redis)


@pytest.mark.parametrize(
    "query, field",
    [("severity=urgent", "severity"), ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit")],
)
def test_the_alerts_api_refuses_bad_parameters_in_its_envelope(api, query, field):
    response = api.get(f"/api/v1/monitoring/alerts?{query}", as_role="ADMIN")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["message"].startswith(f"параметр {field}") and "tracedata" in body
