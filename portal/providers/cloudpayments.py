"""CloudPayments: payment links (orders), subscriptions, in its own envelope and Basic auth.

Every method is a POST of JSON to https://api.cloudpayments.ru/<method> with HTTP Basic auth
(Public ID, API secret); the answer is {"Success", "Message", "Model"}. `X-Request-ID` makes a
repeated call return the first call's result (kept an hour by CloudPayments). Amounts are rubles
as decimals: Decimal here, a JSON number on the wire.
"""

import json
from datetime import datetime
from decimal import Decimal

import requests

from portal.providers import ProviderRejected, ProviderUnavailable
from portal.providers.http import json_body, send

KOPECK = Decimal("0.01")


def _wire(value):
    if isinstance(value, Decimal):
        return float(value.quantize(KOPECK))  # prints as the exact two-decimal literal
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    raise TypeError(f"cannot send {type(value).__name__}")


class CloudPaymentsClient:
    def __init__(
        self,
        base_url: str,
        public_id: str,
        api_secret: str,
        *,
        timeout: float = 10.0,
        session=None,
        breaker=None,
    ):
        self.base_url = base_url.rstrip("/")
        self.auth = (public_id, api_secret)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.breaker = breaker  # a CircuitBreaker shared by every process, or None

    def _call(self, method: str, body: dict, request_id: str | None = None):
        headers = {"Content-Type": "application/json"}
        if request_id:
            headers["X-Request-ID"] = request_id
        response = send(
            self.session,
            "POST",
            f"{self.base_url}/{method}",
            timeout=self.timeout,
            breaker=self.breaker,
            auth=self.auth,
            data=json.dumps(body, default=_wire, ensure_ascii=False).encode(),
            headers=headers,
        )
        envelope = json_body(response)
        if "Success" not in envelope:
            raise ProviderUnavailable(f"CloudPayments {method}: no Success in {str(envelope)[:200]}")
        if not envelope["Success"]:
            model = envelope.get("Model") or {}
            reason = envelope.get("Message") or model.get("CardHolderMessage") or model.get("Reason")
            raise ProviderRejected(f"CloudPayments {method}: {reason or 'refused'}")
        return envelope.get("Model")

    def create_order(
        self,
        *,
        amount: Decimal,
        currency: str,
        description: str,
        email: str,
        invoice_id: str,
        account_id: str,
        json_data: dict | None = None,
        subscription_behavior: str | None = None,
        request_id: str | None = None,
    ) -> dict:
        """A payment link for the donor (orders/create); the answer's Url is the page to pay on."""
        body = {
            "Amount": amount,
            "Currency": currency,
            "Description": description,
            "Email": email,
            "InvoiceId": invoice_id,
            "AccountId": account_id,
            "RequireConfirmation": False,
            "SendEmail": False,
            "CultureName": "ru-RU",
        }
        if json_data:
            body["JsonData"] = json_data
        if subscription_behavior:
            body["SubscriptionBehavior"] = subscription_behavior
        return self._call("orders/create", body, request_id)

    def create_subscription(
        self,
        *,
        token: str,
        account_id: str,
        description: str,
        email: str,
        amount: Decimal,
        currency: str,
        start_date: datetime,
        interval: str,
        period: int,
        request_id: str | None = None,
    ) -> dict:
        """A recurring charge of a card token (subscriptions/create); the answer's Id is sc_…"""
        body = {
            "Token": token,
            "AccountId": account_id,
            "Description": description,
            "Email": email,
            "Amount": amount,
            "Currency": currency,
            "RequireConfirmation": False,
            "StartDate": start_date,
            "Interval": interval,
            "Period": period,
        }
        return self._call("subscriptions/create", body, request_id)

    def get_subscription(self, subscription_id: str) -> dict:
        return self._call("subscriptions/get", {"Id": subscription_id})

    def find_subscriptions(self, account_id: str) -> list[dict]:
        """The subscriptions of a payer (subscriptions/find by AccountId)."""
        return self._call("subscriptions/find", {"AccountId": account_id}) or []

    def cancel_subscription(self, subscription_id: str) -> None:
        self._call("subscriptions/cancel", {"Id": subscription_id})
