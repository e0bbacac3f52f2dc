"""UnisenderGo delivery statuses: verify the MD5 `auth`, then update the messages."""

import logging

from flask import current_app, jsonify, request

from portal.extensions import db
from portal.services.delivery_events import InvalidEvents, apply_status_events
from portal.services.monitoring import count_webhook_rejection
from portal.services.webhook_signatures import verify_unisendergo
from portal.webhooks import bp

log = logging.getLogger("mayak.webhooks")


@bp.get("/unisendergo/status")
def unisendergo_probe():
    """UnisenderGo checks the URL with a GET when the webhook is registered."""
    return jsonify(status="ok")


@bp.post("/unisendergo/status")
def unisendergo_status():
    raw = request.get_data(cache=True)
    if not verify_unisendergo(raw, current_app.config["UNISENDERGO_API_KEY"]):
        log.warning(
            "UnisenderGo webhook with a bad signature rejected",
            extra={"context": {"remote_addr": request.remote_addr, "body_bytes": len(raw)}},
        )
        count_webhook_rejection("unisendergo")
        return jsonify(status="error", message="invalid auth"), 401
    payload = request.get_json(silent=True)
    try:
        counts = apply_status_events(payload if isinstance(payload, dict) else {})
    except InvalidEvents as exc:
        db.session.rollback()
        return jsonify(status="error", message=str(exc)), 400
    db.session.commit()
    return jsonify(status="ok", **counts)
