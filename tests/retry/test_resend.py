"""ФТ-019: failed letters listed by filter and resent once, as new letters, with the outcome of each."""

import re
import threading

from portal.models import SandboxEmail
from tests.conftest import csrf_token_from, text_of, unique_email
from tests.delivery.test_retries import message_state, send_letter


def failed_letter(api, drain, fault, email: str) -> int:
    """A letter the provider refused (HTTP 400): failed at once, no retry."""
    fault("reject_400", count=1)
    message_id = send_letter(api, email)
    drain()
    assert message_state(api, message_id)["status"] == "failed"
    return message_id


def copies(in_app, email):
    return in_app(lambda: SandboxEmail.query.filter_by(email=email).count())


def test_failed_letters_are_listed_by_filter_and_resent_once(api, drain, fault, in_app):
    tag = unique_email("rs").split("@")[0]
    first, second = (failed_letter(api, drain, fault, f"{tag}-{n}@example.org") for n in (1, 2))
    delivered = send_letter(api, f"{tag}-ok@example.org")
    drain()

    listed = api.get(f"/api/v1/retry/list?recipient={tag}&error_text=HTTP+400", as_role="ADMIN").json()
    assert [i["unsend_email_id"] for i in listed["items"]] == [second, first] and listed["total"] == 2
    assert (
        api.get(f"/api/v1/retry/list?recipient={tag}&limit=1&page=2", as_role="ADMIN").json()["items"][0][
            "unsend_email_id"
        ]
        == first
    )
    assert (
        api.get(
            f"/api/v1/retry/list?recipient={tag}&date_from=2000-01-01&date_to=2000-01-02", as_role="ADMIN"
        ).json()["total"]
        == 0
    )

    run = api.post("/api/v1/retry/send", {"unsend_email_id": [first, delivered, 999999999]}, as_role="ADMIN")
    assert run.status_code == 200, run.text
    outcome = {item["unsend_email_id"]: item for item in run.json()["items"]}
    assert run.json()["resent"] == 1 and run.json()["refused"] == 2
    assert outcome[delivered]["refusal"].startswith("письмо не в статусе ошибки")
    assert outcome[999999999]["refusal"] == "письма с таким номером нет"
    drain()
    assert message_state(api, outcome[first]["new_message_id"])["status"] == "delivered"
    assert copies(in_app, f"{tag}-1@example.org") == 1
    assert message_state(api, first)["status"] == "failed"  # the failed letter keeps its own history

    again = api.post("/api/v1/retry/send", {"unsend_email_id": [first]}, as_role="ADMIN").json()
    assert again["resent"] == 0 and again["items"][0]["refusal"] == "уже переотправлено"
    after = api.get(f"/api/v1/retry/list?recipient={tag}", as_role="ADMIN").json()
    assert [i["unsend_email_id"] for i in after["items"]] == [second]
    drain()
    assert copies(in_app, f"{tag}-1@example.org") == 1


def test_two_admins_resending_at_once_send_one_copy(api, drain, fault, in_app):
    email = unique_email("race")
    message_id = failed_letter(api, drain, fault, email)
    answers = []

    def resend():
        answers.append(
            api.post("/api/v1/retry/send", {"unsend_email_id": [message_id]}, as_role="ADMIN").json()
        )

    threads = [threading.Thread(target=resend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["resent"] for a in answers) == [0, 0, 0, 1]
    drain()
    assert copies(in_app, email) == 1


def test_bad_requests_are_refused_and_change_nothing(api):
    for query, field in [
        ("status=delivered", "status"),
        ("date_from=yesterday", "date_from"),
        ("date_from=2026-11-02&date_to=2026-11-01", "date_to"),
        ("limit=0", "limit"),
        ("page=x", "page"),
        ("colour=red", "colour"),
    ]:
        response = api.get(f"/api/v1/retry/list?{query}", as_role="ADMIN")
        assert response.status_code == 400 and response.json()["field"] == field, query
    for body in (
        {},
        {"unsend_email_id": []},
        {"unsend_email_id": ["1"]},
        {"unsend_email_id": list(range(1, 1002))},
    ):
        response = api.post("/api/v1/retry/send", body, as_role="ADMIN")
        assert response.status_code == 400 and response.json()["field"] == "unsend_email_id", body
    assert api.get("/api/v1/retry/list", as_role="USER").status_code == 403
    assert api.post("/api/v1/retry/send", {"unsend_email_id": [1]}, as_role="PARTNER").status_code == 403


def test_all_matching_letters_are_resent_by_a_job_with_progress(api, drain, fault, in_app):
    tag = unique_email("bulk").split("@")[0]
    ids = [failed_letter(api, drain, fault, f"{tag}-{n}@example.org") for n in range(3)]
    started = api.post("/api/v1/retry/send", {"filter": {"recipient": tag}}, as_role="ADMIN")
    assert (
        started.status_code == 202 and started.json()["total"] == 3 and started.json()["state"] == "running"
    )
    drain()
    run = api.get(f"/api/v1/retry/runs/{started.json()['run_id']}", as_role="ADMIN").json()
    assert run["state"] == "done" and run["resent"] == 3 and run["by_status"] == {"delivered": 3}
    assert sorted(item["unsend_email_id"] for item in run["items"]) == sorted(ids)
    assert all(copies(in_app, f"{tag}-{n}@example.org") == 1 for n in range(3))
    nothing = api.post("/api/v1/retry/send", {"filter": {"recipient": tag}}, as_role="ADMIN")
    assert nothing.status_code == 404


def test_the_retry_page_resends_chosen_letters_and_shows_the_outcome(api, auth, client, drain, fault):
    tag = unique_email("page").split("@")[0]
    message_id = failed_letter(api, drain, fault, f"{tag}@example.org")
    auth.login("ADMIN")
    page = client.get(f"/retry/?q={tag}").get_data(as_text=True)
    assert f"{tag}@example.org" in page and "HTTP 400" in page and "1 письмо подходит" in text_of(page)
    fragment = client.get(f"/retry/?q={tag}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and f'value="{message_id}"' in fragment

    assert client.post("/retry/send", data={"ids": [message_id]}).status_code == 400  # no CSRF
    done = client.post("/retry/send", data={"ids": [message_id], "csrf_token": csrf_token_from(page)})
    assert done.status_code == 303 and "/retry/runs/" in done.headers["Location"]
    drain()
    run_page = text_of(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "Обработано 1 из 1: переотправлено 1, отказано 0" in run_page and "Доставлено" in run_page
    copy_id = int(re.search(r"#(\d+) " + re.escape(f"{tag}@example.org"), run_page).group(1))
    original = text_of(client.get(f"/messages/{message_id}").get_data(as_text=True))
    assert f"как № {copy_id}" in original
    assert f"Переотправка письма № {message_id}" in text_of(
        client.get(f"/messages/{copy_id}").get_data(as_text=True)
    )

    confirm = client.get(f"/retry/send-all?q={tag}").get_data(as_text=True)
    assert "Переотправить 0 писем?" in text_of(confirm)
    assert client.get(f"/retry/?q={tag}").get_data(as_text=True).count(f"{tag}@example.org") == 0
