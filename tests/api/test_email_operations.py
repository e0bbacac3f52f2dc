"""The hub's universal operations and message reads: POST /email/send, /email/subscribers."""

import pytest
from markupsafe import escape

from portal.models import ContactSubscription, Message, SandboxEmail, SandboxSubscriber
from tests.conftest import unique_email

VARS = {"user_name": "Анна", "registration_date": "20 ноября 2026"}


def test_send_to_one_recipient_by_template_code(api, drain, in_app):
    email = unique_email("one")
    response = api.post(
        "/api/v1/email/send", {"template_id": "registration", "recipient_email": email, "vars": VARS}
    )
    assert response.status_code == 202
    [message] = response.json()["messages"]
    drain()
    assert api.get(f"/api/v1/messages/{message['id']}").json()["status"] == "delivered"
    assert "Здравствуйте, Анна!" in in_app(lambda: SandboxEmail.query.filter_by(email=email).one().html)


def test_send_by_numeric_template_id_with_per_recipient_vars(api, drain, in_app):
    template_id = api.get(f"/api/v1/messages/{_any_message(api)}", as_role="ADMIN").json()["template_id"]
    a, b = unique_email("a"), unique_email("b")
    body = {
        "template_id": template_id,
        "vars": {"registration_date": "1 декабря 2026"},
        "recipients": [
            {"email": a, "vars": {"user_name": "Пётр"}},
            {"email": b, "vars": {"user_name": "Ольга"}},
        ],
    }
    response = api.post("/api/v1/email/send", body)
    assert response.status_code == 202 and len(response.json()["messages"]) == 2
    drain()
    html_a = in_app(lambda: SandboxEmail.query.filter_by(email=a).one().html)
    html_b = in_app(lambda: SandboxEmail.query.filter_by(email=b).one().html)
    assert "Пётр" in html_a and "Ольга" in html_b and "1 декабря 2026" in html_a


def _any_message(api) -> int:
    email = unique_email("seed")
    return api.post(
        "/api/v1/email/send", {"template_id": "registration", "recipient_email": email, "vars": VARS}
    ).json()["messages"][0]["id"]


def test_identical_letters_go_out_in_one_multi_recipient_call(api, drain, in_app):
    recipients = [unique_email("fan") for _ in range(5)]
    response = api.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": recipients, "vars": VARS}
    )
    assert response.status_code == 202
    drain()
    job_ids = in_app(
        lambda: {e.job_id for e in SandboxEmail.query.filter(SandboxEmail.email.in_(recipients))}
    )
    assert len(job_ids) == 1
    assert in_app(lambda: SandboxEmail.query.filter(SandboxEmail.email.in_(recipients)).count()) == 5


def test_subject_and_body_overrides_are_rendered_with_the_vars(api, drain, in_app):
    email = unique_email("override")
    body = {
        "template_id": "registration",
        "recipient_email": email,
        "vars": VARS,
        "subject": "Особое письмо для {{ user_name }}",
        "body": "<p>Привет, {{ user_name }}!</p>",
    }
    assert api.post("/api/v1/email/send", body).status_code == 202
    drain()
    letter = in_app(
        lambda: (
            SandboxEmail.query.filter_by(email=email)
            .with_entities(SandboxEmail.subject, SandboxEmail.html)
            .one()
        )
    )
    assert tuple(letter) == ("Особое письмо для Анна", "<p>Привет, Анна!</p>")


def test_unsafe_override_fails_the_message_not_the_hub(api, drain):
    email = unique_email("ssti")
    body = {
        "template_id": "registration",
        "recipient_email": email,
        "vars": VARS,
        "body": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    }
    message_id = api.post("/api/v1/email/send", body).json()["messages"][0]["id"]
    drain()
    state = api.get(f"/api/v1/messages/{message_id}").json()
    assert state["status"] == "failed" and "недопустимое" in state["last_error"]


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"recipient_email": "x@example.org", "vars": VARS}, 400, "template_id"),
        ({"template_id": "nope", "recipient_email": "x@example.org", "vars": VARS}, 404, "template_id"),
        ({"template_id": "registration", "vars": VARS}, 400, "recipient_email"),
        (
            {
                "template_id": "registration",
                "recipient_email": "x@example.org",
                "recipients": ["y@example.org"],
            },
            400,
            "recipient_email",
        ),
        ({"template_id": "registration", "recipient_email": "bad", "vars": VARS}, 400, "recipient_email"),
        (
            {"template_id": "registration", "recipient_email": "x@example.org", "vars": {"user_name": "A"}},
            400,
            "vars",
        ),
        ({"template_id": "registration", "recipients": [], "vars": VARS}, 400, "recipients"),
        (
            {"template_id": "registration", "recipients": ["ok@example.org", "broken"], "vars": VARS},
            400,
            "recipients[1]",
        ),
        (
            {
                "template_id": "registration",
                "recipients": [{"email": "a@example.org", "vars": {"user_name": "A"}}],
            },
            400,
            "recipients[0].vars",
        ),
        (
            {
                "template_id": "registration",
                "recipient_email": "x@example.org",
                "vars": {"1bad": "x", **VARS},
            },
            400,
            "vars.1bad",
        ),
        (
            {"template_id": "registration", "recipient_email": "x@example.org", "vars": VARS, "cc": "y"},
            400,
            "cc",
        ),
    ],
)
def test_invalid_send_requests_write_nothing(api, in_app, body, status, field):
    before = in_app(lambda: Message.query.count())
    response = api.post("/api/v1/email/send", body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert in_app(lambda: Message.query.count()) == before


def test_too_many_recipients_are_refused(api):
    body = {
        "template_id": "registration",
        "recipients": [f"r{i}@example.org" for i in range(1001)],
        "vars": VARS,
    }
    response = api.post("/api/v1/email/send", body)
    assert response.status_code == 400 and response.json()["field"] == "recipients"


def test_subscriber_is_added_to_the_unisender_list(api, drain, in_app):
    email = unique_email("list")
    body = {
        "user_email": email,
        "list_id": 77,
        "source": "donation",
        "timestamp": "2026-11-23T10:00:00+03:00",
    }
    response = api.post("/api/v1/email/subscribers", body)
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["list_id"] == "77"
    drain()
    person = in_app(
        lambda: (
            SandboxSubscriber.query.filter_by(email=email)
            .with_entities(SandboxSubscriber.list_id, SandboxSubscriber.tags)
            .one()
        )
    )
    assert tuple(person) == ("77", "donation")
    assert in_app(lambda: ContactSubscription.query.filter_by(email=email).one().status) == "done"


def test_unisender_refusal_marks_the_subscription_failed(api, drain, in_app, fault):
    fault("reject_400", count=1, provider="unisender")
    email = unique_email("refused")
    api.post("/api/v1/email/subscribers", {"user_email": email, "list_id": "1", "source": "registration"})
    drain()
    status, error = in_app(
        lambda: (
            ContactSubscription.query.filter_by(email=email)
            .with_entities(ContactSubscription.status, ContactSubscription.last_error)
            .one()
        )
    )
    assert status == "failed" and "HTTP 400" in error


def test_unisender_outage_is_retried(api, drain, in_app, fault):
    fault("error_500", count=2, provider="unisender")
    email = unique_email("outage")
    api.post("/api/v1/email/subscribers", {"user_email": email, "list_id": "1", "source": "registration"})
    drain(
        until=lambda: in_app(lambda: ContactSubscription.query.filter_by(email=email).one().status) == "done"
    )
    assert in_app(lambda: ContactSubscription.query.filter_by(email=email).one().attempts) == 3


@pytest.mark.parametrize(
    "body, field",
    [
        ({"list_id": "1", "source": "registration"}, "user_email"),
        ({"user_email": "x@example.org", "source": "registration"}, "list_id"),
        ({"user_email": "x@example.org", "list_id": "1; drop", "source": "registration"}, "list_id"),
        ({"user_email": "x@example.org", "list_id": "1"}, "source"),
        (
            {"user_email": "x@example.org", "list_id": "1", "source": "registration", "timestamp": "вчера"},
            "timestamp",
        ),
    ],
)
def test_invalid_subscriber_requests_are_400(api, body, field):
    response = api.post("/api/v1/email/subscribers", body)
    assert response.status_code == 400 and response.json()["field"] == field


class TestWhoMayCall:
    def test_partners_read_only_their_own_messages(self, api):
        message_id = _any_message(api)
        assert api.get(f"/api/v1/messages/{message_id}", as_role="PARTNER").status_code == 200
        assert api.get(f"/api/v1/messages/{message_id}", as_role="PARTNER2").status_code == 404
        assert api.get(f"/api/v1/messages/{message_id}", as_role="ADMIN").status_code == 200
        assert api.get(f"/api/v1/messages/{message_id}", as_role="USER").status_code == 200
        assert api.get(f"/api/v1/messages/{message_id}", as_role="MODERATOR").status_code == 403

    @pytest.mark.parametrize("role", ["MODERATOR", "USER"])
    @pytest.mark.parametrize(
        "path", ["/api/v1/emails/send", "/api/v1/email/send", "/api/v1/email/subscribers"]
    )
    def test_staff_roles_cannot_trigger_sends(self, api, role, path):
        response = api.post(path, {}, as_role=role)
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "path", ["/api/v1/emails/send", "/api/v1/email/send", "/api/v1/email/subscribers"]
    )
    def test_missing_or_garbage_token_is_401(self, api, path):
        assert api.post(path, {}, as_role=None).status_code == 401
        garbage = api.post(path, {}, as_role=None, headers={"Authorization": "Bearer abc.def.ghi"})
        assert garbage.status_code == 401 and "токен" in garbage.json()["message"]

    def test_unknown_message_is_404_in_the_api_envelope(self, api):
        response = api.get("/api/v1/messages/987654321", as_role="ADMIN")
        assert response.status_code == 404 and "987654321" in response.json()["message"]
        assert "tracedata" in response.json()


def test_personalised_letters_share_one_call_through_substitutions(api, drain, in_app):
    names = ["Пётр", "Ольга", "Tom & <Jerry>", "Анна", "Иван"]
    recipients = [{"email": unique_email("subst"), "vars": {"user_name": n}} for n in names]
    date = {"registration_date": "2 декабря 2026"}
    body = {"template_id": "registration", "recipients": recipients, "vars": date}
    assert api.post("/api/v1/email/send", body).status_code == 202
    drain()
    emails = [r["email"] for r in recipients]

    def letters():
        rows = SandboxEmail.query.filter(SandboxEmail.email.in_(emails)).all()
        return {r.email: (r.job_id, r.subject, r.html, r.plaintext, r.substitutions) for r in rows}

    got = in_app(letters)
    assert len({job for job, *_ in got.values()}) == 1  # one provider call for five people
    for recipient, name in zip(recipients, names, strict=True):
        _, subject, html, text, substitutions = got[recipient["email"]]
        assert subject == f"{name}, спасибо за регистрацию в «Маяке»"
        assert f"Здравствуйте, {escape(name)}!" in html and f"Здравствуйте, {name}!" in text
        assert substitutions["v_user_name"] == name
    assert "<Jerry>" not in got[emails[2]][2]


def test_a_template_that_branches_on_a_value_sends_letters_apart(api, drain, in_app):
    recipients = [{"email": unique_email("branch"), "vars": {"user_name": n}} for n in ("Анна", "Борис")]
    body = {
        "template_id": "registration",
        "recipients": recipients,
        "vars": {"registration_date": "2 декабря 2026"},
        "body": (
            "{% if user_name == 'Анна' %}<p>Привет, Анна!</p>"
            "{% else %}<p>Здравствуйте, {{ user_name }}.</p>{% endif %}"
        ),
    }
    assert api.post("/api/v1/email/send", body).status_code == 202
    drain()
    rows = in_app(
        lambda: {
            e.email: (e.job_id, e.html)
            for e in SandboxEmail.query.filter(SandboxEmail.email.in_([r["email"] for r in recipients]))
        }
    )
    assert rows[recipients[0]["email"]][1] == "<p>Привет, Анна!</p>"
    assert rows[recipients[1]["email"]][1] == "<p>Здравствуйте, Борис.</p>"
    assert len({job for job, _ in rows.values()}) == 2
