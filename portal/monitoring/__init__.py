"""Monitoring in the portal (НФТ-5.2): components, queues and alerts on one self-refreshing page,
and the unacknowledged alerts in every admin's header. The same data as /api/v1/monitoring."""

from datetime import datetime

from flask import Blueprint, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import Role
from portal.models.base import utcnow
from portal.security import roles_required
from portal.services import alerts, monitoring
from portal.services.alerts import AlertNotFound
from portal.services.message_log import PER_PAGE

bp = Blueprint("monitoring", __name__)

STATE_LABELS = {
    monitoring.UP: _l("Up"),
    monitoring.DEGRADED: _l("Degraded"),
    monitoring.DOWN: _l("Down"),
    monitoring.CIRCUIT_OPEN: _l("Circuit open"),
}
STATE_TONES = {
    monitoring.UP: "ok",
    monitoring.DEGRADED: "warn",
    monitoring.DOWN: "bad",
    monitoring.CIRCUIT_OPEN: "bad",
}
SEVERITY_LABELS = {"critical": _l("Critical"), "warning": _l("Warning")}
SERVICE_TITLES = {"database": _l("Database"), "redis": _l("Redis"), "workers": _l("Workers")}


@bp.app_context_processor
def _header_alerts() -> dict:
    """The unacknowledged alerts in the header, for admins (remembered a few seconds per process)."""
    if not (current_user.is_authenticated and current_user.has_role(Role.ADMIN)):
        return {}
    return {"header_alerts": alerts.unacknowledged_summary()}


@bp.app_template_filter("service_state")
def service_state(value: str) -> str:
    return STATE_LABELS.get(value, value)


@bp.app_template_filter("state_tone")
def state_tone(value: str) -> str:
    return STATE_TONES.get(value, "info")


@bp.app_template_filter("severity_label")
def severity_label(value: str) -> str:
    return SEVERITY_LABELS.get(value, value)


@bp.app_template_filter("alert_text")
def alert_text(alert) -> str:
    """An alert (a model or the header's row) in the reader's language."""
    rule, details = (
        (alert["rule"], alert["details"]) if isinstance(alert, dict) else (alert.rule, alert.details)
    )
    return alerts.describe(rule, details)


@bp.app_template_filter("service_title")
def service_title(service: dict) -> str:
    return SERVICE_TITLES.get(service["name"], service["title"])


@bp.app_template_filter("isotime")
def isotime(value: str | None) -> str:
    """An ISO 8601 moment (as the monitoring data carries it) in the portal's local time."""
    if not value:
        return "—"
    return current_app.jinja_env.filters["localtime"](datetime.fromisoformat(value))


@bp.app_template_filter("duration")
def duration(seconds) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return _("%(s)s s", s=seconds)
    if seconds < 3600:
        return _("%(m)s min %(s)s s", m=seconds // 60, s=seconds % 60)
    return _("%(h)s h %(m)s min", h=seconds // 3600, m=seconds % 3600 // 60)


@bp.get("/")
@roles_required(Role.ADMIN)
def overview():
    history = db.paginate(
        alerts.resolved_statement(),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    workers = monitoring.worker_list()
    return render_page(
        "monitoring/overview.html",
        "monitoring/_panels.html",
        services=monitoring.services(workers=workers),
        queues=monitoring.queues(workers=workers),
        workers=workers,
        active=alerts.active_alerts(),
        history=history,
        checked_at=utcnow(),
    )


@bp.post("/alerts/<int:alert_id>/acknowledge")
@roles_required(Role.ADMIN)
def acknowledge(alert_id: int):
    try:
        alerts.acknowledge(alert_id, current_user.id)
    except AlertNotFound:
        db.session.rollback()
        flash(_("There is no such alert."), "error")
        return redirect_after_post(url_for("monitoring.overview"))
    db.session.commit()
    flash(_("Alert acknowledged: it stays on this page until it resolves."), "success")
    return redirect_after_post(url_for("monitoring.overview"))


@bp.post("/check")
@roles_required(Role.ADMIN)
def check_now():
    """Run the alert rules at once instead of waiting for the worker's next round."""
    outcome = alerts.evaluate()
    db.session.commit()
    flash(
        _(
            "Rules checked: %(raised)s raised, %(resolved)s resolved.",
            raised=outcome["raised"],
            resolved=outcome["resolved"],
        ),
        "success",
    )
    return redirect_after_post(url_for("monitoring.overview"))
