"""Seed 002: the audit of actions, for an ADMIN."""

from flask import g, jsonify

from portal.api import bp
from portal.api import query_params as q
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.models import Role
from portal.services import audit
from portal.services import audit_taxonomy as taxonomy
from portal.services.quotas import profile

# The seed allows limit up to 10,000,000; one answer carries at most this many actions
# (counters still tell the whole count, offset pages on).
MAX_PAGE = 10_000


@bp.get("/audit/actions")
@token_required(Role.ADMIN)
def audit_actions():
    offset = q.integer("offset", lo=0, hi=10_000_000, default=0)
    limit = q.integer("limit", lo=1, hi=10_000_000, default=100)
    default_start, default_end = audit.default_window(profile(g.api_user.id).timezone)
    query = audit.AuditQuery(
        start=q.moment("from") or default_start,
        end=q.moment("to") or default_end,
        service=q.choice("service", taxonomy.SERVICES),
        operation=q.text("operation", min_len=3, max_len=256),
        process_type=q.choice("process_type", taxonomy.PROCESS_TYPES),
        status=q.choice("status", taxonomy.STATUSES),
        username=q.text("username", min_len=2, max_len=256),
        sort_field=q.text("sort_field", min_len=1, max_len=64) or "time",
        sort_direction=q.choice("sort_direction", ("ASC", "DESC"), default="ASC"),
    )
    if query.sort_field not in audit.SORT_FIELDS:
        raise ApiError(
            400, "параметр sort_field: допустимы: " + ", ".join(audit.SORT_FIELDS), field="sort_field"
        )
    if query.start > query.end:
        raise ApiError(400, "параметр from: позже, чем to", field="from")
    audit.flush_pending()  # this process's latest rows too
    rows = audit.actions(query, offset, min(limit, MAX_PAGE))
    return jsonify(actions=[audit.action_to_dict(a) for a in rows], counters=audit.counters(query))
