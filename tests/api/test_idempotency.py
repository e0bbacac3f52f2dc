"""Idempotency-Key: a trigger Bitrix retries after a timeout sends its letter once."""

from concurrent.futures import ThreadPoolExecutor

from portal.models import Message
from tests.conftest import unique_email


def registration(email):
    return {
        "kind": "registration",
        "user_email": email,
        "user_name": "Лев",
        "agree_newsletter": False,
        "registration_date": "2026-11-20",
    }


def test_a_repeated_call_gets_the_first_answer_and_writes_nothing(api, in_app):
    email = unique_email("idem")
    headers = {"Idempotency-Key": f"bitrix-reg-{email}"}
    first = api.post("/api/v1/emails/send", registration(email), headers=headers)
    second = api.post("/api/v1/emails/send", registration(email), headers=dict(headers))
    assert first.status_code == second.status_code == 202
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert in_app(lambda: Message.query.filter_by(recipient=email).count()) == 1


def test_the_same_key_with_another_body_is_refused(api, in_app):
    email = unique_email("idem2")
    key = {"Idempotency-Key": f"k-{email}"}
    assert api.post("/api/v1/emails/send", registration(email), headers=dict(key)).status_code == 202
    other = api.post("/api/v1/emails/send", registration(unique_email("other")), headers=dict(key))
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


def test_keys_belong_to_each_caller(api, in_app):
    email = unique_email("idem3")
    key = f"shared-{email}"
    assert (
        api.post("/api/v1/emails/send", registration(email), headers={"Idempotency-Key": key}).status_code
        == 202
    )
    other = api.post(
        "/api/v1/emails/send", registration(email), headers={"Idempotency-Key": key}, as_role="ADMIN"
    )
    assert other.status_code == 202 and "Idempotent-Replayed" not in other.headers
    assert in_app(lambda: Message.query.filter_by(recipient=email).count()) == 2


def test_a_refused_request_does_not_use_up_its_key(api):
    email = unique_email("idem4")
    key = {"Idempotency-Key": f"retry-after-fix-{email}"}
    bad = api.post("/api/v1/emails/send", {**registration(email), "user_email": "broken"}, headers=dict(key))
    assert bad.status_code == 400
    assert api.post("/api/v1/emails/send", registration(email), headers=dict(key)).status_code == 202


def test_concurrent_retries_create_one_message(api, in_app):
    email = unique_email("storm")
    headers = {"Idempotency-Key": f"storm-{email}"}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    api.post(
                        "/api/v1/email/send",
                        {
                            "template_id": "registration",
                            "recipient_email": email,
                            "vars": {"user_name": "Лев", "registration_date": "20 ноября 2026"},
                        },
                        headers=dict(headers),
                    ).status_code
                ),
                range(8),
            )
        )
    assert set(statuses) <= {202, 409} and 202 in statuses
    assert in_app(lambda: Message.query.filter_by(recipient=email).count()) == 1


def test_overlong_key_is_a_400(api):
    response = api.post(
        "/api/v1/emails/send", registration(unique_email("long")), headers={"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 400
