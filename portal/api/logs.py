"""НФТ-5.1: the application log as JSON and as a CSV download, for administrators.

Dates are days (YYYY-MM-DD) in DISPLAY_TIMEZONE, both inclusive; `level` is the lowest level
shown (WARNING: warnings, errors and critical records); `search_text` looks in the message,
the context and the exception text.
"""

from flask import jsonify, request

from portal.api import bp
from portal.api import query_params as q
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.models import Role
from portal.services.csv_export import csv_response
from portal.services.log_entries import CSV_HEADER, LEVELS, LogFilter, export_rows, search


def _fail(name: str, problem: str):
    raise ApiError(400, f"параметр {name}: {problem}", field=name)


def _text_arg(name: str, max_len: int) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > max_len:
        _fail(name, f"не длиннее {max_len} символов")
    return value


def _filter_from_args() -> LogFilter:
    """The filters of the query string, each checked: a bad one is a 400 naming it."""
    date_from, date_to = (str(q.day(name) or "") for name in ("date_from", "date_to"))
    if date_from and date_to and date_to < date_from:
        _fail("date_to", "не раньше date_from")
    level = request.args.get("level", "").strip().upper()
    if level and level not in LEVELS:
        _fail("level", "одно из " + ", ".join(LEVELS))
    return LogFilter(
        date_from=date_from,
        date_to=date_to,
        level=level,
        component=_text_arg("component", 128),
        search_text=_text_arg("search_text", 200),
        request_id=_text_arg("request_id", 64),
    )


@bp.get("/logs")
@token_required(Role.ADMIN)
def logs_list():
    flt = _filter_from_args()
    page = q.integer("page", lo=1, hi=100_000, default=1)
    limit = q.integer("limit", lo=1, hi=500, default=50)
    result = search(flt, page, per_page=limit)
    return jsonify(
        items=[entry.to_dict() for entry in result.items],
        total=result.total,
        page=page,
        limit=limit,
        pages=result.pages,
        filters=flt.query_args(),
    )


@bp.get("/logs/export/csv")
@token_required(Role.ADMIN)
def logs_export_csv():
    flt = _filter_from_args()
    if request.args.get("format", "csv") != "csv":
        _fail("format", "поддерживается только csv")
    return csv_response("logs.csv", CSV_HEADER, export_rows(flt))
