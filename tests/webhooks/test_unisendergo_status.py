"""The UnisenderGo delivery webhook: MD5 `auth`, statuses applied once and in order."""

import hashlib
import json

import pytest
import requests

from portal.extensions import db
from portal.models import Message, MessageEvent
from tests.factories import make_message

PATH = "/webhooks/unisendergo/status"


def signed_body(events: list[dict], key: str) -> bytes:
    """An independent signer: compact JSON, auth = md5 of the body with auth set to the key."""
    payload = {
        "auth": key,
        "events_by_user": [{"user_id": 7, "project_id": "p", "project_name": "Маяк", "events": events}],
    }
    unsigned = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    payload["auth"] = hashlib.md5(unsigned).hexdigest()
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def event(message_id: int, status: str, at: str = "2026-11-23 10:00:00", **extra) -> dict:
    data = {
        "job_id": "job-1",
        "metadata": {"message_id": str(message_id)},
        "email": "x@example.org",
        "status": status,
        "event_time": at,
        **extra,
    }
    return {"event_name": "transactional_email_status", "event_data": data}


@pytest.fixture
def post(base_url, app):
    key = app.config["UNISENDERGO_API_KEY"]

    def send(events, *, body: bytes | None = None, signing_key: str | None = None):
        raw = body if body is not None else signed_body(events, signing_key or key)
        return requests.post(base_url + PATH, data=raw, headers={"Content-Type": "application/json"})

    return send


def state(in_app, message_id):
    def read():
        message = db.session.get(Message, message_id)
        history = [
            (e.status, e.source)
            for e in db.session.execute(db.select(MessageEvent).filter_by(message_id=message_id)).scalars()
        ]
        return message.status, message.last_error, history

    return in_app(read)


def test_valid_callback_moves_the_message_to_delivered(post, in_app):
    message_id = make_message(in_app)
    response = post([event(message_id, "delivered")])
    assert response.status_code == 200 and response.json()["applied"] == 1
    status, _, history = state(in_app, message_id)
    assert status == "delivered" and ("delivered", "provider") in history


def test_the_same_event_twice_is_recorded_once(post, in_app):
    message_id = make_message(in_app)
    for _ in range(3):
        assert post([event(message_id, "opened")]).status_code == 200
    _, _, history = state(in_app, message_id)
    assert history.count(("opened", "provider")) == 1


def test_late_events_never_move_a_message_back(post, in_app):
    message_id = make_message(in_app)
    post([event(message_id, "clicked", "2026-11-23 10:05:00")])
    post(
        [
            event(message_id, "delivered", "2026-11-23 10:01:00"),
            event(message_id, "sent", "2026-11-23 10:00:00"),
        ]
    )
    status, _, history = state(in_app, message_id)
    assert status == "clicked"
    assert {("delivered", "provider"), ("sent", "provider")} <= set(history)


def test_hard_bounce_is_a_problem_with_its_reason(post, in_app):
    message_id = make_message(in_app)
    info = {"delivery_status": "err_user_unknown", "destination_response": "550 no such user"}
    post([event(message_id, "hard_bounced", delivery_info=info)])
    status, error, _ = state(in_app, message_id)
    assert status == "hard_bounced" and "err_user_unknown" in error and "550" in error


def test_soft_bounce_after_delivery_is_only_recorded(post, in_app):
    message_id = make_message(in_app, status="delivered")
    post([event(message_id, "soft_bounced")])
    status, _, history = state(in_app, message_id)
    assert status == "delivered" and ("soft_bounced", "provider") in history


def _flip_one_byte(body: bytes) -> bytes:
    index = body.index(b"delivered")
    return body[:index] + b"D" + body[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, key: _flip_one_byte(body), id="one-byte-flipped"),
        pytest.param(lambda body, key: body.replace(b'"auth":"', b'"auth_":"'), id="auth-missing"),
        pytest.param(lambda body, key: None, id="other-key"),
        pytest.param(lambda body, key: b"not json at all", id="not-json"),
    ],
)
def test_bad_signatures_are_rejected_and_change_nothing(post, in_app, app, tamper):
    message_id = make_message(in_app)
    key = app.config["UNISENDERGO_API_KEY"]
    body = signed_body([event(message_id, "delivered")], key)
    tampered = tamper(body, key)
    if tampered is None:
        response = post([event(message_id, "delivered")], signing_key="some-other-api-key")
    else:
        response = post(None, body=tampered)
    assert response.status_code == 401
    status, _, history = state(in_app, message_id)
    assert status == "sent" and history == [("sent", "hub")]


def test_signature_over_the_raw_body_accepts_any_spacing(base_url, app, in_app):
    """The MAC is over the bytes as sent: a sender that pretty-prints is still verified."""
    message_id = make_message(in_app)
    key = app.config["UNISENDERGO_API_KEY"]
    payload = {"auth": key, "events_by_user": [{"events": [event(message_id, "delivered")]}]}
    unsigned = json.dumps(payload, indent=2).encode()
    auth = hashlib.md5(unsigned).hexdigest()
    body = unsigned.replace(f'"auth": "{key}"'.encode(), f'"auth": "{auth}"'.encode())
    response = requests.post(base_url + PATH, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert state(in_app, message_id)[0] == "delivered"


def test_unknown_messages_and_event_kinds_are_counted_not_fatal(post, in_app):
    spam_block = {"event_name": "transactional_spam_block", "event_data": {"domain": "mail.ru"}}
    response = post([event(999_999_999, "delivered"), spam_block, event(1, "weird_status")])
    assert response.status_code == 200
    assert response.json()["unknown_message"] == 1 and response.json()["ignored"] == 2


def test_wrong_structure_is_a_400(post, app):
    key = app.config["UNISENDERGO_API_KEY"]
    payload = {"auth": key, "events": []}
    unsigned = json.dumps(payload, separators=(",", ":")).encode()
    payload["auth"] = hashlib.md5(unsigned).hexdigest()
    response = post(None, body=json.dumps(payload, separators=(",", ":")).encode())
    assert response.status_code == 400


def test_registration_probe_get_is_answered(base_url):
    assert requests.get(base_url + PATH).status_code == 200
