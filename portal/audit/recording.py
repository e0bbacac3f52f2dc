"""Every API call and every portal action that changes something, written to the audit."""

import time
from datetime import UTC, datetime

from flask import Flask, g, request
from flask_login import current_user

from portal.services import audit, quotas
from portal.services import audit_taxonomy as taxonomy

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNAUDITED_PREFIXES = ("/static/", "/sandbox/", "/webhooks/")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_clock():
        g.audit_started = time.perf_counter()

    @app.after_request
    def _record(response):
        if request.path.startswith(taxonomy.API_PREFIX):
            quotas.release(response.status_code < 400)
            audit.record(_api_values(response))
        elif request.method not in SAFE_METHODS and not request.path.startswith(UNAUDITED_PREFIXES):
            if current_user.is_authenticated:
                audit.record(_portal_values(response))
        return response


def _common(response, source: str) -> dict:
    started = g.get("audit_started")
    moment = datetime.now(UTC)
    return {
        "time": moment,
        "source": source,
        "method": request.method,
        "path": request.path,
        "request_code": g.get("request_id") or "",
        "status": taxonomy.status_of(response.status_code),
        "http_status": response.status_code,
        "duration_ms": int((time.perf_counter() - started) * 1000) if started else 0,
        "operation": (request.endpoint or request.path).removeprefix(f"{source}.")
        if source == "api"
        else request.endpoint or request.path,
    }


def _api_values(response) -> dict:
    values = _common(response, "api")
    caller = g.get("api_user")
    offset = quotas.profile(caller.id).timezone if caller else 3
    values.update(
        day=taxonomy.local_day(offset, values["time"]),
        user_id=caller.id if caller else None,
        username=caller.username if caller else _attempted_username(),
        company=caller.company_key if caller else None,
        service=taxonomy.api_service(request.path),
        process_type=taxonomy.api_process_type(request.path, request.method, request.endpoint),
        request_points=_points(),
        replayed=response.headers.get("Idempotent-Replayed") == "true",
        message=_error_message(response),
    )
    return values


def _portal_values(response) -> dict:
    values = _common(response, "portal")
    values.update(
        day=taxonomy.local_day(current_user.timezone, values["time"]),
        user_id=current_user.id,
        username=current_user.username,
        company=current_user.company_key,
        service=taxonomy.portal_service(request.blueprint, request.endpoint),
        process_type="PORTAL",
        request_points=1,
        replayed=False,
        message=None if response.status_code < 400 else f"HTTP {response.status_code}",
    )
    return values


def _points() -> int:
    if request.method in SAFE_METHODS or not request.is_json:
        return 1
    return taxonomy.points_of(request.get_json(silent=True))


def _attempted_username() -> str | None:
    """Who tried to get a token: the audit names a failed sign-in's username too."""
    if request.endpoint != "api.auth_token" or not request.is_json:
        return None
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return name[:256] if isinstance(name, str) else None


def _error_message(response) -> str | None:
    if response.status_code < 400 or not response.is_json:
        return None
    body = response.get_json(silent=True)
    message = body.get("message") if isinstance(body, dict) else None
    return message[:512] if isinstance(message, str) else None
