"""Steering the sandbox from tests and from the portal: faults and counters."""

import hmac

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import func

from portal.extensions import db
from portal.models import Role, SandboxEmail, SandboxRequest, SandboxSubscriber
from portal.sandbox import faults, providers_bp


def require_operator() -> None:
    key = request.headers.get("X-API-KEY", "")
    if hmac.compare_digest(key.encode(), current_app.config["UNISENDERGO_API_KEY"].encode()):
        return
    if current_user.is_authenticated and current_user.has_role(Role.ADMIN):
        return
    abort(403)


@providers_bp.post("/control/faults")
def faults_set():
    require_operator()
    data = request.get_json(silent=True) or {}
    provider, mode = data.get("provider"), data.get("mode")
    count = data.get("count", 1)
    if provider not in faults.PROVIDERS or mode not in faults.MODES:
        return jsonify(error=f"provider ∈ {sorted(faults.PROVIDERS)}, mode ∈ {sorted(faults.MODES)}"), 400
    if not isinstance(count, int) or not 1 <= count <= 100_000:
        return jsonify(error="count must be an integer 1…100000"), 400
    faults.set_fault(provider, mode, count, data.get("delay"))
    return jsonify(faults.active_faults())


@providers_bp.delete("/control/faults")
def faults_clear():
    require_operator()
    faults.clear_faults()
    return jsonify({})


@providers_bp.get("/control/stats")
def stats():
    """Counters a test reads to prove nothing was recorded twice."""
    require_operator()
    requests_total, repeats = db.session.execute(
        db.select(func.count(SandboxRequest.id), func.coalesce(func.sum(SandboxRequest.repeats), 0))
    ).one()
    emails_total = db.session.execute(db.select(func.count(SandboxEmail.id))).scalar()
    subscribers = db.session.execute(db.select(func.count(SandboxSubscriber.id))).scalar()
    return jsonify(
        unisendergo={
            "requests": requests_total,
            "duplicate_idempotence_keys": int(repeats),
            "emails": emails_total,
        },
        unisender={"subscribers": subscribers},
        faults=faults.active_faults(),
    )
