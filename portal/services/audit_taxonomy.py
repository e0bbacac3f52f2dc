"""Seed 002's `service`, `process_type` and `status` for the hub's calls, and a call's size.

service — the area of the hub a call belongs to (the first path segment after /api/v1, or the
portal section); process_type — what kind of process the call starts; status — its outcome,
from the HTTP status it was answered with. README.md ("Audit, usage and quotas") lists them.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

SERVICES = ("EMAIL", "DONATIONS", "SUBSCRIPTIONS", "EVENTS", "ACCOUNT", "ADMINISTRATION", "UNIVERSAL")
PROCESS_TYPES = ("TRIGGER", "OPERATION", "QUERY", "AUTH", "PORTAL")
STATUSES = ("FINISHED_IN_TIME", "INVALID", "UNAUTHORIZED", "FORBIDDEN", "QUOTA_EXCEEDED", "FAILED")

_API_SERVICE = {
    "emails": "EMAIL",
    "email": "EMAIL",
    "messages": "EMAIL",
    "donations": "DONATIONS",
    "payments": "DONATIONS",
    "subscriptions": "SUBSCRIPTIONS",
    "events": "EVENTS",
    "auth": "ACCOUNT",
    "account": "ACCOUNT",
    "audit": "ADMINISTRATION",
    "templates": "ADMINISTRATION",
    "retry": "ADMINISTRATION",
    "statistics": "ADMINISTRATION",
    "logs": "ADMINISTRATION",
    "monitoring": "ADMINISTRATION",
    "users": "ADMINISTRATION",
    "docs": "ADMINISTRATION",
}
_PORTAL_SERVICE = {
    "messages": "EMAIL",
    "payments": "DONATIONS",
    "donor": "SUBSCRIPTIONS",
    "moderation": "EVENTS",
    "auth": "ACCOUNT",
}
# Bitrix's triggers: each stores state and queues letters (seed 000's flows).
TRIGGER_ENDPOINTS = frozenset(
    {
        "api.emails_send",
        "api.events_moderation_notice",
        "api.events_closed",
        "api.donations_process",
        "api.subscriptions_create",
        "api.subscriptions_cancel",
    }
)
# Body fields whose length is the number of items (points) a call carries.
POINT_LISTS = ("recipients", "ids")
API_PREFIX = "/api/v1/"


def api_service(path: str) -> str:
    segment = path[len(API_PREFIX) :].split("/", 1)[0] if path.startswith(API_PREFIX) else ""
    return _API_SERVICE.get(segment, "UNIVERSAL")


def api_process_type(path: str, method: str, endpoint: str | None) -> str:
    if path.startswith(API_PREFIX + "auth/"):
        return "AUTH"
    if endpoint in TRIGGER_ENDPOINTS:
        return "TRIGGER"
    return "QUERY" if method in ("GET", "HEAD") else "OPERATION"


def portal_service(blueprint: str | None, endpoint: str | None) -> str:
    if endpoint and endpoint.startswith("payments.subscription"):
        return "SUBSCRIPTIONS"
    return _PORTAL_SERVICE.get(blueprint or "", "ADMINISTRATION")


def status_of(http_status: int) -> str:
    if http_status < 400:
        return "FINISHED_IN_TIME"
    if http_status == 401:
        return "UNAUTHORIZED"
    if http_status == 403:
        return "FORBIDDEN"
    if http_status == 429:
        return "QUOTA_EXCEEDED"
    return "FAILED" if http_status >= 500 else "INVALID"


def points_of(body) -> int:
    """Items a call carries: the length of its recipients/ids list, else 1."""
    if isinstance(body, dict):
        for name in POINT_LISTS:
            value = body.get(name)
            if isinstance(value, list):
                return len(value)
    return 1


@cache
def user_zone(offset_hours: int) -> timezone:
    return timezone(timedelta(hours=offset_hours))


def local_day(offset_hours: int, at: datetime | None = None) -> date:
    """The calendar day at `at` (now) in a user's timezone (seed 002: whole hours from UTC)."""
    return (at or datetime.now(UTC)).astimezone(user_zone(offset_hours)).date()
