"""Unisender (marketing lists): the subscribe method."""

import requests

from portal.providers import ProviderRateLimited, ProviderRejected, ProviderUnavailable
from portal.providers.http import json_body, send

_RETRYABLE = {"retry_later", "api_call_limit_exceeded_for_api_key", "api_call_limit_exceeded_for_ip"}


class UnisenderClient:
    """Speaks https://api.unisender.com/ru/api/<method>?format=json (or the sandbox)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0, session=None, breaker=None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()
        self.breaker = breaker  # a CircuitBreaker shared by every process, or None

    def subscribe(
        self, *, list_ids: list[str], email: str, name: str | None = None, tags: list[str] = ()
    ) -> str:
        """Add the address to the lists without a confirmation letter; returns person_id."""
        form = {
            "api_key": self.api_key,
            "list_ids": ",".join(list_ids),
            "fields[email]": email,
            "double_optin": "3",
            "overwrite": "2",
        }
        if name:
            form["fields[Name]"] = name
        if tags:
            form["tags"] = ",".join(tags)
        # POST keeps the key out of URLs (and so out of access logs).
        response = send(
            self.session,
            "POST",
            f"{self.base_url}/ru/api/subscribe",
            timeout=self.timeout,
            breaker=self.breaker,
            params={"format": "json"},
            data=form,
        )
        data = json_body(response)
        if "error" in data:
            code = str(data.get("code", ""))
            text = f"Unisender {code}: {data['error']}"
            if code.startswith("api_call_limit"):
                raise ProviderRateLimited(text)
            raise (ProviderUnavailable if code in _RETRYABLE else ProviderRejected)(text)
        return str(data["result"]["person_id"])
