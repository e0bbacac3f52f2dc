"""ФТ-024-026 over HTTP: Events arrive for moderation, are decided once, Bitrix is told."""

import uuid
from concurrent.futures import ThreadPoolExecutor

from portal.models import Event, EventHistory, Message, SandboxBitrixCall
from tests.conftest import unique_email


def notice(api, **extra):
    body = {
        "event_id": extra.pop("event_id", str(uuid.uuid4().int % 10**9)),
        "event_name": "День рождения Ани",
        "event_creator_email": extra.pop("email", unique_email("creator")),
        "event_description": "Собираем на краски для детского хосписа",
        "images_count": 3,
        "target_amount": 50000,
        "event_date_from": "",
        "event_date_to": "2026-12-31",
        **extra,
    }
    return api.post("/api/v1/events/moderation-notice", body), body


def letters(in_app, email):
    return in_app(
        lambda: [(m.kind, m.variables) for m in Message.query.filter_by(recipient=email).order_by(Message.id)]
    )


def bitrix_calls(in_app, event_id):
    def read():
        calls = SandboxBitrixCall.query.order_by(SandboxBitrixCall.id).all()
        return [(c.method, c.payload, c.answered) for c in calls if str(c.payload.get("id")) == event_id]

    return in_app(read)


def test_an_event_arrives_for_moderation_once_however_often_it_is_sent(api, in_app):
    response, body = notice(api)
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["status"] == "pending_moderation" and event["target_amount"] == "50000.00"
    assert event["event_date_from"] is None and event["event_date_to"] == "2026-12-31"
    [(kind, variables)] = letters(in_app, body["event_creator_email"])
    assert kind == "event_on_moderation" and variables == {
        "event_name": "День рождения Ани",
        "event_id": body["event_id"],
    }

    again, _ = notice(api, event_id=body["event_id"], email=body["event_creator_email"], event_name="ДР Ани")
    assert again.status_code == 200 and again.json()["outcome"] == "updated"
    assert in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).count()) == 1
    assert in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().name) == "ДР Ани"
    assert len(letters(in_app, body["event_creator_email"])) == 1


def test_bad_notices_are_refused_and_store_nothing(api, in_app):
    count = lambda: in_app(lambda: Event.query.count())  # noqa: E731
    before = count()
    cases = [
        ({"event_name": ""}, "event_name"),
        ({"event_creator_email": "nobody"}, "event_creator_email"),
        ({"images_count": -1}, "images_count"),
        ({"target_amount": 0}, "target_amount"),
        ({"event_date_from": "2026-12-31", "event_date_to": "2026-12-01"}, "event_date_to"),
        ({"event_date_to": "завтра"}, "event_date_to"),
        ({"moderator": "me"}, "moderator"),
        ({"event_id": None}, "event_id"),
    ]
    for extra, field in cases:
        response, _ = notice(api, **extra)
        assert response.status_code == 400, (extra, response.text)
        assert response.json()["field"] == field
    assert count() == before
    assert (
        api.post("/api/v1/events/moderation-notice", {"event_id": "1"}, as_role="MODERATOR").status_code
        == 403
    )


def test_moderators_list_the_queue_oldest_first(api):
    made = [notice(api)[1]["event_id"] for _ in range(3)]
    page = api.get("/api/v1/events?status=pending_moderation&limit=100", as_role="MODERATOR").json()
    ours = [e["event_id"] for e in page["items"] if e["event_id"] in made]
    assert ours == made and page["total"] >= 3 and page["limit"] == 100
    assert api.get("/api/v1/events?status=whatever", as_role="MODERATOR").status_code == 400
    assert api.get("/api/v1/events?limit=500", as_role="MODERATOR").status_code == 400
    assert api.get("/api/v1/events", as_role="PARTNER").status_code == 403
    detail = api.get(f"/api/v1/events/{made[0]}", as_role="MODERATOR").json()
    assert detail["history"][0]["action"] == "received"
    assert api.get("/api/v1/events/nope-404", as_role="MODERATOR").status_code == 404


def test_approval_publishes_tells_bitrix_and_the_creator_once(api, drain, in_app, users):
    _, body = notice(api)
    event_id, email = body["event_id"], body["event_creator_email"]
    response = api.post(f"/api/v1/events/{event_id}/approve", {"comment": "Всё отлично"}, as_role="MODERATOR")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published" and response.json()["bitrix"]["state"] == "pending"
    drain()
    kinds = letters(in_app, email)
    assert kinds[-1] == (
        "event_approved",
        {"event_name": "День рождения Ани", "event_url": f"https://mayak.example/events/{event_id}"},
    )
    [(method, payload, answered)] = bitrix_calls(in_app, event_id)
    assert method == "crm.item.update" and answered == 200 and payload["entityTypeId"] == 1040
    assert payload["fields"]["ufCrmStatus"] == "published" and payload["fields"]["ufCrmUpdatedAt"]
    detail = api.get(f"/api/v1/events/{event_id}", as_role="ADMIN").json()
    assert detail["bitrix"]["state"] == "sent" and detail["decided_by"] == users["MODERATOR"]
    assert [h["action"] for h in detail["history"]] == ["received", "approved", "bitrix_sent"]
    assert (
        detail["history"][1]["by"] == users["MODERATOR"] and detail["history"][1]["detail"] == "Всё отлично"
    )

    for decision, data in (("approve", {}), ("reject", {"rejection_reason": "поздно"})):
        late = api.post(f"/api/v1/events/{event_id}/{decision}", data, as_role="ADMIN")
        assert late.status_code == 409 and "уже рассмотрено" in late.json()["message"]
    drain()
    assert len(bitrix_calls(in_app, event_id)) == 1 and len(letters(in_app, email)) == 2


def test_rejection_needs_a_reason_and_a_resubmitted_event_waits_again(api, drain, in_app):
    _, body = notice(api)
    event_id, email = body["event_id"], body["event_creator_email"]
    refused = api.post(f"/api/v1/events/{event_id}/reject", {}, as_role="MODERATOR")
    assert refused.status_code == 400 and refused.json()["field"] == "rejection_reason"
    response = api.post(
        f"/api/v1/events/{event_id}/reject", {"rejection_reason": "Нет фотографий"}, as_role="MODERATOR"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    drain()
    assert letters(in_app, email)[-1] == (
        "event_rejected",
        {"event_name": "День рождения Ани", "rejection_reason": "Нет фотографий"},
    )
    [(_, payload, _)] = bitrix_calls(in_app, event_id)
    assert (
        payload["fields"]["ufCrmStatus"] == "rejected"
        and payload["fields"]["ufCrmRejectionReason"] == "Нет фотографий"
    )

    again, _ = notice(api, event_id=event_id, email=email)
    assert again.json()["outcome"] == "resubmitted" and again.json()["status"] == "pending_moderation"
    assert [kind for kind, _ in letters(in_app, email)] == [
        "event_on_moderation",
        "event_rejected",
        "event_on_moderation",
    ]


def test_two_moderators_at_once_make_one_decision(api, drain, in_app):
    _, body = notice(api)
    event_id, email = body["event_id"], body["event_creator_email"]

    def decide(role):
        return api.post(f"/api/v1/events/{event_id}/approve", {}, as_role=role).status_code

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(decide, ["MODERATOR", "ADMIN"] * 3))
    assert answers == [200, 409, 409, 409, 409, 409]
    drain()
    assert [kind for kind, _ in letters(in_app, email)].count("event_approved") == 1
    assert len(bitrix_calls(in_app, event_id)) == 1
    decisions = in_app(
        lambda: (
            EventHistory.query.join(Event, Event.id == EventHistory.event_pk)
            .filter(Event.event_id == event_id, EventHistory.action == "approved")
            .count()
        )
    )
    assert decisions == 1


def test_bitrix_down_is_retried_until_it_answers_and_a_refusal_is_shown(api, drain, fault, in_app):
    _, body = notice(api)
    fault("error_503", 2, provider="bitrix")
    api.post(f"/api/v1/events/{body['event_id']}/approve", {}, as_role="MODERATOR")
    drain()
    state = api.get(f"/api/v1/events/{body['event_id']}", as_role="MODERATOR").json()["bitrix"]
    assert state["state"] == "sent" and state["attempts"] == 3 and state["last_error"] is None
    assert [answered for _, _, answered in bitrix_calls(in_app, body["event_id"])] == [200]

    _, other = notice(api)
    fault("reject_400", 1, provider="bitrix")
    api.post(f"/api/v1/events/{other['event_id']}/reject", {"rejection_reason": "дубль"}, as_role="MODERATOR")
    drain()
    state = api.get(f"/api/v1/events/{other['event_id']}", as_role="MODERATOR").json()["bitrix"]
    assert state["state"] == "failed" and "HTTP 400" in state["last_error"]


def test_a_callback_owed_reports_the_decision_made_whatever_happens_next(
    api, drain, fault, in_app, redis_conn
):
    """Bitrix is down when the decisions are made: an approval still goes out as an approval
    after the Event is closed; a rejection is dropped once Bitrix sends the Event again."""
    _, approved = notice(api)
    _, rejected = notice(api)
    fault("error_503", 1000, provider="bitrix")
    api.post(f"/api/v1/events/{approved['event_id']}/approve", {}, as_role="MODERATOR")
    api.post(
        f"/api/v1/events/{rejected['event_id']}/reject",
        {"rejection_reason": "мало фото"},
        as_role="MODERATOR",
    )
    closing = {
        "event_id": approved["event_id"],
        "total_amount": 100,
        "event_creator_email": approved["event_creator_email"],
        "event_name": "День рождения Ани",
        "closed_at": "2026-12-31",
    }
    assert api.post("/api/v1/events/closed", closing).status_code == 202
    again, _ = notice(api, event_id=rejected["event_id"], email=rejected["event_creator_email"])
    assert again.json()["outcome"] == "resubmitted" and again.json()["bitrix"]["state"] is None
    redis_conn.delete(
        *redis_conn.keys("sandbox:fault:*"), *redis_conn.keys("mayak:circuit:*")
    )  # Bitrix is back
    drain(
        until=lambda: (
            api.get(f"/api/v1/events/{approved['event_id']}", as_role="ADMIN").json()["bitrix"]["state"]
            == "sent"
        )
    )
    [(_, payload, _)] = [c for c in bitrix_calls(in_app, approved["event_id"]) if c[2] == 200]
    assert payload["fields"]["ufCrmStatus"] == "published"
    assert [c for c in bitrix_calls(in_app, rejected["event_id"]) if c[2] == 200] == []


def test_a_waiting_first_event_reminder_is_cancelled_when_the_user_creates_an_event(api, drain, in_app):
    email = unique_email("soonevent")
    later = api.post(
        "/api/v1/emails/send",
        {
            "kind": "event_reminder",
            "user_email": email,
            "registration_date": "2026-11-22",
            "send_at": "2027-06-01T10:00:00+03:00",
        },
    )
    assert later.status_code == 202, later.text
    notice(api, email=email)

    def statuses():
        return in_app(lambda: {m.kind: m.status for m in Message.query.filter_by(recipient=email)})

    # (the reminder's dispatch job stays scheduled for its date: wait for the notice's letter only)
    drain(until=lambda: statuses().get("event_on_moderation") == "delivered")
    assert statuses() == {"event_reminder": "cancelled", "event_on_moderation": "delivered"}
