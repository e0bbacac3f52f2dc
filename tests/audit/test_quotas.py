"""Partners' quotas, enforced on every API call: the call over the limit gets 429 and changes nothing."""

import threading
import time
from datetime import UTC, datetime, timedelta

from portal.models import Message
from portal.services import quotas
from tests.conftest import unique_email
from tests.stack import wait_until

VARS = {"user_name": "Анна", "registration_date": "20 ноября 2026"}


def _send(partner, recipients: list[str]):
    return partner.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": recipients, "vars": VARS}
    )


def _letters_to(in_app, addresses) -> int:
    return in_app(lambda: Message.query.filter(Message.recipient.in_(addresses)).count())


def test_the_daily_quota_refuses_the_call_over_it_and_stores_nothing(partner, set_quota, in_app):
    set_quota(partner.username, {("EMAIL", "OPERATION"): (10, 3, 5)})
    assert _send(partner, [unique_email("q")]).status_code == 202
    assert _send(partner, [unique_email("q"), unique_email("q")]).status_code == 202
    over = [unique_email("over")]
    refused = _send(partner, over)
    assert refused.status_code == 429
    body = refused.json()
    assert "points_per_day" in body["message"] and "из 3" in body["message"]
    assert body["tracedata"]["username"] == partner.username
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600 + 1
    assert _letters_to(in_app, over) == 0
    # another service has its own (default) quota
    assert partner.get("/api/v1/account").status_code == 200


def test_a_call_carrying_too_many_items_is_refused_whole(partner, set_quota, in_app):
    set_quota(partner.username, {("EMAIL", "OPERATION"): (2, 100, 5)})
    three = [unique_email("big") for _ in range(3)]
    refused = _send(partner, three)
    assert refused.status_code == 429
    assert "points_per_request" in refused.json()["message"] and "лимит 2" in refused.json()["message"]
    assert "Retry-After" not in refused.headers  # the same call never fits: split it
    assert _letters_to(in_app, three) == 0
    assert _send(partner, three[:2]).status_code == 202


def test_refused_and_invalid_calls_do_not_use_the_daily_quota(partner, set_quota):
    set_quota(partner.username, {("EMAIL", "OPERATION"): (10, 2, 5)})
    invalid = partner.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": ["not-an-address"]}
    )
    assert invalid.status_code == 400
    assert _send(partner, [unique_email("a"), unique_email("b")]).status_code == 202
    assert _send(partner, [unique_email("c")]).status_code == 429


def test_the_daily_quota_starts_again_the_next_local_day(partner, set_quota, monkeypatch):
    set_quota(partner.username, {("ACCOUNT", "QUERY"): (1, 2, 5)})
    assert partner.get("/api/v1/account").status_code == 200
    assert partner.get("/api/v1/account").status_code == 200
    assert partner.get("/api/v1/account").status_code == 429
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(quotas, "now", lambda: tomorrow)  # the hub runs in this process
    assert partner.get("/api/v1/account").status_code == 200


def test_concurrent_calls_over_the_limit_are_refused(partner, set_quota, app, redis_conn):
    set_quota(partner.username, {("ACCOUNT", "QUERY"): (1, 1000, 2)})
    # two calls still running (held by slow requests); a third one must wait its turn
    key = quotas.running_key(partner.id, "ACCOUNT", "QUERY")
    redis_conn.zadd(key, {"slow-1": time.time() + 60, "slow-2": time.time() + 60})
    refused = partner.get("/api/v1/account")
    assert refused.status_code == 429
    assert "max_concurrent_execution" in refused.json()["message"] and refused.headers["Retry-After"] == "1"
    # a crashed request's slot ends with its lease
    redis_conn.zadd(key, {"slow-1": time.time() - 1})
    assert partner.get("/api/v1/account").status_code == 200
    # the finished call lets go of its slot (a background thread, within milliseconds); slow-2 runs on
    wait_until(lambda: redis_conn.zcard(key) == 1, timeout=5, what="the finished call's slot to be freed")


def test_parallel_calls_never_run_more_than_the_limit_at_once(partner, set_quota, monkeypatch, redis_conn):
    set_quota(partner.username, {("EMAIL", "OPERATION"): (100, 10_000, 1)})
    from portal.api import email as email_api
    from portal.extensions import db

    original, release = email_api.template_ref, threading.Event()

    def held_template_ref(*args, **kwargs):
        # The hub runs in this process: hold the admitted call open, without holding SQLite's
        # one write lock meanwhile (the refused calls must write their audit rows).
        db.session.rollback()
        release.wait(timeout=30)
        return original(*args, **kwargs)

    monkeypatch.setattr(email_api, "template_ref", held_template_ref)
    statuses, start = [], threading.Barrier(6)

    def call():
        start.wait()
        statuses.append(_send(partner, [unique_email("par") for _ in range(30)]).status_code)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    wait_until(lambda: len(statuses) >= 5, timeout=30, what="five calls to be answered")
    assert statuses == [429] * 5  # while one call runs, every other one is refused
    release.set()
    for t in threads:
        t.join()
    assert sorted(statuses) == [202, 429, 429, 429, 429, 429]
    monkeypatch.setattr(email_api, "template_ref", original)
    key = quotas.running_key(partner.id, "EMAIL", "OPERATION")
    wait_until(lambda: redis_conn.zcard(key) == 0, timeout=5, what="the slot to be freed")
    assert _send(partner, [unique_email("after")]).status_code == 202


def test_calls_one_after_another_fit_a_limit_of_one(partner, set_quota):
    set_quota(partner.username, {("ACCOUNT", "QUERY"): (1, 1000, 1)})
    assert [partner.get("/api/v1/account").status_code for _ in range(10)] == [200] * 10


def test_an_admin_is_not_limited(api, users, set_quota):
    set_quota(users["ADMIN"], {("ACCOUNT", "QUERY"): (1, 1, 1)})
    try:
        for _ in range(3):
            assert api.get("/api/v1/account", as_role="ADMIN").status_code == 200
    finally:
        set_quota(users["ADMIN"], {})


def test_quotas_are_read_by_the_partner_and_set_only_by_an_admin(partner, set_quota, api, app):
    defaults = partner.get("/api/v1/account/quotas").json()
    email = next(s for s in defaults["base"]["services"] if s["service"] == "EMAIL")
    operation = next(p for p in email["processes"] if p["process_type"] == "OPERATION")
    # No defaults are set (QUOTA_DEFAULT_* = 0): a partner without a quota is not limited.
    assert operation["points_per_day"] is None and not operation["custom"]
    set_quota(partner.username, {("EMAIL", "OPERATION"): (5, 50, 2)})
    mine = partner.get("/api/v1/account/quotas").json()
    email = next(s for s in mine["base"]["services"] if s["service"] == "EMAIL")
    operation = next(p for p in email["processes"] if p["process_type"] == "OPERATION")
    assert (
        operation["points_per_request"],
        operation["points_per_day"],
        operation["max_concurrent_execution"],
    ) == (5, 50, 2)
    assert (
        partner.request(
            "PUT", "/api/v1/account/quotas", json={"username": partner.username, "base": {"services": []}}
        ).status_code
        == 403
    )
    assert partner.get("/api/v1/account/quotas", params={"username": "t_admin"}).status_code == 403
    as_admin = api.get("/api/v1/account/quotas", as_role="ADMIN", params={"username": partner.username})
    assert as_admin.status_code == 200


def test_a_bad_quota_is_refused_and_nothing_changes(partner, set_quota, api):
    set_quota(partner.username, {("EMAIL", "OPERATION"): (5, 50, 2)})
    bad = {
        "username": partner.username,
        "base": {
            "services": [
                {
                    "service": "EMAIL",
                    "processes": [
                        {
                            "process_type": "OPERATION",
                            "points_per_request": 0,
                            "points_per_day": 1,
                            "max_concurrent_execution": 1,
                        }
                    ],
                }
            ]
        },
    }
    response = api.request("PUT", "/api/v1/account/quotas", as_role="ADMIN", json=bad)
    assert response.status_code == 400
    assert response.json()["field"] == "base.services[0].processes[0].points_per_request"
    unknown = {"username": partner.username, "base": {"services": [{"service": "TELEPORT", "processes": []}]}}
    assert api.request("PUT", "/api/v1/account/quotas", as_role="ADMIN", json=unknown).status_code == 400
    mine = partner.get("/api/v1/account/quotas").json()
    email = next(s for s in mine["base"]["services"] if s["service"] == "EMAIL")
    assert next(p for p in email["processes"] if p["process_type"] == "OPERATION")["points_per_request"] == 5


def test_without_a_quota_of_its_own_a_partner_is_limited_only_by_the_defaults_set(partner, app, in_app):
    redis = app.extensions["mayak_redis"]
    assert _send(partner, [unique_email("free") for _ in range(5)]).status_code == 202
    assert not list(redis.scan_iter(f"quota:*:{partner.id}:*"))  # nothing counted: no defaults
    app.config["QUOTA_DEFAULT_POINTS_PER_REQUEST"] = 2
    try:
        three = [unique_email("dflt") for _ in range(3)]
        refused = _send(partner, three)
        assert refused.status_code == 429 and "лимит 2" in refused.json()["message"]
        assert _letters_to(in_app, three) == 0
        assert _send(partner, three[:2]).status_code == 202
    finally:
        app.config["QUOTA_DEFAULT_POINTS_PER_REQUEST"] = 0
