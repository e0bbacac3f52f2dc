"""The audit of actions: every API call and portal change recorded, searchable as seed 002 says."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import csrf_token_from, unique_email

VARS = {"user_name": "Анна", "registration_date": "20 ноября 2026"}


def _send(partner, count: int = 1):
    recipients = [unique_email("audit") for _ in range(count)]
    return partner.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": recipients, "vars": VARS}
    )


def _actions(api, **params):
    response = api.get("/api/v1/audit/actions", as_role="ADMIN", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_api_calls_are_recorded_with_caller_operation_status_and_size(api, partner):
    sent = _send(partner, 3)
    assert sent.status_code == 202
    refused = partner.get("/api/v1/events")  # a partner may not read the moderation queue
    assert refused.status_code == 403
    body = _actions(api, username=partner.username, sort_field="time")
    assert body["counters"]["filter"]["total"] == 3
    assert body["counters"]["overall"]["total"] >= 3
    token, first, second = body["actions"]
    assert token["service"] == "ACCOUNT" and token["process_type"] == "AUTH"
    assert first["service"] == "EMAIL" and first["process_type"] == "OPERATION"
    assert first["company"] == "acme_fund"
    assert first["requests"][0]["operation"] == "email_send"
    assert first["requests"][0]["request_code"] == sent.headers["X-Request-ID"]
    assert first["statistics"]["request_points_count"] == 3
    assert first["statistics"]["calculation_info"]["status"] == "FINISHED_IN_TIME"
    assert second["statistics"]["calculation_info"]["status"] == "FORBIDDEN"
    assert second["message"] == "недостаточно прав для этой операции"
    assert second["service"] == "EVENTS" and second["process_type"] == "QUERY"


def test_a_refused_token_and_a_failed_sign_in_are_recorded_too(api, partner):
    api.request("GET", "/api/v1/account", as_role=None, headers={"Authorization": "Bearer nonsense"})
    api.post(
        "/api/v1/auth/token", {"username": partner.username, "password": "wrong-password-123"}, as_role=None
    )
    body = _actions(api, status="UNAUTHORIZED", sort_field="time", sort_direction="DESC", limit=20)
    operations = [(a["requests"][0]["operation"], a["username"]) for a in body["actions"]]
    assert ("auth_token", partner.username) in operations
    assert ("account_get", None) in operations


def test_filters_sort_and_paging(api, partner):
    for count in (1, 2, 3):
        _send(partner, count)
    partner.get("/api/v1/account")
    by_points = _actions(
        api, username=partner.username, service="EMAIL", sort_field="request_points", sort_direction="DESC"
    )
    assert [a["statistics"]["request_points_count"] for a in by_points["actions"]] == [3, 2, 1]
    assert by_points["counters"]["filter"]["total"] == 3
    page = _actions(api, username=partner.username, offset=2, limit=2, sort_field="time")
    assert len(page["actions"]) == 2 and page["counters"]["filter"]["total"] == 5
    assert [a["statistics"]["request_points_count"] for a in page["actions"]] == [2, 3]
    account = _actions(api, username=partner.username, service="ACCOUNT", operation="account_get")
    assert [a["process_type"] for a in account["actions"]] == ["QUERY"]
    soon, later = (datetime.now(UTC) + timedelta(hours=n) for n in (1, 2))
    window = {"from": soon.isoformat(), "to": later.isoformat()}
    assert _actions(api, username=partner.username, **window)["counters"]["filter"]["total"] == 0
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert _actions(api, username=partner.username, **{"from": yesterday})["counters"]["filter"]["total"] == 5


@pytest.mark.parametrize(
    "params, field",
    [
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"service": "TELEPORT"}, "service"),
        ({"process_type": "PLAN"}, "process_type"),
        ({"status": "DONE"}, "status"),
        ({"operation": "ab"}, "operation"),
        ({"sort_field": "password_hash"}, "sort_field"),
        ({"sort_direction": "UP"}, "sort_direction"),
        ({"from": "2026-11-21T10:00:00+00:00", "to": "2026-11-21T09:00:00+00:00"}, "from"),
    ],
)
def test_bad_parameters_are_refused_with_the_field_named(api, params, field):
    response = api.get("/api/v1/audit/actions", as_role="ADMIN", params=params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["tracedata"]["operation"] == "api.audit_actions"


def test_only_an_admin_reads_the_audit(api):
    for role in ("PARTNER", "USER", "MODERATOR"):
        assert api.get("/api/v1/audit/actions", as_role=role).status_code == 403


def test_a_portal_change_is_recorded_with_its_outcome(app, api, auth, client, users):
    auth.login("ADMIN")
    page = client.get("/audit/quotas")
    token = csrf_token_from(page.get_data(as_text=True))
    answer = client.post(
        "/audit/quotas",
        data={
            "csrf_token": token,
            "username": users["PARTNER2"],
            "service": "EMAIL",
            "process_type": "OPERATION",
            "points_per_request": "500",
            "points_per_day": "100000",
            "max_concurrent_execution": "8",
        },
    )
    assert answer.status_code == 303
    body = _actions(
        api, username=users["ADMIN"], process_type="PORTAL", sort_field="time", sort_direction="DESC"
    )
    latest = body["actions"][0]
    assert latest["requests"][0]["operation"] == "audit.quota_set"
    assert (
        latest["source"] == "portal"
        and latest["statistics"]["calculation_info"]["status"] == "FINISHED_IN_TIME"
    )
    # reading a page changes nothing, so it is not recorded
    assert all(a["method"] != "GET" for a in body["actions"])
