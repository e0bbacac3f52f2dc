"""Moderation in the portal (ФТ-025, ФТ-026): the queue, an Event's page, the decision."""

import re

import pytest

from portal.models import Event, Message
from tests.conftest import csrf_token_from, text_of, unique_email
from tests.events.test_moderation_api import bitrix_calls, notice


@pytest.fixture
def moderator(client, auth):
    response = auth.login("MODERATOR")
    assert response.status_code == 303 and response.headers["Location"].endswith("/moderation/")
    return client


def test_the_queue_shows_waiting_events_oldest_first_and_searches(api, moderator):
    tag = unique_email("queue").split("@")[0]
    made = [notice(api, event_name=f"Сбор {tag} {n}")[1]["event_id"] for n in range(3)]
    page = moderator.get(f"/moderation/?q={tag}").get_data(as_text=True)
    assert [re.search(rf"Сбор {tag} (\d)", row).group(1) for row in re.findall(rf"Сбор {tag} \d", page)] == [
        "0",
        "1",
        "2",
    ]
    assert "3 События" in text_of(page) and "Ждёт модерации" in text_of(page)
    fragment = moderator.get(f"/moderation/?q={made[1]}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in fragment and f"Сбор {tag} 1" in fragment and f"Сбор {tag} 0" not in fragment


def test_a_moderator_approves_from_the_event_page(api, drain, in_app, moderator, users):
    _, body = notice(api, event_description="Краски и кисти для 20 детей")
    page = moderator.get(f"/moderation/{body['event_id']}").get_data(as_text=True)
    assert "Краски и кисти для 20 детей" in page and body["event_creator_email"] in page
    assert "получено из Битрикса" in text_of(page)
    assert moderator.post(f"/moderation/{body['event_id']}/approve", data={}).status_code == 400  # no CSRF

    done = moderator.post(
        f"/moderation/{body['event_id']}/approve", data={"csrf_token": csrf_token_from(page), "comment": "ок"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/moderation/")
    assert "Событие одобрено" in text_of(moderator.get("/moderation/").get_data(as_text=True))
    drain()
    event = in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().status)
    assert event == "published" and len(bitrix_calls(in_app, body["event_id"])) == 1
    after = text_of(moderator.get(f"/moderation/{body['event_id']}").get_data(as_text=True))
    assert f"одобрено · {users['MODERATOR']}" in after and "Битрикс уведомлён" in after


def test_the_second_moderator_is_told_it_was_already_decided(api, auth, client, drain, in_app):
    _, body = notice(api)
    auth.login("ADMIN")
    page = client.get(f"/moderation/{body['event_id']}").get_data(as_text=True)  # opened, not decided yet
    assert (
        api.post(
            f"/api/v1/events/{body['event_id']}/reject", {"rejection_reason": "дубль"}, as_role="MODERATOR"
        ).status_code
        == 200
    )
    late = client.post(f"/moderation/{body['event_id']}/approve", data={"csrf_token": csrf_token_from(page)})
    assert late.status_code == 303 and late.headers["Location"].endswith(f"/moderation/{body['event_id']}")
    shown = text_of(client.get(late.headers["Location"]).get_data(as_text=True))
    assert "уже принял решение" in shown and "Отклонено" in shown
    drain()
    kinds = in_app(
        lambda: [
            m.kind
            for m in Message.query.filter_by(recipient=body["event_creator_email"]).order_by(Message.id)
        ]
    )
    assert kinds == ["event_on_moderation", "event_rejected"]


def test_rejecting_needs_a_reason(api, in_app, moderator):
    _, body = notice(api)
    page = moderator.get(f"/moderation/{body['event_id']}").get_data(as_text=True)
    token = csrf_token_from(page)
    empty = moderator.post(
        f"/moderation/{body['event_id']}/reject", data={"csrf_token": token, "rejection_reason": "  "}
    )
    assert empty.status_code == 303
    assert "Укажите причину" in text_of(moderator.get(empty.headers["Location"]).get_data(as_text=True))
    assert (
        in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().status) == "pending_moderation"
    )
    moderator.post(
        f"/moderation/{body['event_id']}/reject", data={"csrf_token": token, "rejection_reason": "Нет фото"}
    )
    assert (
        in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().rejection_reason) == "Нет фото"
    )


def test_an_event_changed_while_the_moderator_reads_it_is_not_decided_blind(api, in_app, moderator):
    _, body = notice(api, event_description="Старое описание")
    page = moderator.get(f"/moderation/{body['event_id']}").get_data(as_text=True)
    notice(
        api, event_id=body["event_id"], email=body["event_creator_email"], event_description="Новое описание"
    )
    stale = moderator.post(
        f"/moderation/{body['event_id']}/approve",
        data={
            "csrf_token": csrf_token_from(page),
            "seen": re.search(r'name="seen" value="([^"]+)"', page).group(1),
        },
    )
    assert stale.status_code == 303
    shown = moderator.get(stale.headers["Location"]).get_data(as_text=True)
    assert "Битрикс изменил это Событие" in text_of(shown) and "Новое описание" in shown
    assert (
        in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().status) == "pending_moderation"
    )
    fresh = re.search(r'name="seen" value="([^"]+)"', shown).group(1)
    moderator.post(
        f"/moderation/{body['event_id']}/approve", data={"csrf_token": csrf_token_from(shown), "seen": fresh}
    )
    assert in_app(lambda: Event.query.filter_by(event_id=body["event_id"]).one().status) == "published"
