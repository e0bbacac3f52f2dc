"""What tests do as a donor or as CloudPayments: pay on the sandbox page, sign a notification."""

import base64
import hashlib
import hmac
from urllib.parse import urlencode

import requests

from portal.models import SandboxEmail
from tests.conftest import csrf_token_from

SUCCESS_CARD = "4242424242424242"
NO_FUNDS_CARD = "4012888888881881"


def pay(payment_url: str, card: str) -> str:
    """The donor on the sandbox payment page: choose a test card, press «Оплатить»."""
    browser = requests.Session()
    page = browser.get(payment_url)
    assert page.status_code == 200 and "Оплатить" in page.text
    result = browser.post(payment_url, data={"csrf_token": csrf_token_from(page.text), "card": card})
    assert result.status_code == 200
    return result.text


def letters_to(in_app, email):
    def read():
        rows = SandboxEmail.query.filter_by(email=email).order_by(SandboxEmail.id).all()
        return [(row.subject, row.html) for row in rows]

    return in_app(read)


# An implementation of CloudPayments' signing written for the test, not the hub's own code.
def signed(fields: dict, secret: str) -> tuple[bytes, dict]:
    body = urlencode(fields).encode()
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": mac}


def notify(base_url: str, secret: str, kind: str, fields: dict) -> requests.Response:
    """POST a notification as CloudPayments would, signed by the test's own implementation."""
    body, headers = signed(fields, secret)
    return requests.post(f"{base_url}/webhooks/cloudpayments/{kind}", data=body, headers=headers, timeout=10)
