"""ФТ-005/007/008 and ФТ-010: a donation's payment link, CloudPayments' Pay and Fail, the letters."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from portal.extensions import db
from portal.models import (
    ContactSubscription,
    Donation,
    Message,
    PaymentNotification,
    SandboxPaymentOrder,
)
from tests.conftest import unique_email
from tests.payments.cloudpayments import NO_FUNDS_CARD, SUCCESS_CARD, letters_to, pay, signed


def donate(api, email, amount=1500, **extra):
    payload = {"donor_email": email, "donor_amount": amount, "event_id": 42, "agree_newsletter": False}
    response = api.post("/api/v1/donations/process", {**payload, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def donation(in_app, donation_id):
    def read():
        row = db.session.get(Donation, donation_id)
        return {
            "status": row.status,
            "first": row.is_first_donation,
            "reason": row.failure_reason,
            "tx": row.transaction_id,
        }

    return in_app(read)


def test_a_paid_donation_thanks_the_donor_first_then_as_a_regular(api, drain, in_app):
    email = unique_email("donor")
    first = donate(api, email, 1500, event_name="День рождения Ани", agree_newsletter=True)
    assert first["status"] == "pending" and first["payment_url"].startswith("http")
    assert first["donor_amount"] == "1500.00"
    assert "Оплата прошла" in pay(first["payment_url"], SUCCESS_CARD)
    drain()
    assert donation(in_app, first["id"])["status"] == "completed"
    assert donation(in_app, first["id"])["first"] is True
    [(subject, html)] = letters_to(in_app, email)
    assert subject == "Спасибо за ваше первое пожертвование!"
    assert "1\xa0500\xa0₽" in html and "«День рождения Ани»" in html
    sources = in_app(lambda: [s.source for s in ContactSubscription.query.filter_by(email=email)])
    assert sources == ["donation"]

    second = donate(api, email, "250.50")
    pay(second["payment_url"], SUCCESS_CARD)
    drain()
    assert donation(in_app, second["id"])["first"] is False
    subject, html = letters_to(in_app, email)[-1]
    assert subject == "Спасибо, что снова помогаете!" and "250,50\xa0₽" in html


def test_a_declined_payment_explains_why_and_offers_the_link_again(api, drain, in_app):
    email = unique_email("declined")
    made = donate(api, email, 700)
    page = pay(made["payment_url"], NO_FUNDS_CARD)
    assert "на карте недостаточно средств" in page
    drain()
    state = donation(in_app, made["id"])
    assert state["status"] == "failed" and state["reason"] == "на карте недостаточно средств"
    [(subject, html)] = letters_to(in_app, email)
    assert subject == "Пожертвование не прошло — попробуйте ещё раз"
    assert "на карте недостаточно средств" in html and made["payment_url"] in html

    pay(made["payment_url"], NO_FUNDS_CARD)  # a second failure: no second letter
    pay(made["payment_url"], SUCCESS_CARD)  # the donor tries another card
    drain()
    assert donation(in_app, made["id"])["status"] == "completed"
    assert [s for s, _ in letters_to(in_app, email)] == [
        "Пожертвование не прошло — попробуйте ещё раз",
        "Спасибо за ваше первое пожертвование!",
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"donor_amount": 0}, "donor_amount"),
        ({"donor_amount": -5}, "donor_amount"),
        ({"donor_amount": "много"}, "donor_amount"),
        ({"donor_amount": 10.555}, "donor_amount"),
        ({"donor_amount": 2000000}, "donor_amount"),
        ({"currency": "USD"}, "currency"),
        ({"donor_email": "нет-адреса"}, "donor_email"),
        ({"agree_newsletter": "да"}, "agree_newsletter"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(api, in_app, change, field):
    before = in_app(lambda: (Donation.query.count(), SandboxPaymentOrder.query.count()))
    payload = {"donor_email": unique_email("bad"), "donor_amount": 100, "event_id": 1, **change}
    response = api.post("/api/v1/donations/process", payload)
    assert response.status_code == 400 and response.json()["field"] == field
    assert in_app(lambda: (Donation.query.count(), SandboxPaymentOrder.query.count())) == before


def test_cloudpayments_down_is_a_503_and_stores_nothing(api, in_app, fault):
    fault("error_503", 1, provider="cloudpayments")
    before = in_app(lambda: Donation.query.count())
    response = api.post(
        "/api/v1/donations/process", {"donor_email": unique_email("down"), "donor_amount": 100}
    )
    assert response.status_code == 503 and "CloudPayments" in response.json()["message"]
    assert in_app(lambda: Donation.query.count()) == before


def pay_fields(made: dict, transaction_id: int) -> dict:
    return {
        "TransactionId": str(transaction_id),
        "Amount": made["donor_amount"],
        "Currency": "RUB",
        "DateTime": "2026-11-29 10:00:00",
        "Status": "Completed",
        "OperationType": "Payment",
        "InvoiceId": made["invoice_id"],
        "AccountId": made["donor_email"],
        "Email": made["donor_email"],
        "TestMode": "1",
    }


def test_signature_is_checked_before_anything_is_stored(api, app, base_url, drain, in_app):
    made = donate(api, unique_email("sig"))
    url = f"{base_url}/webhooks/cloudpayments/pay"
    secret = app.config["CLOUDPAYMENTS_API_SECRET"]
    body, headers = signed(pay_fields(made, 990001), secret)
    count = lambda: in_app(lambda: PaymentNotification.query.count())  # noqa: E731
    before = count()

    flipped = bytearray(body)
    flipped[body.index(b"Amount=") + 7] ^= 0x01
    assert requests.post(url, data=bytes(flipped), headers=headers).status_code == 401
    no_header = {"Content-Type": headers["Content-Type"]}
    assert requests.post(url, data=body, headers=no_header).status_code == 401
    _, other = signed(pay_fields(made, 990001), "another-secret")
    response = requests.post(url, data=body, headers=other)
    assert response.status_code == 401 and response.json()["code"] != 0
    assert count() == before and donation(in_app, made["id"])["status"] == "pending"

    response = requests.post(url, data=body, headers=headers)
    assert response.status_code == 200 and response.json() == {"code": 0}
    assert count() == before + 1  # stored at once; applied by a worker
    drain()
    assert donation(in_app, made["id"])["status"] == "completed"


def test_a_storm_of_duplicate_notifications_has_each_effect_once(api, app, base_url, drain, in_app):
    made = [donate(api, unique_email("storm")) for _ in range(50)]
    secret = app.config["CLOUDPAYMENTS_API_SECRET"]
    deliveries = [signed(pay_fields(d, 800000 + i), secret) for i, d in enumerate(made)] * 4
    url = f"{base_url}/webhooks/cloudpayments/pay"

    def post(delivery):
        body, headers = delivery
        return requests.post(url, data=body, headers=headers, timeout=60).json()

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(post, deliveries))
    assert len(answers) == 200 and all(a == {"code": 0} for a in answers)
    stored = in_app(
        lambda: PaymentNotification.query.filter(
            PaymentNotification.transaction_id.between(800000, 800049)
        ).count()
    )
    assert stored == 50
    drain()
    ids = [d["id"] for d in made]
    emails = [d["donor_email"] for d in made]
    statuses = in_app(lambda: [row.status for row in Donation.query.filter(Donation.id.in_(ids))])
    assert statuses == ["completed"] * 50
    letters = in_app(lambda: Message.query.filter(Message.recipient.in_(emails)).count())
    assert letters == 50


def test_a_pay_for_an_unknown_invoice_is_acknowledged_and_kept(app, base_url, drain, in_app):
    fields = pay_fields(
        {"donor_amount": "10.00", "invoice_id": "don-nobody", "donor_email": "x@example.org"}, 777
    )
    body, headers = signed(fields, app.config["CLOUDPAYMENTS_API_SECRET"])
    response = requests.post(f"{base_url}/webhooks/cloudpayments/pay", data=body, headers=headers)
    assert response.json() == {"code": 0}
    drain()
    outcome = in_app(lambda: PaymentNotification.query.filter_by(dedupe_key="pay:777").one().outcome)
    assert outcome == "счёт не найден: ничего не изменено"


def test_a_notification_whose_job_was_lost_is_applied_after_the_sweep(
    api, app, base_url, drain, in_app, redis_conn
):
    """Stored and answered, but the worker's job never ran: the sweeper finds it in the database."""
    from rq import Queue

    from portal.jobs.sweeper import sweep
    from portal.models.base import utcnow
    from portal.queueing import flush_kicks

    made = donate(api, unique_email("lostpay"))
    body, headers = signed(pay_fields(made, 990777), app.config["CLOUDPAYMENTS_API_SECRET"])
    assert requests.post(f"{base_url}/webhooks/cloudpayments/pay", data=body, headers=headers).json() == {
        "code": 0
    }
    flush_kicks(app)  # the job has reached Redis...
    Queue("mayak", connection=redis_conn).empty()  # ...and is gone
    drain()
    assert donation(in_app, made["id"])["status"] == "pending"

    def age_it():
        notification = PaymentNotification.query.filter_by(dedupe_key="pay:990777").one()
        notification.received_at = utcnow() - timedelta(seconds=5)
        db.session.commit()

    in_app(age_it)
    with app.app_context():
        assert sweep()["payment_notifications"] >= 1
    drain()
    assert donation(in_app, made["id"])["status"] == "completed"
    assert letters_to(in_app, made["donor_email"])[0][0] == "Спасибо за ваше первое пожертвование!"


def test_a_repeat_after_a_lost_answer_pays_the_invoice_the_hub_stored(api, drain, fault, in_app):
    """CloudPayments made the order but its answer never came: the caller's retry (same
    Idempotency-Key) gets CloudPayments' first order back, and it names the hub's invoice."""
    email = unique_email("lostanswer")
    payload = {"donor_email": email, "donor_amount": 900}
    headers = {"Idempotency-Key": f"bitrix-{email}"}
    fault("slow_success", 1, provider="cloudpayments")
    first = api.post("/api/v1/donations/process", payload, headers=headers)
    assert first.status_code == 503
    again = api.post("/api/v1/donations/process", payload, headers=headers)
    assert again.status_code == 201, again.text
    made = again.json()
    orders = in_app(lambda: [o.invoice_id for o in SandboxPaymentOrder.query.filter_by(email=email)])
    assert orders == [made["invoice_id"]]  # one order, for the invoice the hub stored
    assert "Оплата прошла" in pay(made["payment_url"], SUCCESS_CARD)
    drain()
    assert donation(in_app, made["id"])["status"] == "completed"
