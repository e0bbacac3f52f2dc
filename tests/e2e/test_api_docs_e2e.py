"""The API reference as a moderator sees it: Swagger UI served from the hub itself, under the
hub's Content-Security-Policy, rendering the operations and calling one."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in

pytestmark = pytest.mark.e2e
SWAGGER_LOAD = 30_000  # ms: a 1.7 MB bundle to parse on a shared two-core machine


def test_a_moderator_browses_the_api_reference(page: Page, hub, artifacts):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside = []  # no CDN, no online validator: every request goes to the hub itself
    page.on("request", lambda r: None if r.url.startswith((hub.base_url, "data:")) else outside.append(r.url))

    sign_in(page, "e2e_moderator", PASSWORD)
    page.locator(".userbox").get_by_role("link", name="API").click()  # beside the account, not a section
    expect(page).to_have_url(re.compile(r"/api-docs$"))
    expect(page.locator(".page-head h1")).to_have_text("Документация API", timeout=SWAGGER_LOAD)

    approve = page.locator("#operations-events-eventsApprove")
    expect(approve).to_contain_text("/api/v1/events/{event_id}/approve", timeout=SWAGGER_LOAD)
    expect(approve).to_contain_text("Одобрить Событие")
    approve.locator(".opblock-summary").click()
    expect(approve).to_contain_text("MODERATOR, ADMIN")
    expect(approve.locator(".parameters")).to_contain_text("event_id")
    page.screenshot(path=artifacts / "e2e-api-docs.png", full_page=False)
    for area, operation, path in (
        ("templates", "templatesUpdate", "/api/v1/templates/{template_id}"),
        ("retry", "retrySend", "/api/v1/retry/send"),
        ("statistics", "statisticsExportCsv", "/api/v1/statistics/export/csv"),
        ("users", "usersToken", "/api/v1/users/{username}/tokens"),
    ):
        expect(page.locator(f"#operations-{area}-{operation}")).to_contain_text(path)

    version = page.locator("#operations-system-version")
    version.locator(".opblock-summary").click()
    version.get_by_role("button", name="Try it out").click()
    version.get_by_role("button", name="Execute").click()
    expect(version.locator(".live-responses-table")).to_contain_text('"major": 1', timeout=15_000)

    assert problems == []
    assert outside == []
