"""ФТ-009, ФТ-005/012, ФТ-010/011, ФТ-011: regular donations through CloudPayments subscriptions.

Everything goes over real HTTP: the API, the sandbox payment page, the sandbox CloudPayments
(subscriptions created, charged on demand, cancelled) and its signed notifications.
"""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests
from dateutil.relativedelta import relativedelta

from portal.models import (
    ContactSubscription,
    Donation,
    Message,
    RecurringSubscription,
    SandboxPaymentOrder,
    SandboxSubscription,
)
from tests.conftest import csrf_token_from, unique_email
from tests.payments.cloudpayments import NO_FUNDS_CARD, SUCCESS_CARD, letters_to, notify, pay

CONTROL = "/sandbox/control/cloudpayments/subscriptions"


def subscribe(api, email, amount=500, path="/api/v1/subscriptions/create", **extra):
    payload = {"recurrent_email": email, "recurrent_amount": amount, "frequency": "monthly", **extra}
    response = api.post(path, payload)
    assert response.status_code == 201, response.text
    return response.json()


def detached(in_app, model, **where):
    """One row, readable after its session is gone."""

    def read():
        row = model.query.filter_by(**where).one()
        model.query.session.expunge(row)
        return row

    return in_app(read)


def stored(in_app, public_id) -> RecurringSubscription:
    return detached(in_app, RecurringSubscription, public_id=public_id)


def at_sandbox(in_app, code) -> SandboxSubscription:
    return detached(in_app, SandboxSubscription, code=code)


def letters(in_app, email) -> list[tuple[str, dict]]:
    """The hub's letters to an address: (template, variables), oldest first."""
    return in_app(
        lambda: [(m.kind, m.variables) for m in Message.query.filter_by(recipient=email).order_by(Message.id)]
    )


def active_subscription(api, drain, in_app, email, amount=500, **extra) -> RecurringSubscription:
    made = subscribe(api, email, amount, **extra)
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub = stored(in_app, made["id"])
    assert sub.status == "active", (sub.status, sub.last_error)
    return sub


def charge(base_url, app, code, reason_code=None, advance=True):
    response = requests.post(
        f"{base_url}{CONTROL}/{code}/charge",
        json={"reason_code": reason_code, "advance": advance},
        headers={"X-API-KEY": app.config["UNISENDERGO_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_subscription_is_created_at_cloudpayments_after_its_first_payment(api, drain, in_app):
    email = unique_email("monthly")
    made = subscribe(api, email, "750.50", agree_newsletter=True, event_id=7, event_name="Тёплая зима")
    assert made["status"] == "awaiting_payment" and made["payment_url"].startswith("http")
    assert made["recurrent_amount"] == "750.50" and made["frequency"] == "monthly"
    order = in_app(lambda: SandboxPaymentOrder.query.filter_by(invoice_id=made["id"]).one().description)
    assert "ежемесячно" in order and "Тёплая зима" in order
    sources = in_app(lambda: [s.source for s in ContactSubscription.query.filter_by(email=email)])
    assert sources == ["subscription"]

    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub = stored(in_app, made["id"])
    assert sub.status == "active" and sub.cp_subscription_id.startswith("sc_")
    assert sub.successful_charges == 1 and sub.total_charged == Decimal("750.50")
    remote = at_sandbox(in_app, sub.cp_subscription_id)
    assert (remote.amount, remote.interval, remote.period, remote.status) == (
        Decimal("750.50"),
        "Month",
        1,
        "Active",
    )
    assert remote.account_id == email
    # The first charge at CloudPayments is one month after the first payment.
    expected = datetime.now(UTC) + relativedelta(months=1)
    assert abs((remote.start_date - expected).total_seconds()) < 120

    [(kind, variables)] = letters(in_app, email)
    assert kind == "subscription_details"
    assert variables["recurrent_amount"] == "750,50\xa0₽" and variables["frequency"] == "ежемесячно"
    assert variables["manage_link"].startswith(api.base_url + "/donor/subscriptions/")
    [(subject, html)] = letters_to(in_app, email)
    assert subject == "Ваша регулярная помощь «Маяку» оформлена"
    assert "750,50\xa0₽" in html and "ежемесячно" in html and variables["manage_link"] in html

    answer = api.get(f"/api/v1/subscriptions/{sub.cp_subscription_id}").json()
    assert answer["status"] == "active" and answer["id"] == made["id"] and answer["payment_url"] is None


def test_each_charge_is_thanked_and_the_twelfth_brings_the_year_of_support(api, app, base_url, drain, in_app):
    email = unique_email("loyal")
    sub = active_subscription(api, drain, in_app, email, 500)
    for _ in range(10):
        charge(base_url, app, sub.cp_subscription_id)
    drain()
    thanks = [v for kind, v in letters(in_app, email) if kind == "subscription_thanks"]
    assert [v["charge_number"] for v in thanks] == list(range(2, 12))
    assert all(v["recurrent_amount"] == "500\xa0₽" and v["next_charge_date"] for v in thanks)

    charge(base_url, app, sub.cp_subscription_id)
    drain()
    kind, year = letters(in_app, email)[-1]
    assert kind == "subscription_year"
    assert year["yearly_stats"] == "12 пожертвований на сумму 6\xa0000\xa0₽"
    assert year["year_charges"] == 12 and year["year_total"] == "6\xa0000\xa0₽"
    subject, html = letters_to(in_app, email)[-1]
    assert subject == "Год вместе: спасибо за вашу поддержку" and "12 пожертвований" in html
    after = stored(in_app, sub.public_id)
    assert after.successful_charges == 12 and after.total_charged == Decimal("6000.00")
    charges = in_app(lambda: Donation.query.filter_by(subscription_id=sub.id, status="completed").count())
    assert charges == 12


def test_failed_charges_warn_three_times_then_cloudpayments_rejection_ends_it(
    api, app, base_url, drain, in_app
):
    email = unique_email("nofunds")
    sub = active_subscription(api, drain, in_app, email, 300)
    for _ in range(3):
        charge(base_url, app, sub.cp_subscription_id, reason_code=5051, advance=False)
    drain()
    sent = letters(in_app, email)
    attempts = [v for kind, v in sent if kind == "subscription_charge_failed"]
    assert [v["attempt_number"] for v in attempts] == [1, 2, 3]
    assert all(v["failure_reason"] == "на карте недостаточно средств" for v in attempts)
    tomorrow = (datetime.now(UTC) + relativedelta(days=1)).astimezone(
        ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    )
    assert attempts[0]["next_retry_date"].startswith(f"{tomorrow.day} ")
    # CloudPayments rejects the subscription after three failures in a row (Recurrent, Rejected).
    assert sent[-1][0] == "subscription_cancelled"
    assert sent[-1][1]["reactivate_link"].endswith("/reactivate")
    after = stored(in_app, sub.public_id)
    assert after.status == "rejected" and after.cp_status == "Rejected" and after.failed_attempts == 3
    assert at_sandbox(in_app, sub.cp_subscription_id).status == "Rejected"  # not cancelled a second time
    assert [kind for kind, _ in sent].count("subscription_cancelled") == 1


def test_a_fourth_failure_cancels_a_subscription_still_live_at_cloudpayments(
    api, app, base_url, drain, in_app
):
    email = unique_email("fourth")
    sub = active_subscription(api, drain, in_app, email, 400)
    secret = app.config["CLOUDPAYMENTS_API_SECRET"]
    for n in range(1, 6):  # CloudPayments configured to retry more than three times
        fields = {
            "TransactionId": str(880000 + n + sub.id * 10),
            "Amount": "400.00",
            "Currency": "RUB",
            "DateTime": "2026-12-29 10:00:00",
            "SubscriptionId": sub.cp_subscription_id,
            "AccountId": email,
            "Email": email,
            "Reason": "InsufficientFunds",
            "ReasonCode": "5051",
            "TestMode": "1",
        }
        assert notify(base_url, secret, "fail", fields).json() == {"code": 0}
    drain()
    kinds = [kind for kind, _ in letters(in_app, email)]
    assert kinds.count("subscription_charge_failed") == 3
    assert kinds.count("subscription_cancelled") == 1 and kinds[-1] == "subscription_cancelled"
    after = stored(in_app, sub.public_id)
    assert after.status == "rejected" and after.pending_action is None
    assert at_sandbox(in_app, sub.cp_subscription_id).status == "Cancelled"


def test_the_donor_cancels_gets_a_farewell_and_can_start_again(api, app, drain, in_app):
    email = unique_email("leaving")
    sub = active_subscription(api, drain, in_app, email, 1000, frequency="quarterly")
    wrong = api.post(
        f"/api/v1/subscriptions/{sub.cp_subscription_id}/cancel", {"donor_email": "x@example.org"}
    )
    assert wrong.status_code == 404 and stored(in_app, sub.public_id).status == "active"

    response = api.post(
        f"/api/v1/subscriptions/{sub.cp_subscription_id}/cancel", {"donor_email": email, "reason": "переезд"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    drain()
    assert at_sandbox(in_app, sub.cp_subscription_id).status == "Cancelled"
    kind, farewell = letters(in_app, email)[-1]
    assert kind == "subscription_farewell" and farewell["total_donated"] == "1\xa0000\xa0₽"
    assert stored(in_app, sub.public_id).end_reason == "переезд"

    again = api.post(f"/api/v1/subscriptions/{sub.public_id}/cancel", {"donor_email": email})
    assert again.status_code == 200 and again.json()["outcome"] == "already ended"
    drain()
    assert [k for k, _ in letters(in_app, email)].count("subscription_farewell") == 1

    # The reactivate link in the letter: a page, then a new subscription's payment.
    browser = requests.Session()
    page = browser.get(farewell["reactivate_link"])
    assert page.status_code == 200 and "1\xa0000\xa0₽" in page.text and "раз в квартал" in page.text
    started = browser.post(
        farewell["reactivate_link"], data={"csrf_token": csrf_token_from(page.text)}, allow_redirects=False
    )
    assert started.status_code == 303 and "/sandbox/cloudpayments/pay/" in started.headers["Location"]
    newest = stored(
        in_app,
        in_app(
            lambda: (
                RecurringSubscription.query.filter_by(donor_email=email)
                .order_by(RecurringSubscription.id.desc())
                .first()
                .public_id
            )
        ),
    )
    assert newest.id != sub.id and newest.status == "awaiting_payment"
    assert (newest.amount, newest.frequency) == (Decimal("1000.00"), "quarterly")


def test_the_hub_operations_open_and_delete_without_letters(api, drain, in_app):
    email = unique_email("ops")
    made = subscribe(api, email, 200, path="/api/v1/subscriptions", frequency="yearly")
    assert in_app(lambda: ContactSubscription.query.filter_by(email=email).count()) == 0
    response = api.request("DELETE", f"/api/v1/subscriptions/{made['id']}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # Paid all the same on the link it already had: a one-off donation, thanked as one.
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    assert [kind for kind, _ in letters(in_app, email)] == ["donation_thanks_first"]
    assert stored(in_app, made["id"]).status == "cancelled"

    email = unique_email("ops")

    sub = active_subscription(api, drain, in_app, email, 200)
    response = api.request("DELETE", f"/api/v1/subscriptions/{sub.cp_subscription_id}")
    assert response.status_code == 200
    drain()
    assert at_sandbox(in_app, sub.cp_subscription_id).status == "Cancelled"
    assert [kind for kind, _ in letters(in_app, email)] == ["subscription_details"]
    assert api.request("DELETE", "/api/v1/subscriptions/sc_unknown").status_code == 404


def test_bad_subscription_requests_are_refused_and_store_nothing(api, in_app):
    email = unique_email("bad")
    count = lambda: in_app(lambda: (RecurringSubscription.query.count(), SandboxPaymentOrder.query.count()))  # noqa: E731
    before = count()
    cases = [
        ({"recurrent_email": email, "recurrent_amount": 500, "frequency": "daily"}, "frequency"),
        ({"recurrent_email": email, "recurrent_amount": 0}, "recurrent_amount"),
        ({"recurrent_email": email, "recurrent_amount": "5.555"}, "recurrent_amount"),
        ({"recurrent_email": "not-an-address", "recurrent_amount": 500}, "recurrent_email"),
        ({"recurrent_amount": 500}, "recurrent_email"),
        ({"recurrent_email": email, "recurrent_amount": 500, "currency": "USD"}, "currency"),
        ({"recurrent_email": email, "recurrent_amount": 500, "card": "4242"}, "card"),
    ]
    for payload, field in cases:
        response = api.post("/api/v1/subscriptions/create", payload)
        assert response.status_code == 400, (payload, response.text)
        assert field in response.json()["message"], (payload, response.json())
    assert count() == before
    assert api.post("/api/v1/subscriptions/sub-nope/cancel", {}).status_code == 404


@pytest.mark.parametrize("mode", ["error_503", "rate_limit", "timeout"])
def test_cloudpayments_failing_while_creating_the_subscription_is_retried(api, drain, fault, in_app, mode):
    email = unique_email("retry")
    made = subscribe(api, email, 600)
    fault(mode, 2, provider="cloudpayments")
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub = stored(in_app, made["id"])
    assert sub.status == "active" and sub.attempts == 2 and sub.last_error is None
    assert [kind for kind, _ in letters(in_app, email)] == ["subscription_details"]


def test_a_subscription_cloudpayments_refuses_to_create_is_shown_as_failed(api, drain, fault, in_app):
    email = unique_email("refused")
    made = subscribe(api, email, 600)
    fault("reject_400", 1, provider="cloudpayments")
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub = stored(in_app, made["id"])
    assert sub.status == "failed" and "HTTP 400" in sub.last_error and sub.pending_action is None
    # No subscription, but the donor did pay once: that payment is thanked.
    assert [kind for kind, _ in letters(in_app, email)] == ["donation_thanks_first"]


def test_a_declined_first_payment_sends_the_retry_letter_and_keeps_the_link(api, drain, in_app):
    email = unique_email("firstfail")
    made = subscribe(api, email, 350)
    assert "Платёж отклонён" in pay(made["payment_url"], NO_FUNDS_CARD)
    drain()
    [(kind, variables)] = letters(in_app, email)
    assert kind == "donation_failed" and variables["retry_link"] == made["payment_url"]
    assert stored(in_app, made["id"]).status == "awaiting_payment"
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    assert stored(in_app, made["id"]).status == "active"
