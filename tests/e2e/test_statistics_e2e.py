"""ФТ-013-017 as an administrator sees it: letters sent through the API show on the statistics page
(once the worker's rollup has counted them), in an SVG chart, and the CSV downloads."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique_email
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_registration_e2e import sign_in
from tests.stack import wait_until

pytestmark = pytest.mark.e2e


def test_an_admin_sees_the_letters_in_a_chart_and_downloads_the_csv(page: Page, hub, partner_api, artifacts):
    recipients = [unique_email("e2estats") for _ in range(3)]
    response = partner_api.post(
        f"{hub.base_url}/api/v1/email/send",
        json={
            "template_id": "registration",
            "recipients": recipients,
            "vars": {"user_name": "Ольга", "registration_date": "30 ноября 2026"},
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "e2e_admin", PASSWORD)
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Статистика").click()
    expect(page).to_have_url(re.compile(r"/statistics/"))
    expect(page.locator("h1")).to_have_text("Статистика")

    def counted() -> bool:  # the worker's rollup runs every second in the test set-up
        page.reload()
        row = page.locator("table.stats-table tbody tr").filter(has_text="Благодарность за регистрацию")
        return row.count() == 1 and int(row.locator("td.num").nth(2).inner_text().split()[0]) >= 3

    wait_until(counted, timeout=60, interval=0.5, what="the letters to be counted as delivered")
    chart = page.locator("svg#letters-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text("Письма по дням, по статусам")
    expect(chart.locator("rect.band-delivered").first).to_be_visible()
    expect(page.locator("[data-stat=letters]")).not_to_have_text("0")
    page.screenshot(path=artifacts / "e2e-statistics.png", full_page=True)

    page.get_by_role("link", name="7 дней").click()
    expect(page).to_have_url(re.compile(r"date_from=\d{4}-\d\d-\d\d&date_to=\d{4}-\d\d-\d\d"))
    expect(page.get_by_role("link", name="7 дней")).to_have_attribute("aria-current", "true")
    expect(page.locator("svg#letters-chart g.chart-bar")).to_have_count(7)

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать CSV: все письма").click()
    download = info.value
    name = download.suggested_filename
    assert re.fullmatch(r"statistics-messages-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv", name)
    content = open(download.path(), encoding="utf-8").read()
    assert content.startswith("\ufeffСообщение;Создано;Код шаблона;Шаблон;")
    for address in recipients:
        assert address in content
