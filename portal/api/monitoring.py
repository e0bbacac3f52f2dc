"""НФТ-5.2 as JSON: the components' states, the RQ queues, the alerts the rules raised."""

from flask import jsonify, request

from portal.api import bp
from portal.api import query_params as q
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import Role, Severity
from portal.services import alerts, monitoring


@bp.get("/monitoring/services")
@token_required(Role.ADMIN)
def monitoring_services():
    name = request.args.get("service_name") or None
    if name is not None and name not in monitoring.SERVICE_NAMES:
        raise ApiError(
            400,
            "параметр service_name: допустимы " + ", ".join(monitoring.SERVICE_NAMES),
            field="service_name",
        )
    return jsonify(services=monitoring.services(name))


@bp.get("/monitoring/queues")
@token_required(Role.ADMIN)
def monitoring_queues():
    workers = monitoring.worker_list()
    return jsonify(queues=monitoring.queues(workers), workers=workers)


@bp.get("/monitoring/alerts")
@token_required(Role.ADMIN)
def monitoring_alerts():
    severity = request.args.get("severity") or None
    if severity is not None and severity not in set(Severity):
        raise ApiError(400, "параметр severity: допустимы " + ", ".join(Severity), field="severity")
    limit = q.integer("limit", lo=1, hi=500, default=50)
    found = db.session.execute(alerts.alerts_statement(severity).limit(limit)).scalars()
    return jsonify(alerts=[alerts.alert_to_dict(alert) for alert in found])
