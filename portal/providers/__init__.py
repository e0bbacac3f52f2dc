"""Clients for external systems. Plain classes: no Flask, settings passed in."""


class ProviderError(Exception):
    """A provider call that did not succeed."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """Timeout, connection failure or 5xx: worth trying again later."""

    retryable = True


class ProviderRateLimited(ProviderUnavailable):
    """HTTP 429 or the provider's own rate-limit code."""


class ProviderCircuitOpen(ProviderUnavailable):
    """Not called at all: the provider failed repeatedly and its circuit is open.

    Waiting for it is not an attempt: callers retry after `retry_after` without counting one.
    """


class ProviderRejected(ProviderError):
    """The provider refused the request itself (4xx): repeating it will not help."""
