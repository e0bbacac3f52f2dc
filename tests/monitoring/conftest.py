"""Monitoring tests share one hub: every test starts with no active alert and no counted failure."""

import pytest

from portal.extensions import db
from portal.models import Alert
from portal.models.base import utcnow
from portal.services.alerts import HEADER_CACHE
from portal.services.process_cache import forget


def _reset(app) -> None:
    redis = app.extensions["mayak_redis"]
    for pattern in ("mayak:circuit:*", "mayak:monitoring:*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)
    with app.app_context():
        db.session.execute(db.update(Alert).where(Alert.resolved_at.is_(None)).values(resolved_at=utcnow()))
        db.session.commit()
        forget(HEADER_CACHE, lambda _key: True)


@pytest.fixture(autouse=True)
def _no_alerts_left(app):
    # Other tests leave many failed letters in the shared database: the failure-rate rule stays
    # quiet here unless a test sets its thresholds (see test_alerts).
    saved = app.config["MONITORING_FAILURE_MIN_MESSAGES"]
    app.config["MONITORING_FAILURE_MIN_MESSAGES"] = 10**9
    _reset(app)
    yield
    _reset(app)
    app.config["MONITORING_FAILURE_MIN_MESSAGES"] = saved


@pytest.fixture
def settings(app):
    """Change settings of the running hub for one test (the live server shares this app)."""
    saved = {}

    def change(**values):
        for key in values:
            saved.setdefault(key, app.config[key])
        app.config.update(values)

    yield change
    app.config.update(saved)


@pytest.fixture
def evaluate(in_app):
    """Run the alert rules once, as the worker's periodic task does; the active alerts after it."""
    from portal.jobs.monitoring import evaluate_alerts

    def run() -> dict[tuple[str, str], dict]:
        in_app(evaluate_alerts)
        return in_app(active_alerts)

    return run


def active_alerts() -> dict[tuple[str, str], dict]:
    from portal.services.alerts import alert_to_dict

    found = db.session.execute(db.select(Alert).where(Alert.resolved_at.is_(None))).scalars()
    return {(a.rule, a.key): alert_to_dict(a) for a in found}
