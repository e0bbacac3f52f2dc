"""The donor's own pages behind the links in the letters: signed, expiring, CSRF-protected."""

import time

import requests

from portal.models import Message, RecurringSubscription, SandboxSubscription
from tests.conftest import csrf_token_from, unique_email
from tests.payments.test_subscriptions import active_subscription, letters


def test_the_manage_link_shows_the_subscription_and_cancels_it_after_confirmation(api, drain, in_app):
    email = unique_email("manage")
    sub = active_subscription(api, drain, in_app, email, 250)
    [(_, details)] = letters(in_app, email)
    browser = requests.Session()
    page = browser.get(details["manage_link"])
    assert page.status_code == 200
    assert "250\xa0₽" in page.text and "ежемесячно" in page.text and "действует" in page.text

    confirm = browser.get(details["manage_link"] + "/cancel")
    assert "Отменить подписку?" in confirm.text
    refused = browser.post(details["manage_link"] + "/cancel", data={})  # no CSRF token
    assert refused.status_code == 400
    assert in_app(lambda: RecurringSubscription.query.filter_by(id=sub.id).one().status) == "active"

    done = browser.post(
        details["manage_link"] + "/cancel", data={"csrf_token": csrf_token_from(confirm.text)}
    )
    assert (
        done.status_code == 200 and "Подписка отменена" in done.text and "Возобновить подписку" in done.text
    )
    drain()
    assert in_app(lambda: SandboxSubscription.query.filter_by(code=sub.cp_subscription_id).one().status) == (
        "Cancelled"
    )
    assert [kind for kind, _ in letters(in_app, email)] == ["subscription_details", "subscription_farewell"]


def test_a_tampered_or_expired_link_explains_itself_and_changes_nothing(api, app, drain, in_app):
    email = unique_email("expired")
    active_subscription(api, drain, in_app, email, 250)
    [(_, details)] = letters(in_app, email)
    link = details["manage_link"]

    tampered = requests.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert tampered.status_code == 404 and "Ссылка повреждена" in tampered.text

    ttl = app.config["DONOR_LINK_TTL_DAYS"]
    app.config["DONOR_LINK_TTL_DAYS"] = 0
    try:
        time.sleep(1.1)
        expired = requests.get(link)
        refused = requests.post(link + "/cancel", data={})
    finally:
        app.config["DONOR_LINK_TTL_DAYS"] = ttl
    assert expired.status_code == 410 and "Срок действия ссылки истёк" in expired.text
    assert refused.status_code in (400, 410)
    assert in_app(lambda: Message.query.filter_by(recipient=email).count()) == 1
