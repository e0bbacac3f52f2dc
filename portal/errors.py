"""One error handler: JSON for machines, a small page for people."""

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger("mayak.errors")


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/", "/sandbox/unisender", "/sandbox/control"))


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if _wants_json():
            return jsonify(message=exc.description, status=exc.code), exc.code
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception(
            "unhandled error on %s %s",
            request.method,
            request.path,
            extra={"context": {"method": request.method, "path": request.path, "endpoint": request.endpoint}},
        )
        error = InternalServerError()
        if request.path.startswith("/api/"):
            from portal.api.errors import error_response

            return error_response(500, "внутренняя ошибка сервера")
        if _wants_json():
            return jsonify(message="internal server error", status=500), 500
        return render_template("errors/error.html", error=error), 500
