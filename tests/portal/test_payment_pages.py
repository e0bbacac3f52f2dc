"""The portal's donations and subscriptions: lists with filters in the URL, detail with history."""

import pytest

from portal.models import Message, RecurringSubscription
from tests.conftest import csrf_token_from, text_of, unique_email
from tests.payments.cloudpayments import NO_FUNDS_CARD, SUCCESS_CARD, pay


def donate(api, email, amount):
    response = api.post("/api/v1/donations/process", {"donor_email": email, "donor_amount": amount})
    assert response.status_code == 201, response.text
    return response.json()


def subscribe(api, email, amount, frequency="monthly"):
    payload = {"recurrent_email": email, "recurrent_amount": amount, "frequency": frequency}
    response = api.post("/api/v1/subscriptions/create", payload)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def staff(client, auth):
    assert auth.login("USER").status_code == 303
    return client


def test_donations_are_listed_filtered_and_shown_with_their_history(api, drain, staff):
    email = unique_email("pagedonor")
    paid = donate(api, email, 1500)
    declined = donate(api, email, 700)
    pay(paid["payment_url"], SUCCESS_CARD)
    pay(declined["payment_url"], NO_FUNDS_CARD)
    drain()

    page = text_of(staff.get(f"/donations/?q={email}").get_data(as_text=True))
    assert "2 пожертвования" in page and "1 500 ₽" in page and "700 ₽" in page
    assert "на карте недостаточно средств" in page
    only_paid = staff.get(f"/donations/?q={email}&status=completed", headers={"HX-Request": "true"})
    fragment = only_paid.get_data(as_text=True)
    assert (
        "<html" not in fragment
        and "1 пожертвование" in text_of(fragment)
        and "700 ₽" not in text_of(fragment)
    )

    detail = text_of(staff.get(f"/donations/{paid['id']}").get_data(as_text=True))
    assert "Оплачено" in detail and "Первое пожертвование благотворителя да" in detail
    assert "оплачено, письмо donation_thanks_first" in detail  # the Pay notification's outcome
    assert "Благодарность за первое пожертвование" in detail  # the letter, linked
    declined_page = text_of(staff.get(f"/donations/{declined['id']}").get_data(as_text=True))
    assert "Fail" in declined_page and "InsufficientFunds (5051)" in declined_page
    assert "Пожертвование не прошло" in declined_page


def test_a_subscription_page_shows_its_state_failures_and_letters(api, app, base_url, drain, in_app, staff):
    from tests.payments.test_subscriptions import charge

    email = unique_email("pagesub")
    made = subscribe(api, email, 900)
    pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub_id, cp_id = in_app(
        lambda: next(
            (s.id, s.cp_subscription_id) for s in RecurringSubscription.query.filter_by(public_id=made["id"])
        )
    )
    charge(base_url, app, cp_id)
    charge(base_url, app, cp_id, reason_code=5051, advance=False)
    drain()

    listing = text_of(staff.get("/subscriptions/?status=past_due").get_data(as_text=True))
    assert email in listing and "Списание не прошло" in listing
    assert email not in text_of(staff.get("/subscriptions/?status=cancelled").get_data(as_text=True))

    page = text_of(staff.get(f"/subscriptions/{sub_id}").get_data(as_text=True))
    assert "900 ₽ , ежемесячно" in page or "900 ₽, ежемесячно" in page
    assert "Неудач подряд 1 — на карте недостаточно средств" in page
    assert "Успешных списаний 2 · 1 800 ₽" in page
    assert "CloudPayments: PastDue" in page
    for letter in (
        "Подписка оформлена",
        "Благодарность за регулярное пожертвование",
        "Регулярное списание не прошло",
    ):
        assert letter in page
    assert "Отменить подписку" not in page  # a USER sees, only an ADMIN cancels
    assert staff.get(f"/subscriptions/{sub_id}/cancel").status_code == 403


def test_an_admin_cancels_a_subscription_after_confirming(api, auth, client, drain, in_app):
    email = unique_email("admincancel")
    made = subscribe(api, email, 400)
    pay(made["payment_url"], SUCCESS_CARD)
    drain()
    sub_id = in_app(lambda: RecurringSubscription.query.filter_by(public_id=made["id"]).one().id)
    assert auth.login("ADMIN").status_code == 303
    confirm = client.get(f"/subscriptions/{sub_id}/cancel").get_data(as_text=True)
    assert "Отменить подписку " + email in text_of(confirm)
    assert client.post(f"/subscriptions/{sub_id}/cancel", data={"reason": "x"}).status_code == 400  # no CSRF

    done = client.post(
        f"/subscriptions/{sub_id}/cancel",
        data={"csrf_token": csrf_token_from(confirm), "reason": "попросила по телефону"},
    )
    assert done.status_code == 303
    drain()
    state = in_app(
        lambda: next(
            (s.status, s.end_reason, s.cp_status)
            for s in RecurringSubscription.query.filter_by(public_id=made["id"])
        )
    )
    assert state == ("cancelled", "попросила по телефону", "Cancelled")
    kinds = in_app(lambda: [m.kind for m in Message.query.filter_by(recipient=email)])
    assert kinds == ["subscription_details"]  # the farewell box was unchecked (not sent in the form)


def test_only_staff_see_payments(auth, client):
    for path in ("/donations/", "/subscriptions/"):
        assert "/login" in client.get(path).headers["Location"]
    auth.login("MODERATOR")
    for path in ("/donations/", "/subscriptions/", "/donations/1", "/subscriptions/1/cancel"):
        assert client.get(path).status_code == 403
