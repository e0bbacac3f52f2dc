"""ФТ-022 as staff see it: a registration letter followed in the portal and the sandbox inbox."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.stack import wait_until

pytestmark = pytest.mark.e2e

DELIVERED = "Доставлено"
QUEUED = "В очереди"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_admin_follows_a_registration_letter_to_the_sandbox_inbox(page: Page, hub, partner_api, artifacts):
    sign_in(page, "e2e_admin", PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.locator(".userbox")).to_contain_text("e2e_admin")

    email, name = unique_email("e2e"), "Анна"
    response = partner_api.post(
        f"{hub.base_url}/api/v1/emails/send",
        json={
            "kind": "registration",
            "user_email": email,
            "user_name": name,
            "agree_newsletter": False,
            "registration_date": "2026-11-20",
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text
    [message] = response.json()["messages"]

    # The message log: the search box narrows the table through htmx and keeps the filter in the URL.
    page.goto("/messages")
    page.fill("#q", email)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    rows = page.locator("#messages-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(email)

    def delivered_in_log() -> bool:
        page.reload()
        return rows.first.locator(".badge").inner_text().strip() == DELIVERED

    wait_until(
        delivered_in_log, timeout=30, interval=0.3, what=f"message {message['id']} to show as delivered"
    )
    expect(rows).to_have_count(1)
    page.screenshot(path=artifacts / "e2e-message-log.png", full_page=True)

    # The message detail: the status history from the queue to the provider's delivery event.
    rows.first.get_by_role("link", name=email).click()
    expect(page).to_have_url(re.compile(rf"/messages/{message['id']}$"))
    timeline = page.locator("ol.timeline li .badge")
    expect(timeline.first).to_have_text(QUEUED)
    expect(page.locator("ol.timeline li").filter(has_text=DELIVERED)).to_have_count(1)
    expect(page.locator("h1 .badge")).to_have_text(DELIVERED)
    page.screenshot(path=artifacts / "e2e-message-detail.png", full_page=True)

    # The sandbox inbox: the letter as the recipient would see it.
    page.goto("/sandbox/inbox")
    page.fill("#q", email)
    inbox_rows = page.locator("#inbox-table tbody tr")
    expect(inbox_rows).to_have_count(1)
    expect(inbox_rows.first).to_contain_text(email)
    inbox_rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/sandbox/inbox/\d+$"))
    expect(page.locator("dl.facts")).to_contain_text(email)
    expect(page.locator(f'dl.facts a[href="/messages/{message["id"]}"]')).to_be_visible()
    letter = page.frame_locator("iframe.letter").locator("body")
    expect(letter).to_contain_text(f"Здравствуйте, {name}!")
    page.screenshot(path=artifacts / "e2e-sandbox-letter.png", full_page=True)


def test_wrong_password_shows_the_error_and_stays_on_the_login_page(page: Page, hub):
    sign_in(page, "e2e_admin", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Неверное имя пользователя или пароль.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#password")).to_be_visible()
