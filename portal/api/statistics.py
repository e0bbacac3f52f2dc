"""ФТ-013-017: statistics of a date range as JSON, and as CSV (НФТ-5.1's export)."""

from flask import jsonify, request

from portal.api import bp
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.models import Role
from portal.services.csv_export import csv_response
from portal.statistics import export
from portal.statistics.summary import MAX_DAYS, DateRange, RangeError, parse_range, summary

PROBLEMS = {
    "format": "дата в формате ГГГГ-ММ-ДД, например 2026-11-01",
    "order": "не раньше date_from",
    "too_long": f"период не длиннее {MAX_DAYS} дней",
}
EXPORT_KINDS = ("summary", "messages")


def _range() -> DateRange:
    try:
        return parse_range(request.args)
    except RangeError as exc:
        raise ApiError(400, f"параметр {exc.field}: {PROBLEMS[exc.problem]}", field=exc.field) from None


# Read-only figures with no personal data: USER (staff who read the portal) may see them too.
@bp.get("/statistics/summary")
@token_required(Role.ADMIN, Role.USER)
def statistics_summary():
    return jsonify(summary(_range()))


@bp.get("/statistics/export/csv")
@token_required(Role.ADMIN, Role.USER)
def statistics_export_csv():
    """kind=summary: a row per day; kind=messages: a row per letter (USER reads the log anyway)."""
    period = _range()
    if request.args.get("format", "csv") != "csv":
        raise ApiError(400, "параметр format: поддерживается только csv", field="format")
    kind = request.args.get("kind", "summary")
    if kind not in EXPORT_KINDS:
        raise ApiError(400, "параметр kind: одно из " + ", ".join(EXPORT_KINDS), field="kind")
    if kind == "messages":
        header, rows = export.messages_header(), export.message_rows(period)
    else:
        header, rows = export.summary_header(), export.summary_rows(period)
    return csv_response(export.filename(kind, period), header, rows)
