"""UnisenderGo transactional email: email/send.json with X-API-KEY."""

from dataclasses import dataclass, field

import requests

from portal.providers import ProviderRejected
from portal.providers.http import json_body, send


@dataclass
class Recipient:
    email: str
    substitutions: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)


@dataclass
class SendResult:
    job_id: str
    emails: list[str]
    failed_emails: dict[str, str]


class UnisenderGoClient:
    """Speaks https://go1.unisender.ru/ru/transactional/api/v1 (or the sandbox)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0, session=None, breaker=None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()
        self.breaker = breaker  # a CircuitBreaker shared by every process, or None

    def send_email(
        self,
        *,
        recipients: list[Recipient],
        subject: str,
        html: str,
        plaintext: str,
        from_email: str,
        from_name: str,
        idempotence_key: str,
    ) -> SendResult:
        """Send one letter to one or more recipients in a single call."""
        body = {"html": html}
        if plaintext:
            body["plaintext"] = plaintext
        message = {
            "recipients": [
                {"email": r.email, "substitutions": r.substitutions, "metadata": r.metadata}
                for r in recipients
            ],
            "subject": subject,
            "body": body,
            "from_email": from_email,
            "from_name": from_name,
            "track_links": 0,
            "track_read": 0,
            "global_language": "ru",
            "idempotence_key": idempotence_key,
        }
        response = send(
            self.session,
            "POST",
            f"{self.base_url}/email/send.json",
            timeout=self.timeout,
            breaker=self.breaker,
            json={"message": message},
            headers={"X-API-KEY": self.api_key, "Accept": "application/json"},
        )
        data = json_body(response)
        if data.get("status") != "success":
            raise ProviderRejected(f"UnisenderGo: {data.get('message') or data}")
        return SendResult(
            job_id=data.get("job_id", ""),
            emails=list(data.get("emails", [])),
            failed_emails=dict(data.get("failed_emails") or {}),
        )
