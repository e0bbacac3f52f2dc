"""ФТ-021 and ФТ-023: reminder letters now, later (through the RQ scheduler), or not at all."""

import time
from datetime import UTC, datetime, timedelta

from rq import Queue

from portal.models import Message, SandboxEmail
from tests.conftest import unique_email


def remind(api, **body):
    return api.post("/api/v1/emails/send", body)


def letters(in_app, email):
    return in_app(lambda: [(m.kind, m.variables, m.status) for m in Message.query.filter_by(recipient=email)])


def test_a_week_after_registration_a_user_without_an_event_is_reminded(api, drain, in_app):
    email = unique_email("week")
    response = remind(
        api,
        kind="event_reminder",
        user_id=17,
        user_email=email,
        user_name="Оля",
        registration_date="2026-11-22",
    )
    assert response.status_code == 202, response.text
    drain()
    [(kind, variables, status)] = letters(in_app, email)
    assert kind == "event_reminder" and variables == {"user_name": "Оля"} and status == "delivered"
    subject = in_app(lambda: SandboxEmail.query.filter_by(email=email).one().subject)
    assert subject == "Создайте своё первое Событие на «Маяке»"


def test_a_user_who_has_an_event_gets_no_reminder(api, drain, in_app):
    email = unique_email("hasevent")
    response = remind(
        api, kind="event_reminder", user_email=email, registration_date="2026-11-22", event_exists=True
    )
    assert response.status_code == 200 and response.json()["skipped"] == "event_exists"
    assert response.json()["messages"] == []
    drain()
    assert letters(in_app, email) == []


def test_the_birthday_reminder_names_the_day(api, drain, in_app):
    email = unique_email("birthday")
    response = remind(
        api,
        kind="birthday_reminder",
        user_id="u-5",
        user_email=email,
        user_name="Пётр",
        birth_date="1990-12-05",
    )
    assert response.status_code == 202, response.text
    drain()
    [(kind, variables, _)] = letters(in_app, email)
    assert kind == "birthday_reminder" and variables == {"user_name": "Пётр", "birth_date": "5 декабря"}
    html = in_app(lambda: SandboxEmail.query.filter_by(email=email).one().html)
    assert "Здравствуйте, Пётр!" in html and "5 декабря" in html


def test_a_reminder_for_later_waits_for_its_time_in_the_scheduler(api, drain, in_app, redis_conn):
    email = unique_email("later")
    send_at = datetime.now(UTC) + timedelta(seconds=3)
    response = remind(
        api,
        kind="birthday_reminder",
        user_email=email,
        user_name="Ира",
        birth_date="1995-12-10",
        send_at=send_at.isoformat(),
    )
    assert response.status_code == 202, response.text
    queue = Queue("mayak", connection=redis_conn)
    assert queue.scheduled_job_registry.count >= 1  # the dispatcher is woken at its time
    [(_, _, status)] = letters(in_app, email)
    assert status == "queued"
    drain(until=lambda: letters(in_app, email)[0][2] == "delivered", timeout=30)
    assert datetime.now(UTC) >= send_at - timedelta(seconds=1)  # the scheduler works in whole seconds


def test_bad_reminders_are_refused_and_store_nothing(api, in_app):
    email = unique_email("badreminder")
    future = (datetime.now(UTC) + timedelta(days=500)).isoformat()
    cases = [
        ({"kind": "event_reminder", "user_email": email}, "registration_date"),
        ({"kind": "event_reminder", "user_email": "x", "registration_date": "2026-11-22"}, "user_email"),
        (
            {
                "kind": "event_reminder",
                "user_email": email,
                "registration_date": "2026-11-22",
                "user_id": True,
            },
            "user_id",
        ),
        (
            {"kind": "birthday_reminder", "user_email": email, "user_name": "А", "birth_date": "2999-01-01"},
            "birth_date",
        ),
        ({"kind": "birthday_reminder", "user_email": email, "birth_date": "1990-01-01"}, "user_name"),
        (
            {
                "kind": "birthday_reminder",
                "user_email": email,
                "user_name": "А",
                "birth_date": "1990-01-01",
                "send_at": future,
            },
            "send_at",
        ),
    ]
    for body, field in cases:
        response = remind(api, **body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["field"] == field
    time.sleep(0.1)
    assert letters(in_app, email) == []
