"""HTTP calls with a timeout on every request and errors sorted by whether to retry."""

import time

import requests

from portal.providers import ProviderRateLimited, ProviderRejected, ProviderUnavailable


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


def send(session: requests.Session, method: str, url: str, *, timeout: float, breaker=None, **kwargs):
    """Perform a request; return the response for 2xx, raise a ProviderError otherwise.

    With a circuit `breaker`, no request is made while it is open, and the outcome is recorded:
    timeouts, connection errors, 5xx and 429 count against the provider, anything else for it.
    """
    if breaker is None:
        return _send(session, method, url, timeout=timeout, **kwargs)
    breaker.before_call()
    started = time.monotonic()
    try:
        response = _send(session, method, url, timeout=timeout, **kwargs)
    except ProviderUnavailable as exc:
        breaker.record_failure(str(exc), time.monotonic() - started)
        raise
    except ProviderRejected:
        breaker.record_success(time.monotonic() - started)  # it answered: the provider is up
        raise
    breaker.record_success(time.monotonic() - started)
    return response


def _send(session: requests.Session, method: str, url: str, *, timeout: float, **kwargs):
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout as exc:
        raise ProviderUnavailable(f"timeout after {timeout:g} s") from exc
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"connection failed: {exc.__class__.__name__}") from exc
    if response.status_code == 429:
        raise ProviderRateLimited(
            "HTTP 429 too many requests", status=429, retry_after=_retry_after(response)
        )
    if response.status_code >= 500 or response.status_code == 408:
        raise ProviderUnavailable(
            f"HTTP {response.status_code}: {response.text[:300]}", status=response.status_code
        )
    if response.status_code >= 300:
        raise ProviderRejected(
            f"HTTP {response.status_code}: {response.text[:300]}", status=response.status_code
        )
    return response


def json_body(response: requests.Response) -> dict:
    """The answer's JSON object; anything else is the provider misbehaving (worth a retry)."""
    try:
        data = response.json()
    except ValueError as exc:
        raise ProviderUnavailable(
            f"HTTP {response.status_code} without a JSON body: {response.text[:200]}"
        ) from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"HTTP {response.status_code}: unexpected JSON {str(data)[:200]}")
    return data
