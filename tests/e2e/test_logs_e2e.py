"""НФТ-5.1 as an administrator sees it: warnings logged by the running hub, found on the logs page
by level, component and text, one request's rows, and the filtered CSV downloaded."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in

pytestmark = pytest.mark.e2e


def forged_webhook(hub, request_id: str, invoice: str) -> None:
    """A notification without CloudPayments' signature: the hub refuses it and logs a warning."""
    response = requests.post(
        f"{hub.base_url}/webhooks/cloudpayments/fail",
        data={"InvoiceId": invoice, "Amount": "100"},
        headers={"X-Request-ID": request_id},
        timeout=10,
    )
    assert response.status_code == 401


def test_an_admin_filters_the_logs_and_downloads_them(page: Page, hub, artifacts):
    request_id = f"e2e-{uuid.uuid4().hex[:12]}"
    forged_webhook(hub, request_id, "invoice-" + "x" * 40)  # a longer body than the other one
    forged_webhook(hub, f"e2e-other-{uuid.uuid4().hex[:8]}", "invoice-1")

    sign_in(page, "e2e_admin", PASSWORD)
    page.get_by_text("Администрирование").click()  # the menu of administration pages
    page.get_by_role("link", name="Журнал").click()
    expect(page.locator("h1")).to_have_text("Журнал")

    page.select_option("select[name=level]", "WARNING")
    expect(page).to_have_url(re.compile(r"level=WARNING"))
    # The rows are written a moment after the request, by the web process's log writer.
    for _ in range(50):
        if "mayak.webhooks" in page.locator("select[name=component] option").all_inner_texts():
            break
        page.wait_for_timeout(200)
        page.reload()
    page.select_option("select[name=component]", "mayak.webhooks")
    expect(page).to_have_url(re.compile(r"component=mayak\.webhooks"))
    page.fill("#search_text", "fail notification")
    expect(page).to_have_url(re.compile(r"search_text=fail"))
    rows = page.locator("#logs-table tbody tr")
    mine = rows.filter(has=page.locator(f'a[title$="{request_id}"]'))
    expect(mine).to_have_count(1)
    expect(rows.first.locator(".badge")).to_have_text("Предупреждение")
    mine.locator("summary").click()
    expect(mine.locator(".log-context")).to_contain_text("kind")
    expect(mine.locator(".log-context")).to_contain_text("fail")
    page.screenshot(path=artifacts / "e2e-logs-filtered.png", full_page=True)

    page.reload()  # the filters live in the URL
    expect(page.locator("select[name=level]")).to_have_value("WARNING")
    expect(page.locator("#search_text")).to_have_value("fail notification")

    mine = page.locator("#logs-table tbody tr").filter(has=page.locator(f'a[title$="{request_id}"]'))
    mine.locator(f'a[title$="{request_id}"]').click()
    expect(page).to_have_url(re.compile(rf"request_id={request_id}"))
    expect(page.locator("#logs-table tbody tr")).to_have_count(1)
    expect(page.locator(".filter-chip")).to_contain_text(request_id)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать CSV").click()
    download = download_info.value
    assert download.suggested_filename == "logs.csv"
    content = open(download.path(), encoding="utf-8").read()
    assert content.startswith("\ufefftime;level;component;message;context;request_id;exception")
    lines = content.strip().splitlines()
    assert len(lines) == 2 and request_id in lines[1] and "mayak.webhooks" in lines[1]
