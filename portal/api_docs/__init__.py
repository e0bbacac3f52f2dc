"""API documentation: the OpenAPI document browsable in the portal (Swagger UI from
static/vendor), and seed 002's GET /docs/{filename} serving the HTML files of docs/."""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, g, jsonify, render_template, request, send_file
from flask_login import current_user

from portal.config import ROOT
from portal.models import Role
from portal.security import roles_required

bp = Blueprint("api_docs", __name__)

DOCS_FOLDER = ROOT / "docs"
PORTAL_ROLES = (Role.ADMIN, Role.MODERATOR, Role.USER)


@bp.get("/api-docs")
@roles_required(*PORTAL_ROLES)
def page():
    """Every signed-in portal role: moderators use the events API, users read message statuses."""
    return render_template("api_docs/page.html", files=sorted(documentation_files()))


def documentation_files() -> dict:
    """The HTML files of docs/ by name. A request is matched against these names and never
    joined to a path, so `../` or an absolute path cannot reach anything else."""
    if not DOCS_FOLDER.is_dir():
        return {}
    return {path.name: path for path in DOCS_FOLDER.iterdir() if path.suffix == ".html" and path.is_file()}


@bp.get("/docs/<path:filename>", merge_slashes=False)
def documentation_file(filename: str):
    if not 6 <= len(filename) <= 128:
        return _docs_error(400, filename, "имя файла должно быть от 6 до 128 символов")
    path = documentation_files().get(filename)
    if path is None:
        return _docs_error(404, filename, f"файл документации {filename!r} не найден")
    return send_file(path, mimetype="text/html")


def _docs_error(status: int, filename: str, message: str):
    """Seed 002's shape for this operation: {"resource_key", "detail": {"tracedata"}}."""
    user = current_user if current_user.is_authenticated else None
    body = {
        "resource_key": filename[:128],
        "message": message,
        "detail": {
            "tracedata": {
                "request_code": g.get("request_id") or uuid.uuid4().hex,
                "username": user.username if user else None,
                "company": user.company_key if user else None,
                "service": "MAYAK",
                "operation": request.endpoint,
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        },
    }
    return jsonify(body), status
