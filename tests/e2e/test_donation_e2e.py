"""ФТ-005/007/008 as a donor and staff see it: paid on the sandbox page, completed in the portal,
thanked in the sandbox inbox; and a subscription charged from the sandbox page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e


def test_a_donation_paid_on_the_sandbox_page_is_completed_in_the_portal(
    page: Page, hub, partner_api, artifacts
):
    email = unique_email("e2edonor")
    response = partner_api.post(
        f"{hub.base_url}/api/v1/donations/process",
        json={"donor_email": email, "donor_amount": "2500", "event_name": "Школа в Тарусе", "event_id": 5},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    donation = response.json()

    # The donor: the payment link, a test card, «Оплатить».
    page.goto(donation["payment_url"])
    expect(page.locator("h1")).to_have_text("Оплата 2\xa0500\xa0₽")
    page.get_by_label(re.compile("4242 4242 4242 4242")).check()
    page.screenshot(path=artifacts / "e2e-payment-page.png", full_page=True)
    page.get_by_role("button", name="Оплатить").click()
    expect(page.locator(".flash-success")).to_contain_text("Оплата прошла")

    # Staff: the donation is completed in the portal.
    sign_in(page, "e2e_admin", PASSWORD)
    page.goto("/donations/")
    page.fill("#q", email)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    rows = page.locator("#donations-table tbody tr")
    expect(rows).to_have_count(1)

    def completed() -> bool:
        page.reload()
        return "Оплачено" in rows.first.inner_text()

    wait_until(completed, timeout=30, interval=0.3, what="the donation to show as paid")
    expect(rows.first).to_contain_text("2\xa0500\xa0₽")
    page.screenshot(path=artifacts / "e2e-donations.png", full_page=True)
    rows.first.get_by_role("link", name=email).click()
    expect(page.locator("h1 .badge")).to_have_text("Оплачено")
    expect(page.locator("section").filter(has_text="Уведомления CloudPayments")).to_contain_text(
        "оплачено, письмо donation_thanks_first"
    )
    page.screenshot(path=artifacts / "e2e-donation-detail.png", full_page=True)

    # The thank-you letter in the sandbox inbox.
    page.goto("/sandbox/inbox")
    page.fill("#q", email)
    inbox_rows = page.locator("#inbox-table tbody tr")

    def arrived() -> bool:
        page.reload()
        return inbox_rows.count() == 1

    wait_until(arrived, timeout=30, interval=0.3, what="the thank-you letter in the sandbox inbox")
    expect(inbox_rows.first).to_contain_text("Спасибо за ваше первое пожертвование!")
    inbox_rows.first.get_by_role("link").click()
    expect(page.frame_locator("iframe.letter").locator("body")).to_contain_text("2\xa0500\xa0₽")


def test_a_subscription_charged_from_the_sandbox_page_shows_in_the_portal(
    page: Page, hub, partner_api, artifacts
):
    email = unique_email("e2esub")
    response = partner_api.post(
        f"{hub.base_url}/api/v1/subscriptions/create",
        json={"recurrent_email": email, "recurrent_amount": 300, "frequency": "monthly"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    page.goto(response.json()["payment_url"])
    page.get_by_role("button", name="Оплатить").click()
    expect(page.locator(".flash-success")).to_contain_text("Оплата прошла")

    sign_in(page, "e2e_admin", PASSWORD)
    page.goto(f"/subscriptions/?q={email}")
    rows = page.locator("#subscriptions-table tbody tr")

    def active() -> bool:
        page.reload()
        return rows.count() == 1 and rows.first.locator(".badge").inner_text().strip() == "Действует"

    wait_until(active, timeout=30, interval=0.3, what="the subscription to become active")

    # The sandbox: a declined charge, as if the card ran dry.
    page.goto("/sandbox/cloudpayments/subscriptions")
    row = page.locator("tbody tr").filter(has_text=email)
    row.locator("select").select_option(value="5051")  # на карте недостаточно средств
    row.get_by_role("button", name="Списать сейчас").click()
    expect(page.locator(".flash")).to_contain_text("отклонено")
    page.screenshot(path=artifacts / "e2e-sandbox-subscriptions.png", full_page=True)

    page.goto(f"/subscriptions/?q={email}")
    wait_until(
        lambda: (
            (page.reload() or True)
            and rows.first.locator(".badge").inner_text().strip() == "Списание не прошло"
        ),
        timeout=30,
        interval=0.3,
        what="the failed charge to show",
    )
    rows.first.get_by_role("link", name=email).click()
    expect(page.locator("section").filter(has_text="Состояние")).to_contain_text(
        "на карте недостаточно средств"
    )
    expect(page.locator("section").filter(has_text="Письма")).to_contain_text("Регулярное списание не прошло")
    page.screenshot(path=artifacts / "e2e-subscription-detail.png", full_page=True)
