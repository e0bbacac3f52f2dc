"""The logs page: filters in the URL, an HTMX fragment, paging, readable context, a request's rows,
and a CSV of what is shown; administrators only."""

from datetime import timedelta

import pytest

from tests.conftest import text_of
from tests.logs.conftest import add_log_rows


@pytest.fixture
def rows(app, component):
    add_log_rows(
        app,
        component,
        [
            {
                "ago": timedelta(minutes=9),
                "level": "INFO",
                "message": "letter handed over",
                "request_id": "q-2",
            },
            {
                "ago": timedelta(minutes=8),
                "level": "WARNING",
                "message": "provider slow",
                "request_id": "q-1",
            },
            {
                "ago": timedelta(minutes=7),
                "level": "ERROR",
                "message": "Bitrix refused the decision",
                "context": {"event_id": "4242", "reason": "HTTP 503"},
                "exception": "Traceback (most recent call last):\nRuntimeError: boom",
                "request_id": "q-1",
            },
        ],
    )
    return component


def test_the_page_shows_a_components_rows_with_level_badges_and_context(auth, client, rows):
    auth.login("ADMIN")
    page = client.get(f"/logs/?component={rows}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = text_of(html)
    assert "3 записи" in text
    assert "Bitrix refused the decision" in text and "provider slow" in text
    assert '<span class="badge tone-bad">Ошибка</span>' in html
    assert '<span class="badge tone-warn">Предупреждение</span>' in html
    assert "event_id 4242" in text and "reason HTTP 503" in text and "RuntimeError: boom" in text
    assert f'<option value="{rows}" selected>' in html  # the component select knows it
    assert f'href="/logs/export.csv?component={rows}"' in html
    assert "Журнал" in text  # the nav link, and the heading


def test_filters_come_from_the_url_and_htmx_gets_the_table_only(auth, client, rows):
    auth.login("ADMIN")
    fragment = client.get(f"/logs/?component={rows}&level=WARNING", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "HX-Request" in fragment.headers["Vary"]
    assert "provider slow" in html and "Bitrix refused" in html and "letter handed over" not in html
    assert f"/logs/export.csv?level=WARNING&amp;component={rows}" in html or (
        f"/logs/export.csv?component={rows}&amp;level=WARNING" in html
    )
    found = text_of(client.get(f"/logs/?component={rows}&search_text=refused").get_data(as_text=True))
    assert "1 запись" in found and "provider slow" not in found


def test_a_request_id_link_shows_every_row_of_that_request(auth, client, rows):
    auth.login("ADMIN")
    html = client.get(f"/logs/?component={rows}").get_data(as_text=True)
    assert 'href="/logs/?request_id=q-1"' in html
    page = client.get("/logs/?request_id=q-1").get_data(as_text=True)
    assert "provider slow" in page and "Bitrix refused" in page and "letter handed over" not in page
    assert 'name="request_id" value="q-1"' in page  # kept while other filters change


def test_paging_fifty_rows_a_page(app, auth, client, component):
    add_log_rows(
        app, component, [{"ago": timedelta(seconds=i), "message": f"row {i:02d}"} for i in range(53)]
    )
    auth.login("ADMIN")
    first = text_of(client.get(f"/logs/?component={component}").get_data(as_text=True))
    assert "53 записи" in first and "row 00" in first and "row 49" in first and "row 50" not in first
    assert "Страница 1 из 2" in first
    second = text_of(client.get(f"/logs/?component={component}&page=2").get_data(as_text=True))
    assert "row 50" in second and "row 52" in second and "row 49" not in second


def test_nonsense_filters_are_dropped_and_reversed_dates_said(auth, client, rows):
    auth.login("ADMIN")
    page = client.get(f"/logs/?component={rows}&level=LOUD&date_from=yesterday")
    assert page.status_code == 200 and "3 записи" in text_of(page.get_data(as_text=True))
    reversed_dates = client.get(f"/logs/?component={rows}&date_from=2026-11-30&date_to=2026-11-01")
    assert "Дата «по» раньше даты «с»." in reversed_dates.get_data(as_text=True)


def test_the_csv_download_has_the_pages_filters(auth, client, rows):
    auth.login("ADMIN")
    response = client.get(f"/logs/export.csv?component={rows}&level=ERROR")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufefftime;level;component;message;context;request_id;exception")
    assert "Bitrix refused the decision" in body and "provider slow" not in body


@pytest.mark.parametrize("role", ["USER", "MODERATOR"])
def test_only_administrators_see_the_logs(auth, client, role):
    auth.login(role)
    assert client.get("/logs/").status_code == 403
    assert client.get("/logs/export.csv").status_code == 403
    assert "/logs/" not in client.get("/account").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/logs/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
