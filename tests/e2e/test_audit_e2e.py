"""Seed 002 as an administrator sees it: a partner's calls in the audit, a quota set in the portal
that the partner's next call runs into, and the refusal in the audit."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e


def _subscribe(hub, partner_api):
    """An EMAIL/OPERATION call that sends no letter (the sandbox inbox stays as other tests expect)."""
    return partner_api.post(
        f"{hub.base_url}/api/v1/email/subscribers",
        json={"user_email": unique_email("e2eaudit"), "list_id": "1", "source": "registration"},
        timeout=10,
    )


@pytest.fixture(scope="module")
def quota_partner(hub):
    """A partner of this test's own: the quota set here must not limit the other tests' partner."""
    hub.create_user("e2e_quota_partner", "PARTNER", PASSWORD)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {hub.token('e2e_quota_partner', PASSWORD)}"
    return session


def test_an_admin_sets_a_quota_and_finds_the_refused_call_in_the_audit(
    page: Page, hub, quota_partner, artifacts
):
    partner_api = quota_partner
    assert _subscribe(hub, partner_api).status_code == 202

    sign_in(page, "e2e_admin", PASSWORD)
    page.get_by_text("Администрирование").click()  # the menu of administration pages
    page.get_by_role("link", name="Аудит").click()
    expect(page.locator("h1")).to_have_text("Аудит действий")
    page.fill("input[name=username]", "e2e_quota_partner")
    row = page.locator("#audit-table tbody tr").filter(has_text="email_subscribers").first
    expect(row).to_contain_text("выполнено")
    expect(page).to_have_url(re.compile(r"username=e2e_quota_partner"))

    page.get_by_role("link", name="Квоты").click()
    page.select_option("select[name=username]", "e2e_quota_partner")
    page.select_option("select[name=service]", "EMAIL")
    page.select_option("select[name=process_type]", "OPERATION")
    page.fill("input[name=points_per_request]", "2")
    page.get_by_role("button", name="Сохранить квоту").click()
    expect(page.locator(".flash-success")).to_contain_text("e2e_quota_partner")
    page.screenshot(path=artifacts / "e2e-audit-quotas.png", full_page=True)

    # The web process re-reads a partner's quotas within 10 s; until then this call, naming no
    # template, is a 404 that queues nothing (the quota is checked before the call is read).
    def refused():
        answer = partner_api.post(
            f"{hub.base_url}/api/v1/email/send",
            json={"template_id": "no_such_template", "recipients": ["a@example.org"] * 3},
            timeout=10,
        )
        return [answer.json()["message"]] if answer.status_code == 429 else None  # a 429 Response is falsy

    [message] = wait_until(refused, timeout=20, interval=0.5, what="the new quota to apply")
    assert "points_per_request" in message

    # each gunicorn worker writes its audit rows every 0.2 s: the refusal may be on its way
    def listed() -> bool:
        page.goto("/audit/?username=e2e_quota_partner&status=QUOTA_EXCEEDED")
        return page.locator("#audit-table tbody tr").count() > 0

    wait_until(listed, timeout=10, interval=0.3, what="the refused call in the audit")
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("квота исчерпана")
    expect(page.locator("#audit-table")).to_contain_text("лимит 2")
    page.screenshot(path=artifacts / "e2e-audit-refused.png", full_page=True)
