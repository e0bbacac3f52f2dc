"""Health and version (seed 002), open to load balancers and monitoring."""

from flask import Blueprint, current_app, jsonify

from portal.services.health import check_database, check_redis

bp = Blueprint("system", __name__)

VERSION_MAJOR, VERSION_MINOR = 1, 0


@bp.get("/health")
def health():
    checks = [check_database(), check_redis()]
    score = round(sum(1.0 for ok in checks if ok) / len(checks), 3)
    return jsonify(health=score), 200 if score > 0 else 503


@bp.get("/version")
def version():
    return jsonify(major=VERSION_MAJOR, minor=VERSION_MINOR, build=current_app.config["BUILD"][:64])
