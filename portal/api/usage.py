"""Seed 002: usage statistics by day, service and process type, as JSON and as an XLSX report."""

from datetime import timedelta
from urllib.parse import quote

from flask import g, jsonify, make_response

from portal.api import bp
from portal.api import query_params as q
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import Role, User
from portal.services import audit_taxonomy as taxonomy
from portal.services import usage
from portal.services.audit import flush_pending

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_and_user():
    """Whose usage and which days: one's own; an ADMIN may name another `username`."""
    name = q.text("username", min_len=2, max_len=256)
    if name and name != g.api_user.username and not g.api_user.has_role(Role.ADMIN):
        raise ApiError(403, "параметр username: статистику другого пользователя видит только ADMIN")
    user = db.session.execute(db.select(User).filter_by(username=name or g.api_user.username)).scalar()
    if user is None:
        raise ApiError(404, f"параметр username: пользователь {name!r} не найден", field="username")
    day_from, day_to = usage.default_period(user.timezone, q.day("from"), q.day("to"))
    if day_from > day_to:
        raise ApiError(400, "параметр from: позже, чем to", field="from")
    if day_to - day_from > timedelta(days=usage.MAX_DAYS):
        raise ApiError(400, f"параметр to: период не длиннее {usage.MAX_DAYS} дней", field="to")
    service = q.choice("service", taxonomy.SERVICES)
    process_type = q.choice("process_type", taxonomy.PROCESS_TYPES)
    flush_pending()
    rows = usage.usage_rows(user.id, day_from, day_to, service, process_type)
    db.session.commit()  # the fresh roll-up of the last days is kept
    return user, day_from, day_to, rows


@bp.get("/account/statistics")
@token_required()
def usage_statistics():
    user, _, _, rows = _period_and_user()
    return jsonify(usage.statistics_to_dict(user.username, rows))


@bp.get("/account/statistics/report")
@token_required()
def usage_report():
    user, day_from, day_to, rows = _period_and_user()
    response = make_response(usage.xlsx_report(user.username, rows, day_from, day_to))
    response.mimetype = XLSX
    filename = f"usage_{user.username}_{day_from.isoformat()}_{day_to.isoformat()}.xlsx"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"usage.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
