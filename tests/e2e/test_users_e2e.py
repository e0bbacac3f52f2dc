"""Issue 5, item 7 as an administrator sees it: a partner account created in the portal, a token
issued for it with a chosen lifetime, the partner's system calling the API with that token, and
the token refused once the account is disabled."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e


def test_an_admin_creates_a_partner_and_its_token_works_until_disabled(page: Page, hub, artifacts):
    name = f"e2e_partner_{uuid.uuid4().hex[:8]}"
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "e2e_admin", PASSWORD)
    page.get_by_text("Администрирование").click()  # the menu of administration pages
    page.get_by_role("link", name="Пользователи").click()
    expect(page.locator("h1")).to_have_text("Пользователи")
    page.get_by_role("link", name="Новая учётная запись").click()

    page.fill("#username", name)
    page.check("input[name=roles][value=PARTNER]")
    page.fill("#company_key", "romashka")
    page.fill("#email", "it@romashka.example.org")
    page.fill("#specification", "ООО «Ромашка», интеграция")
    page.screenshot(path=artifacts / "e2e-users-new.png", full_page=True)
    page.get_by_role("button", name="Создать учётную запись").click()

    expect(page.locator(".flash-success")).to_contain_text(f"Учётная запись {name} создана")
    expect(page.locator(".shown-once h2")).to_have_text(f"Пароль {name}")
    password = page.locator("#secret").input_value()
    assert len(password) >= 10

    page.select_option("#ttl", "custom")
    page.fill("#ttl_seconds", "3600")
    page.get_by_role("button", name="Выдать токен").click()
    expect(page.locator(".shown-once h2")).to_have_text(f"Новый токен API для {name}")
    token = page.locator("#secret").input_value()
    page.screenshot(path=artifacts / "e2e-users-token.png", full_page=True)

    partner = requests.Session()
    partner.headers["Authorization"] = f"Bearer {token}"
    account = partner.get(f"{hub.base_url}/api/v1/account", timeout=10)
    assert account.status_code == 200 and account.json()["username"] == name
    assert account.json()["roles"] == ["PARTNER"] and account.json()["company_key"] == "romashka"
    signin = requests.post(
        f"{hub.base_url}/api/v1/auth/token", json={"username": name, "password": password}, timeout=10
    )
    assert signin.status_code == 200

    page.reload()
    expect(page.locator(".shown-once")).to_have_count(0)  # shown once, never again
    expect(page.locator("ol.timeline")).to_contain_text("выдан токен — ttl_seconds=3600")

    page.get_by_role("link", name="Отключить…").click()
    expect(page.locator("h1")).to_have_text(f"Отключить {name}?")
    page.screenshot(path=artifacts / "e2e-users-disable.png", full_page=True)
    page.get_by_role("button", name="Отключить").click()
    expect(page.locator(".flash-success")).to_contain_text("отключена")
    expect(page.locator("h1 .badge")).to_have_text("Отключена")

    # Each web process re-reads a token's account at most every 10 s (README, API).
    wait_until(
        lambda: partner.get(f"{hub.base_url}/api/v1/account", timeout=10).status_code == 401,
        timeout=15,
        interval=0.5,
        what="the disabled partner's token to be refused",
    )
    page.goto(f"/users/?q={name}")
    row = page.locator("#users-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Отключена")
    page.get_by_label("Роль").select_option("PARTNER")
    expect(page).to_have_url(re.compile(r"role=PARTNER"))
    expect(row).to_contain_text(name)
    page.screenshot(path=artifacts / "e2e-users-list.png", full_page=True)
