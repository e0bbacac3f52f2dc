"""The audit, usage and quota pages of the portal (ADMIN)."""

from datetime import timedelta

from portal.models import Quota
from portal.services.audit_taxonomy import local_day
from tests.conftest import csrf_token_from, text_of, unique_email

VARS = {"user_name": "Анна", "registration_date": "20 ноября 2026"}


def test_the_audit_page_filters_sorts_and_answers_htmx_with_the_table(auth, client, partner):
    partner.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": [unique_email("p")], "vars": VARS}
    )
    partner.get("/api/v1/events")  # refused: 403
    auth.login("ADMIN")
    page = client.get(f"/audit/?username={partner.username}&status=FORBIDDEN")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "events_list" in text and "email_send" not in text
    assert "1 из" in text  # the counters: one matching of all in the period
    fragment = client.get(
        f"/audit/?username={partner.username}&sort=request_points&dir=asc", headers={"HX-Request": "true"}
    )
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "email_send" in html and "events_list" in html
    assert "sort=request_points&amp;dir=desc" in html or "dir=desc&amp;sort=request_points" in html


def test_an_invalid_quota_form_comes_back_with_its_errors(auth, client):
    auth.login("ADMIN")
    token = csrf_token_from(client.get("/audit/quotas").get_data(as_text=True))
    answer = client.post(
        "/audit/quotas",
        data={
            "csrf_token": token,
            "username": "",
            "service": "EMAIL",
            "process_type": "OPERATION",
            "points_per_request": "0",
            "points_per_day": "x",
            "max_concurrent_execution": "3",
        },
    )
    assert answer.status_code == 422
    text = text_of(answer.get_data(as_text=True))
    assert "Выберите учётную запись" in text


def test_a_quota_is_set_shown_and_removed_after_confirming(auth, client, partner, in_app):
    auth.login("ADMIN")
    token = csrf_token_from(client.get("/audit/quotas").get_data(as_text=True))
    client.post(
        "/audit/quotas",
        data={
            "csrf_token": token,
            "username": partner.username,
            "service": "EVENTS",
            "process_type": "TRIGGER",
            "points_per_request": "1",
            "points_per_day": "77",
            "max_concurrent_execution": "3",
        },
    )
    listed = text_of(client.get("/audit/quotas").get_data(as_text=True))
    assert partner.username in listed and "77" in listed
    quotas = partner.get("/api/v1/account/quotas").json()["base"]["services"]
    events = next(s for s in quotas if s["service"] == "EVENTS")
    trigger = next(p for p in events["processes"] if p["process_type"] == "TRIGGER")
    assert trigger["points_per_day"] == 77 and trigger["custom"]
    quota_id = in_app(lambda: Quota.query.filter_by(user_id=partner.id, service="EVENTS").one().id)
    confirm = client.get(f"/audit/quotas/{quota_id}/delete")
    assert confirm.status_code == 200 and partner.username in text_of(confirm.get_data(as_text=True))
    assert client.post(f"/audit/quotas/{quota_id}/delete", data={"csrf_token": token}).status_code == 303
    quotas = partner.get("/api/v1/account/quotas").json()["base"]["services"]
    events = next(s for s in quotas if s["service"] == "EVENTS")
    assert not next(p for p in events["processes"] if p["process_type"] == "TRIGGER")["custom"]


def test_the_usage_page_shows_a_partners_days_and_offers_the_xlsx(auth, client, partner):
    partner.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": [unique_email("u")], "vars": VARS}
    )
    auth.login("ADMIN")
    today = local_day(3)
    tomorrow = today + timedelta(days=1)
    args = f"username={partner.username}&date_from={today.isoformat()}&date_to={tomorrow.isoformat()}"
    page = client.get(f"/audit/usage?{args}")
    text = text_of(page.get_data(as_text=True))
    assert "EMAIL" in text and "OPERATION" in text
    report = client.get(f"/audit/usage.xlsx?{args}")
    assert report.status_code == 200 and report.data[:2] == b"PK"
