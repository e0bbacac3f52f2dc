"""ФТ-018 and ФТ-019 as an administrator sees them in Chromium: a template edited with its live
preview (and an unsafe one refused), failed letters resent with the outcome on the page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in

pytestmark = pytest.mark.e2e
OPERATOR = {"X-API-KEY": "sandbox-unisendergo-key"}  # the sandbox's default key in the hub under test


def test_an_admin_edits_a_template_with_a_live_preview(page: Page, hub, artifacts):
    sign_in(page, "e2e_admin", PASSWORD)
    page.goto("/templates/")
    page.get_by_role("link", name="Событие одобрено").click()
    expect(page.locator("#preview .letter-subject")).to_contain_text("День рождения Анны")

    page.fill("#subject", "Ура! «{{ event_name }}» опубликовано")
    expect(page.locator("#preview .letter-subject")).to_have_text(
        re.compile("Ура! «День рождения Анны» опубликовано")
    )
    page.screenshot(path=artifacts / "e2e-template-preview.png", full_page=True)

    page.fill("#body_text", "{{ event_name.__class__.__mro__ }}")
    expect(page.locator("#preview [role=alert]")).to_contain_text("служебному атрибуту «__class__»")
    page.get_by_role("button", name="Сохранить новой версией").click()
    expect(page.locator(".field-error").first).to_contain_text("запрещено")
    page.screenshot(path=artifacts / "e2e-template-refused.png", full_page=True)

    page.fill("#body_text", "Сбор «{{ event_name }}» опубликован: {{ event_url }}")
    page.fill("#note", "короче и радостнее")
    page.get_by_role("button", name="Сохранить новой версией").click()
    expect(page.locator(".flash-success")).to_contain_text("Сохранено как версия")
    expect(page.locator("#versions")).to_contain_text("короче и радостнее")

    page.locator("#versions").get_by_role("link", name="восстановить").first.click()
    page.get_by_role("button", name=re.compile("Восстановить версию")).click()
    expect(page.locator(".flash-success")).to_contain_text("восстановлена")
    expect(page.locator("#subject")).not_to_have_value(re.compile("Ура!"))


def test_an_admin_resends_failed_letters_and_sees_them_delivered(page: Page, hub, partner_api, artifacts):
    tag = unique_email("e2eretry").split("@")[0]
    hub_url = hub.base_url
    fault = partner_api.post(
        f"{hub_url}/sandbox/control/faults",
        json={"provider": "unisendergo", "mode": "reject_400", "count": 2},
        headers=OPERATOR,
        timeout=10,
    )
    assert fault.status_code == 200, fault.text
    for n in range(2):
        response = partner_api.post(
            f"{hub_url}/api/v1/emails/send",
            json={
                "kind": "registration",
                "user_email": f"{tag}-{n}@example.org",
                "user_name": "Ольга",
                "agree_newsletter": False,
                "registration_date": "2026-11-20",
            },
            timeout=10,
        )
        assert response.status_code == 202, response.text

    sign_in(page, "e2e_admin", PASSWORD)
    page.goto(f"/retry/?q={tag}")
    rows = page.locator("#retry-table tbody tr")
    for _ in range(60):  # the worker fails them within seconds
        if rows.count() == 2:
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("HTTP 400")
    # The provider is well again (one refused call may have carried both letters).
    cleared = partner_api.delete(f"{hub_url}/sandbox/control/faults", headers=OPERATOR, timeout=10)
    assert cleared.status_code == 200
    page.screenshot(path=artifacts / "e2e-retry-list.png", full_page=True)

    page.locator("input[data-select-all]").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.get_by_role("button", name="Переотправить отмеченные").click()
    expect(page.locator("#resend-run")).to_contain_text("Обработано 2 из 2: переотправлено 2, отказано 0")
    expect(page.locator("#resend-run tbody .badge").filter(has_text="Доставлено")).to_have_count(
        2, timeout=30_000
    )
    page.screenshot(path=artifacts / "e2e-retry-run.png", full_page=True)

    page.goto(f"/retry/?q={tag}")
    expect(page.locator("#retry-table .empty")).to_be_visible()
