"""ФТ-022 end to end: Bitrix calls the trigger, the letter reaches 'delivered'."""

from datetime import UTC, datetime

from portal.extensions import db
from portal.models import ContactSubscription, Message, SandboxEmail, SandboxSubscriber, User
from tests.conftest import unique_email


def registration(email: str, agree: bool = True, name: str = "Мария") -> dict:
    return {
        "kind": "registration",
        "user_email": email,
        "user_name": name,
        "agree_newsletter": agree,
        "registration_date": "2026-11-20",
    }


def test_registration_letter_is_delivered_and_contact_subscribed(api, drain, in_app, app):
    email = unique_email("reg")
    response = api.post("/api/v1/emails/send", registration(email))
    assert response.status_code == 202, response.text
    body = response.json()
    [message] = body["messages"]
    assert message["status"] == "queued" and message["recipient"] == email
    assert message["template"] == "registration"
    [subscription] = body["subscriptions"]
    assert subscription["source"] == "registration"

    drain()

    status = api.get(f"/api/v1/messages/{message['id']}").json()
    assert status["status"] == "delivered"
    assert [h["status"] for h in status["history"]][:2] == ["queued", "sent"]
    assert "delivered" in [h["status"] for h in status["history"] if h["source"] == "provider"]

    def recorded():
        letter = SandboxEmail.query.filter_by(email=email).one()
        person = SandboxSubscriber.query.filter_by(email=email).one()
        sub = ContactSubscription.query.filter_by(email=email).one()
        return letter.subject, letter.html, letter.meta, person.list_id, person.tags, sub.status

    subject, html, meta, list_id, tags, sub_status = in_app(recorded)
    assert subject == "Мария, спасибо за регистрацию в «Маяке»"
    assert "Здравствуйте, Мария!" in html and "20 ноября 2026" in html
    assert meta == {"message_id": str(message["id"])}
    assert list_id == app.config["UNISENDER_LIST_ID"] and tags == "registration"
    assert sub_status == "done"


def test_no_newsletter_consent_means_no_subscription(api, drain, in_app):
    email = unique_email("noconsent")
    response = api.post("/api/v1/emails/send", registration(email, agree=False))
    assert response.status_code == 202
    assert response.json()["subscriptions"] == []
    drain()
    assert in_app(lambda: SandboxSubscriber.query.filter_by(email=email).count()) == 0
    assert in_app(lambda: SandboxEmail.query.filter_by(email=email).count()) == 1


def test_a_lone_letter_is_stored_as_answered(api, in_app, users):
    """Without newsletter consent the letter is the whole write (on PostgreSQL a single INSERT)."""
    email = unique_email("lone")
    before = datetime.now(UTC)
    response = api.post("/api/v1/emails/send", registration(email, agree=False, name="Ольга"))
    after = datetime.now(UTC)
    assert response.status_code == 202
    [answered] = response.json()["messages"]
    stored = api.get(f"/api/v1/messages/{answered['id']}").json()
    assert stored["recipient"] == email and stored["template"] == "registration"
    assert stored["variables"] == {"user_name": "Ольга", "registration_date": "20 ноября 2026"}
    assert stored["created_at"] == answered["created_at"]
    assert before <= datetime.fromisoformat(stored["created_at"]) <= after

    def author():
        return db.session.get(User, Message.query.filter_by(recipient=email).one().created_by_id).username

    assert in_app(author) == users["PARTNER"]


def test_user_name_is_escaped_in_the_letter(api, drain, in_app):
    email = unique_email("xss")
    api.post("/api/v1/emails/send", registration(email, name="<script>alert(1)</script>"))
    drain()
    html = in_app(lambda: SandboxEmail.query.filter_by(email=email).one().html)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_invalid_trigger_writes_nothing(api, in_app):
    email = unique_email("bad")
    before = in_app(lambda: Message.query.count())
    cases = [
        ({**registration(email), "user_email": "not-an-email"}, "user_email"),
        ({**registration(email), "agree_newsletter": "yes"}, "agree_newsletter"),
        ({**registration(email), "registration_date": "20.11.2026"}, "registration_date"),
        ({**registration(email), "user_name": ""}, "user_name"),
        ({k: v for k, v in registration(email).items() if k != "user_name"}, "user_name"),
        ({**registration(email), "kind": "unknown"}, "kind"),
        ({**registration(email), "surprise": 1}, "surprise"),
    ]
    for payload, field in cases:
        response = api.post("/api/v1/emails/send", payload)
        assert response.status_code == 400, payload
        body = response.json()
        assert body["field"] == field and field in body["message"]
        assert body["tracedata"]["request_code"]
    assert in_app(lambda: Message.query.count()) == before
    assert in_app(lambda: ContactSubscription.query.filter_by(email=email).count()) == 0
