"""The message log, its detail page, the dashboard and the sandbox inbox."""

import re

import pytest

from tests.conftest import unique_email

VARS = {"user_name": "Светлана", "registration_date": "20 ноября 2026"}


@pytest.fixture
def signed_in(client, auth):
    assert auth.login("USER").status_code == 303
    return client


def queue_letters(api, count: int, prefix: str) -> list[int]:
    recipients = [unique_email(prefix) for _ in range(count)]
    response = api.post(
        "/api/v1/email/send", {"template_id": "registration", "recipients": recipients, "vars": VARS}
    )
    return [m["id"] for m in response.json()["messages"]]


def ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/messages/(\d+)">\d+<', html)]


def test_the_log_lists_messages_newest_first_and_filters_by_recipient(api, signed_in):
    ids = queue_letters(api, 3, "logsearch")
    page = signed_in.get("/messages/?q=logsearch").get_data(as_text=True)
    assert ids_on(page)[:3] == sorted(ids, reverse=True)
    assert "В очереди" in page and "Благодарность за регистрацию" in page
    assert 'value="logsearch"' in page  # the filter stays in the form


def test_htmx_gets_only_the_table_and_the_response_varies(api, signed_in):
    queue_letters(api, 1, "fragment")
    response = signed_in.get("/messages/?q=fragment", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<table" in html
    assert "HX-Request" in response.headers["Vary"]
    full = signed_in.get("/messages/?q=fragment").get_data(as_text=True)
    assert "<html" in full and 'id="messages-table"' in full


def test_status_and_template_filters(api, drain, signed_in):
    ids = queue_letters(api, 2, "statusfilter")
    drain()
    delivered = signed_in.get("/messages/?q=statusfilter&status=delivered").get_data(as_text=True)
    assert set(ids) <= set(ids_on(delivered))
    queued = signed_in.get("/messages/?q=statusfilter&status=queued").get_data(as_text=True)
    assert not set(ids) & set(ids_on(queued))
    problems = signed_in.get("/messages/?q=statusfilter&status=problems").get_data(as_text=True)
    assert "Нет сообщений, подходящих под фильтры." in problems
    by_template = signed_in.get("/messages/?q=statusfilter&template=registration").get_data(as_text=True)
    assert set(ids) <= set(ids_on(by_template))
    none = signed_in.get("/messages/?q=statusfilter&template=other").get_data(as_text=True)
    assert ids_on(none) == []


def test_date_filter_uses_the_local_calendar(api, signed_in):
    ids = queue_letters(api, 1, "datefilter")
    past = signed_in.get("/messages/?q=datefilter&date_to=2020-01-01").get_data(as_text=True)
    assert ids_on(past) == []
    today = signed_in.get("/messages/?q=datefilter&date_from=2020-01-01").get_data(as_text=True)
    assert ids_on(today) == ids
    garbage = signed_in.get("/messages/?q=datefilter&date_from=yesterday&status=bogus")
    assert garbage.status_code == 200 and ids_on(garbage.get_data(as_text=True)) == ids


def test_pagination_keeps_the_filters(api, signed_in):
    ids = queue_letters(api, 30, "paging")
    first = signed_in.get("/messages/?q=paging").get_data(as_text=True)
    assert len(ids_on(first)) == 25 and "Страница 1 из 2" in first
    assert "/messages/?page=2&amp;q=paging" in first
    second = signed_in.get("/messages/?q=paging&page=2").get_data(as_text=True)
    assert sorted(ids_on(first) + ids_on(second)) == sorted(ids)
    assert "30 сообщений" in first


def test_detail_shows_history_and_the_rendered_letter(api, drain, signed_in):
    [message_id] = queue_letters(api, 1, "detail")
    drain()
    page = signed_in.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "История статусов" in page and "Доставлено" in page and "Передано провайдеру" in page
    assert "<iframe" in page and "sandbox" in page and "Здравствуйте, Светлана!" in page
    assert "Светлана, спасибо за регистрацию" in page
    assert signed_in.get("/messages/999999999").status_code == 404


def test_dashboard_counts_todays_messages(api, drain, signed_in):
    def count(name):
        page = signed_in.get("/").get_data(as_text=True)
        return int(re.search(rf'data-count="{name}">(\d+)<', page).group(1))

    total, delivered = count("total"), count("delivered")
    queue_letters(api, 2, "dashboard")
    drain()
    assert count("total") == total + 2 and count("delivered") >= delivered + 2


def test_sandbox_inbox_shows_delivered_letters(api, drain, signed_in):
    email = unique_email("inbox")
    api.post("/api/v1/email/send", {"template_id": "registration", "recipient_email": email, "vars": VARS})
    drain()
    listing = signed_in.get(f"/sandbox/inbox?q={email}").get_data(as_text=True)
    assert email in listing and "Светлана, спасибо за регистрацию в «Маяке»" in listing
    email_id = re.search(r'href="/sandbox/inbox/(\d+)"', listing).group(1)
    letter = signed_in.get(f"/sandbox/inbox/{email_id}").get_data(as_text=True)
    assert "noreply@mayak.example" in letter and "Здравствуйте, Светлана!" in letter
    fragment = signed_in.get(f"/sandbox/inbox?q={email}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in fragment and email in fragment
