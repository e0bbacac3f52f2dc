"""The logs page (НФТ-5.1): the application log with filters in the URL, paging and a CSV download."""

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from portal.htmx import render_page
from portal.models import Role
from portal.security import roles_required
from portal.services.csv_export import csv_response
from portal.services.log_entries import CSV_HEADER, LEVELS, LogFilter, export_rows, known_components, search

bp = Blueprint("logs", __name__)

LEVEL_LABELS = {
    "DEBUG": _l("Debug"),
    "INFO": _l("Info"),
    "WARNING": _l("Warning"),
    "ERROR": _l("Error"),
    "CRITICAL": _l("Critical"),
}
LEVEL_TONES = {"DEBUG": "wait", "INFO": "info", "WARNING": "warn", "ERROR": "bad", "CRITICAL": "critical"}


@bp.app_template_filter("level_label")
def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


@bp.app_template_filter("level_tone")
def level_tone(level: str) -> str:
    return LEVEL_TONES.get(level, "info")


@bp.get("/")
@roles_required(Role.ADMIN)
def log_list():
    flt = LogFilter.from_args(request.args)
    page = search(flt, request.args.get("page", 1, type=int))
    components = known_components()
    if flt.component and flt.component not in components:
        components.append(flt.component)
    return render_page(
        "logs/list.html",
        "logs/_table.html",
        page=page,
        flt=flt,
        levels=LEVELS,
        components=components,
        every_request_args={k: v for k, v in flt.query_args().items() if k != "request_id"},
    )


@bp.get("/export.csv")
@roles_required(Role.ADMIN)
def log_export():
    """The rows of the current filters as CSV, the same file as GET /api/v1/logs/export/csv."""
    return csv_response("logs.csv", CSV_HEADER, export_rows(LogFilter.from_args(request.args)))
