"""The /api/v1 error envelope (seed 002): {"message", "tracedata"}, plus the offending field."""

import uuid
from datetime import UTC, datetime

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from portal.api import bp

SERVICE = "MAYAK"


class ApiError(Exception):
    """An error answered to the client in the API's envelope."""

    def __init__(self, status: int, message: str, field: str | None = None, headers=None, details=None):
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers or {}
        self.details = details or {}


def error_response(status: int, message: str, field: str | None = None, headers=None, details=None):
    user = g.get("api_user")
    body = {
        "message": message,
        "tracedata": {
            "request_code": g.get("request_id") or uuid.uuid4().hex,
            "username": user.username if user else None,
            "company": user.company_key if user else None,
            "service": SERVICE,
            "operation": request.endpoint or request.path,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    }
    if field:
        body["field"] = field
    body.update(details or {})
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    from portal.extensions import db

    db.session.rollback()
    return error_response(exc.status, exc.message, exc.field, exc.headers, exc.details)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)
