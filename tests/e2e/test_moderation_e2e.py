"""ФТ-024/026 as a moderator sees it: an Event from Bitrix in the queue, rejected with a reason,
the creator's letter in the sandbox inbox and Bitrix told."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e


def test_a_moderator_rejects_an_event_and_the_creator_is_told(page: Page, hub, partner_api, artifacts):
    creator = unique_email("e2ecreator")
    event_id = re.sub(r"\D", "", creator)[:9] or "424242"
    response = partner_api.post(
        f"{hub.base_url}/api/v1/events/moderation-notice",
        json={
            "event_id": event_id,
            "event_name": "Праздник для подопечных",
            "event_creator_email": creator,
            "event_description": "Подарки и сладости к Новому году для 30 детей.",
            "images_count": 0,
            "target_amount": 45000,
            "event_date_from": "",
            "event_date_to": "2026-12-25",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text

    sign_in(page, "e2e_moderator", PASSWORD)
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    expect(page.locator(".mainnav")).not_to_contain_text("Сообщения")  # nothing else of the portal
    row = page.locator("#queue-table tbody tr").filter(has_text="Праздник для подопечных")
    expect(row).to_have_count(1)
    page.screenshot(path=artifacts / "e2e-moderation-queue.png", full_page=True)
    row.get_by_role("link", name="Праздник для подопечных").click()
    expect(page.locator("h1")).to_contain_text("Праздник для подопечных")
    expect(page.locator(".description")).to_have_text("Подарки и сладости к Новому году для 30 детей.")
    page.fill("#rejection_reason", "Добавьте, пожалуйста, хотя бы одну фотографию.")
    page.screenshot(path=artifacts / "e2e-moderation-event.png", full_page=True)
    page.get_by_role("button", name="Отклонить").click()
    expect(page.locator(".flash-success")).to_contain_text("Событие отклонено")
    expect(page.locator("#queue-table")).not_to_contain_text("Праздник для подопечных")

    page.goto(f"/moderation/{event_id}")
    expect(page.locator("h1 .badge")).to_have_text("Отклонено")

    def bitrix_told() -> bool:
        page.reload()
        return "Битрикс уведомлён" in page.locator("ol.timeline").inner_text()

    wait_until(bitrix_told, timeout=30, interval=0.3, what="Bitrix to be told of the rejection")
    page.screenshot(path=artifacts / "e2e-moderation-decided.png", full_page=True)

    # The creator's letter, as staff see it in the sandbox inbox.
    page.context.clear_cookies()
    sign_in(page, "e2e_admin", PASSWORD)
    page.goto(f"/sandbox/inbox?q={creator}")
    rows = page.locator("#inbox-table tbody tr")

    def arrived() -> bool:
        page.reload()
        return "не прошло модерацию" in rows.all_inner_texts().__str__()

    wait_until(arrived, timeout=30, interval=0.3, what="the rejection letter in the sandbox inbox")
    rows.filter(has_text="не прошло модерацию").get_by_role("link").click()
    expect(page.frame_locator("iframe.letter").locator("body")).to_contain_text("хотя бы одну фотографию")
