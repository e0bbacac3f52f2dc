"""НФТ-5.2 as an administrator sees it: a UnisenderGo outage in the sandbox raises an alert in the
header and on the monitoring page; once the outage is over and the worker's rules run again, it
clears by itself."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e
SANDBOX_KEY = {"X-API-KEY": "sandbox-unisendergo-key"}  # the hub's sandbox UnisenderGo key
ALERT = "UnisenderGo не отвечает"


def test_a_provider_outage_raises_an_alert_that_clears_after_it(page: Page, hub, partner_api, artifacts):
    faults = f"{hub.base_url}/sandbox/control/faults"
    outage = requests.post(
        faults, json={"provider": "unisendergo", "mode": "error_503", "count": 1000}, headers=SANDBOX_KEY
    )
    assert outage.status_code == 200, outage.text
    try:
        response = partner_api.post(
            f"{hub.base_url}/api/v1/emails/send",
            json={
                "kind": "registration",
                "user_email": unique_email("e2eoutage"),
                "user_name": "Ольга",
                "agree_newsletter": False,
                "registration_date": "2026-11-20",
            },
            timeout=10,
        )
        assert response.status_code == 202, response.text

        sign_in(page, "e2e_admin", PASSWORD)
        expect(page).not_to_have_url(re.compile(r"/login"))
        page.goto("/monitoring/")
        header = page.locator("#header-alerts")

        def alert_shown() -> bool:  # each web process remembers the header's alerts a few seconds
            page.reload()
            return header.count() == 1 and ALERT in header.inner_text()

        # The worker retries the letter, the circuit opens, the worker's periodic rules raise the alert.
        wait_until(alert_shown, timeout=60, interval=1, what="the outage alert in the header")
        row = page.locator("#active-alerts tr", has_text=ALERT)
        expect(row).to_have_count(1)
        expect(row.locator(".badge")).to_have_text("Критично")
        expect(page.locator('#services tr[data-service="unisendergo"] .badge')).to_have_text(
            re.compile("Цепь разомкнута|Недоступен")
        )
        page.screenshot(path=artifacts / "e2e-monitoring-alert.png", full_page=True)
        page.goto("/messages")
        wait_until(alert_shown, timeout=15, interval=0.5, what="the alert in the header of another page")
        expect(page.locator("h1")).to_have_text("Сообщения")  # on every page
    finally:
        requests.delete(faults, headers=SANDBOX_KEY)

    # The outage is over: the letter's next attempt goes through, the circuit closes, and the next
    # round of the rules resolves the alert. The monitoring page refreshes itself meanwhile.
    page.goto("/monitoring/")
    # Resolved: in the history (the page refreshes every 10 s, so wait for a refresh that shows it)
    # and no longer active.
    expect(page.locator("#alert-history")).to_contain_text(ALERT, timeout=90_000)
    expect(page.locator("#active-alerts tr", has_text=ALERT)).to_have_count(0)
    expect(page.locator('#services tr[data-service="unisendergo"] .badge')).to_have_text(
        re.compile("Работает|С перебоями")
    )

    def header_clear() -> bool:  # each web process remembers the header's alerts a few seconds
        page.reload()
        return page.locator("#header-alerts").count() == 0

    wait_until(header_clear, timeout=20, interval=0.5, what="the header to drop the alert")
    page.screenshot(path=artifacts / "e2e-monitoring-cleared.png", full_page=True)
