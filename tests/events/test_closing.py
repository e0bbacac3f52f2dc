"""ФТ-003, ФТ-006, ФТ-027: closing an Event writes to its creator and to every donor, once."""

import uuid
from decimal import Decimal

from portal.extensions import db
from portal.models import Donation, Event, Message, SandboxEmail
from tests.conftest import unique_email
from tests.payments.cloudpayments import SUCCESS_CARD, pay


def close(api, event_id, total, email, **extra):
    body = {
        "event_id": event_id,
        "total_amount": total,
        "event_creator_email": email,
        "event_name": "Новогодний сбор",
        "closed_at": "2026-12-31T12:00:00+03:00",
        **extra,
    }
    return api.post("/api/v1/events/closed", body)


def donors(in_app, event_id, emails, status="completed"):
    def write():
        db.session.add_all(
            Donation(
                invoice_id=f"don-{uuid.uuid4().hex[:20]}",
                donor_email=email,
                amount=Decimal("100"),
                currency="RUB",
                event_id=event_id,
                status=status,
            )
            for email in emails
        )
        db.session.commit()

    in_app(write)


def sent(in_app, event_id, kind):
    def read():
        event = Event.query.filter_by(event_id=event_id).one()
        return sorted(
            (m.recipient, m.variables)
            for m in Message.query.filter_by(reference=f"event:{event.id}", kind=kind)
        )

    return in_app(read)


def test_closing_thanks_every_donor_once_and_tells_the_creator_the_total(api, drain, in_app):
    event_id, creator = f"close-{uuid.uuid4().hex[:8]}", unique_email("creator")
    paid = [unique_email("donor") for _ in range(3)]
    donors(in_app, event_id, paid + paid[:1])  # the first gave twice: one letter all the same
    donors(in_app, event_id, [unique_email("unpaid")], status="failed")  # never paid: no letter
    donors(in_app, "another-event", [unique_email("elsewhere")])
    # And one who paid through the real flow, on the sandbox page.
    real = unique_email("realdonor")
    made = api.post(
        "/api/v1/donations/process", {"donor_email": real, "donor_amount": 700, "event_id": event_id}
    ).json()
    pay(made["payment_url"], SUCCESS_CARD)
    drain()

    response = close(api, event_id, "12300.50", creator)
    assert response.status_code == 202, response.text
    assert response.json()["donor_letters"] == {"state": "running", "total": 4, "queued": 0}
    drain()
    [(to, variables)] = sent(in_app, event_id, "event_closed_creator")
    statuses = in_app(
        lambda: {m.status for m in Message.query.filter(Message.recipient.in_(paid + [creator]))}
    )
    assert statuses == {"delivered"}
    assert to == creator and variables == {
        "event_name": "Новогодний сбор",
        "total_amount": "12\xa0300,50\xa0₽",
    }
    letters = sent(in_app, event_id, "event_closed_donor")
    assert [to for to, _ in letters] == sorted(paid + [real])
    assert all(
        v == {"event_name": "Новогодний сбор", "total_amount": "12\xa0300,50\xa0₽"} for _, v in letters
    )
    subject = "Сбор «Новогодний сбор», который вы поддержали, завершён"
    inboxes = in_app(lambda: sorted(e.email for e in SandboxEmail.query.filter_by(subject=subject)))
    assert [e for e in inboxes if e in paid + [real]] == sorted(paid + [real])

    again = close(api, event_id, "12300.50", creator)
    assert again.status_code == 200 and again.json()["outcome"] == "already closed"
    drain()
    assert len(sent(in_app, event_id, "event_closed_donor")) == 4
    assert len(sent(in_app, event_id, "event_closed_creator")) == 1
    state = api.get(f"/api/v1/events/{event_id}", as_role="ADMIN").json()
    assert state["status"] == "closed" and state["donor_letters"] == {
        "state": "done",
        "total": 4,
        "queued": 4,
    }


def test_a_zero_total_sends_the_creator_the_other_letter(api, drain, in_app):
    event_id, creator = f"zero-{uuid.uuid4().hex[:8]}", unique_email("creator")
    assert close(api, event_id, 0, creator).status_code == 202
    drain()
    assert sent(in_app, event_id, "event_closed_creator") == []
    [(to, variables)] = sent(in_app, event_id, "event_closed_zero")
    assert to == creator and variables["total_amount"] == "0\xa0₽"
    assert sent(in_app, event_id, "event_closed_donor") == []


def test_the_donors_letters_are_written_in_chunks_and_resume_after_a_crash(api, app, drain, in_app):
    from portal.services import events

    event_id = f"chunks-{uuid.uuid4().hex[:8]}"
    emails = [f"d{n:03d}-{uuid.uuid4().hex[:6]}@example.org" for n in range(25)]
    donors(in_app, event_id, emails)
    saved = app.config["FANOUT_CHUNK_SIZE"]
    app.config["FANOUT_CHUNK_SIZE"] = 10
    try:
        assert close(api, event_id, 2500, unique_email("creator")).status_code == 202
        pk = in_app(lambda: Event.query.filter_by(event_id=event_id).one().id)

        def one_chunk_then_crash():
            assert events.fan_out_chunk(pk) is True
            db.session.commit()  # the first chunk is in; the worker dies before the next one

        in_app(one_chunk_then_crash)
        assert len(sent(in_app, event_id, "event_closed_donor")) == 10
        drain()  # the job queued by the close runs now, and takes over from the cursor
    finally:
        app.config["FANOUT_CHUNK_SIZE"] = saved
    letters = [to for to, _ in sent(in_app, event_id, "event_closed_donor")]
    assert letters == sorted(emails)  # each donor once, none skipped
    progress = in_app(lambda: events.fanout_progress(Event.query.filter_by(event_id=event_id).one()))
    assert progress["queued"] == progress["total"] == 25


def test_bad_closings_are_refused_and_change_nothing(api, in_app):
    event_id = f"bad-{uuid.uuid4().hex[:8]}"
    cases = [
        ({"total_amount": -1}, "total_amount"),
        ({"event_creator_email": "nobody"}, "event_creator_email"),
        ({"closed_at": "вчера"}, "closed_at"),
        ({"event_name": ""}, "event_name"),
        ({"extra": 1}, "extra"),
    ]
    for extra, field in cases:
        body = {"total_amount": 100, "event_creator_email": unique_email("c"), **extra}
        response = close(api, event_id, body.pop("total_amount"), body.pop("event_creator_email"), **body)
        assert response.status_code == 400, (extra, response.text)
        assert response.json()["field"] == field
    assert in_app(lambda: Event.query.filter_by(event_id=event_id).count()) == 0
