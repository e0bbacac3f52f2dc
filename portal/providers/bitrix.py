"""Bitrix24 through an incoming webhook: POST {webhook}/{method}.json with a JSON body.

The webhook URL (https://PORTAL/rest/USER_ID/SECRET) is the credential: it never appears in
errors or logs. Answers are {"result": …, "time": …} or {"error": CODE, "error_description"};
QUERY_LIMIT_EXCEEDED (HTTP 503, ~2 requests/s on cloud portals) is worth retrying.
"""

import json

import requests

from portal.providers import ProviderRateLimited, ProviderRejected, ProviderUnavailable
from portal.providers.http import json_body, send

RETRYABLE_ERRORS = {"QUERY_LIMIT_EXCEEDED", "INTERNAL_SERVER_ERROR", "OPERATION_TIME_LIMIT"}


class BitrixClient:
    def __init__(self, webhook_url: str, *, timeout: float = 10.0, session=None, breaker=None):
        self.webhook_url = webhook_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.breaker = breaker

    def call(self, method: str, params: dict):
        try:
            response = send(
                self.session,
                "POST",
                f"{self.webhook_url}/{method}.json",
                timeout=self.timeout,
                breaker=self.breaker,
                data=json.dumps(params, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
            )
        except (ProviderUnavailable, ProviderRejected) as exc:
            # The message quotes the answer, never the URL (it holds the secret).
            raise type(exc)(
                f"Bitrix {method}: {exc}", status=exc.status, retry_after=exc.retry_after
            ) from None
        body = json_body(response)
        if "error" in body:
            text = f"Bitrix {method}: {body['error']}: {body.get('error_description', '')}".strip()
            if body["error"] in RETRYABLE_ERRORS:
                raise ProviderRateLimited(text)
            raise ProviderRejected(text)
        return body.get("result")

    def update_item(self, entity_type_id: int, item_id: str, fields: dict) -> dict:
        """crm.item.update: set fields of one item of a smart process (our Events)."""
        return self.call("crm.item.update", {"entityTypeId": entity_type_id, "id": item_id, "fields": fields})
