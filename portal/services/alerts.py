"""Alert rules (НФТ-5.2): each looks at the hub's state and names what is wrong now; an alert is
raised once per rule and key, kept while the condition holds and resolved when it clears."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Alert, Message, MessageStatus, Severity
from portal.models.base import utcnow
from portal.services import monitoring
from portal.services.process_cache import forget, remembered

log = logging.getLogger("mayak.monitoring")

PROVIDER_DOWN, FAILURE_RATE, QUEUE_BACKLOG, QUEUE_AGE, WEBHOOK_SIGNATURES = (
    "provider_down",
    "failure_rate",
    "queue_backlog",
    "queue_age",
    "webhook_signatures",
)
RULES = (PROVIDER_DOWN, FAILURE_RATE, QUEUE_BACKLOG, QUEUE_AGE, WEBHOOK_SIGNATURES)
WEBHOOK_SOURCES = {"unisendergo": "UnisenderGo", "cloudpayments": "CloudPayments"}
# Letters still on their way, or never meant to go, are not counted in the failure rate.
UNFINISHED = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.CANCELLED)
HEADER_CACHE = "monitoring_header"


@dataclass
class Finding:
    """A condition a rule found true now."""

    rule: str
    key: str
    severity: str
    details: dict = field(default_factory=dict)


def _provider_findings() -> list[Finding]:
    findings = []
    for name, title in monitoring.PROVIDERS.items():
        state = monitoring.provider_state(name)
        if state["state"] in (monitoring.DOWN, monitoring.CIRCUIT_OPEN):
            details = {"provider": title, "state": state["state"], "last_error": state["last_error"]}
            findings.append(Finding(PROVIDER_DOWN, name, Severity.CRITICAL, details))
    return findings


def _failure_rate_findings() -> list[Finding]:
    c = current_app.config
    window = timedelta(seconds=c["MONITORING_FAILURE_WINDOW_SECONDS"])
    since = utcnow() - window
    # updated_at says when a letter finished; created_at (indexed) keeps the scan to the letters of
    # the last two windows, so that the rule stays cheap on a large message table.
    failed = db.func.sum(db.case((Message.status == MessageStatus.FAILED, 1), else_=0))
    finished, failures = db.session.execute(
        db.select(db.func.count(), failed).where(
            Message.created_at >= since - window,
            Message.updated_at >= since,
            Message.status.not_in(UNFINISHED),
        )
    ).one()
    failures = int(failures or 0)
    if finished < c["MONITORING_FAILURE_MIN_MESSAGES"] or failures / finished < c["MONITORING_FAILURE_RATE"]:
        return []
    details = {
        "failed": failures,
        "finished": finished,
        "rate": round(failures / finished, 4),
        "threshold": c["MONITORING_FAILURE_RATE"],
        "window_seconds": c["MONITORING_FAILURE_WINDOW_SECONDS"],
    }
    return [Finding(FAILURE_RATE, "email", Severity.WARNING, details)]


def _queue_findings() -> list[Finding]:
    c = current_app.config
    findings = []
    for queue in monitoring.queues():
        if queue["length"] >= c["MONITORING_QUEUE_BACKLOG"]:
            details = {
                "queue": queue["name"],
                "length": queue["length"],
                "threshold": c["MONITORING_QUEUE_BACKLOG"],
            }
            findings.append(Finding(QUEUE_BACKLOG, queue["name"], Severity.WARNING, details))
        age = queue["oldest_job_age_seconds"]
        if age is not None and age >= c["MONITORING_QUEUE_AGE_SECONDS"]:
            details = {
                "queue": queue["name"],
                "age_seconds": round(age),
                "threshold": c["MONITORING_QUEUE_AGE_SECONDS"],
                "workers_alive": queue["workers_alive"],
            }
            severity = Severity.WARNING if queue["workers_alive"] else Severity.CRITICAL
            findings.append(Finding(QUEUE_AGE, queue["name"], severity, details))
    return findings


def _webhook_findings() -> list[Finding]:
    c = current_app.config
    findings = []
    for source, title in WEBHOOK_SOURCES.items():
        count = monitoring.webhook_rejections(source)
        if count >= c["MONITORING_WEBHOOK_REJECTIONS"]:
            details = {
                "source": title,
                "count": count,
                "window_seconds": c["MONITORING_WEBHOOK_WINDOW_SECONDS"],
            }
            findings.append(Finding(WEBHOOK_SIGNATURES, source, Severity.WARNING, details))
    return findings


def current_findings() -> tuple[list[Finding], set[str]]:
    """What every rule finds now, and the rules that could not look (their alerts stay as they are)."""
    findings, blind = [], set()
    for rules, check in (
        ({PROVIDER_DOWN}, _provider_findings),
        ({FAILURE_RATE}, _failure_rate_findings),
        ({QUEUE_BACKLOG, QUEUE_AGE}, _queue_findings),
        ({WEBHOOK_SIGNATURES}, _webhook_findings),
    ):
        try:
            findings += check()
        except RedisError as exc:
            log.warning("alert rules %s skipped, Redis unavailable: %s", sorted(rules), exc)
            blind |= rules
    return findings, blind


def describe(rule: str, details: dict) -> str:
    """The alert in words, in the reader's language."""
    d = details or {}
    if rule == PROVIDER_DOWN:
        if d.get("state") == monitoring.CIRCUIT_OPEN:
            return _("%(provider)s is failing: circuit open, calls paused", provider=d.get("provider"))
        return _("%(provider)s is down: its last calls failed", provider=d.get("provider"))
    if rule == FAILURE_RATE:
        return _(
            "%(percent)s%% of letters failed in the last %(minutes)s min (%(failed)s of %(finished)s)",
            percent=round(d.get("rate", 0) * 100),
            minutes=d.get("window_seconds", 0) // 60,
            failed=d.get("failed"),
            finished=d.get("finished"),
        )
    if rule == QUEUE_BACKLOG:
        return _("Queue %(queue)s: %(length)s jobs waiting", queue=d.get("queue"), length=d.get("length"))
    if rule == QUEUE_AGE:
        return _(
            "Queue %(queue)s: the oldest job has waited %(minutes)s min (live workers: %(workers)s)",
            queue=d.get("queue"),
            minutes=d.get("age_seconds", 0) // 60,
            workers=d.get("workers_alive"),
        )
    if rule == WEBHOOK_SIGNATURES:
        return _(
            "%(source)s webhooks: %(count)s refused for a bad signature in %(minutes)s min",
            source=d.get("source"),
            count=d.get("count"),
            minutes=d.get("window_seconds", 0) // 60,
        )
    return rule


def stored_text(rule: str, details: dict) -> str:
    """The text kept with the alert (the API's `message`): in the hub's default language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return describe(rule, details)


def evaluate() -> dict:
    """Raise an alert for each new finding, refresh the ones still true, resolve the rest.

    The caller commits.
    """
    now = utcnow()
    findings, blind = current_findings()
    found = {(f.rule, f.key): f for f in findings}
    active = {
        (a.rule, a.key): a
        for a in db.session.execute(db.select(Alert).where(Alert.resolved_at.is_(None))).scalars()
    }
    outcome = {"raised": 0, "resolved": 0, "active": 0}
    for key, alert in active.items():
        finding = found.pop(key, None)
        if finding is not None:
            alert.severity, alert.details, alert.last_seen_at = finding.severity, finding.details, now
            alert.message = stored_text(finding.rule, finding.details)
        elif alert.rule not in blind:
            alert.resolved_at = now
            outcome["resolved"] += 1
    for finding in found.values():
        db.session.add(
            Alert(
                rule=finding.rule,
                key=finding.key,
                severity=finding.severity,
                message=stored_text(finding.rule, finding.details),
                details=finding.details,
                raised_at=now,
                last_seen_at=now,
            )
        )
        log.warning("alert raised: %s %s %s", finding.rule, finding.key, finding.details)
        outcome["raised"] += 1
    try:
        db.session.flush()
    except IntegrityError:
        # Another evaluator raised the same alert a moment ago: its alert stands.
        db.session.rollback()
        return {"raised": 0, "resolved": 0, "active": None}
    outcome["active"] = len(active) - outcome["resolved"] + outcome["raised"]
    forget(HEADER_CACHE, lambda _key: True)
    return outcome


class AlertNotFound(Exception):
    pass


def acknowledge(alert_id: int, user_id: int) -> Alert:
    """Record who saw the alert and when; it stays on the page until it resolves. The caller commits."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(alert_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), user_id
    forget(HEADER_CACHE, lambda _key: True)
    return alert


def alerts_statement(severity: str | None = None):
    """Active alerts first (newest first), then the resolved ones, most recently resolved first."""
    query = db.select(Alert).order_by(
        Alert.resolved_at.is_not(None), Alert.resolved_at.desc(), Alert.raised_at.desc(), Alert.id.desc()
    )
    return query.where(Alert.severity == severity) if severity else query


def active_alerts() -> list[Alert]:
    query = (
        db.select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.raised_at.desc(), Alert.id.desc())
    )
    return list(db.session.execute(query).scalars())


def resolved_statement():
    return (
        db.select(Alert)
        .where(Alert.resolved_at.is_not(None))
        .order_by(Alert.resolved_at.desc(), Alert.id.desc())
    )


def unacknowledged_summary(limit: int = 3) -> dict:
    """For the header on every page: the unacknowledged active alerts, remembered a few seconds."""

    def load() -> dict:
        query = (
            db.select(Alert.id, Alert.rule, Alert.severity, Alert.details)
            .where(Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))
            .order_by(Alert.severity == Severity.WARNING, Alert.raised_at.desc())
        )
        rows = db.session.execute(query.limit(limit)).all()
        total = len(rows)
        if total == limit:
            total = db.session.execute(
                db.select(db.func.count())
                .select_from(Alert)
                .where(Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))
            ).scalar()
        return {"total": total, "alerts": [row._asdict() for row in rows]}

    return remembered(HEADER_CACHE, "all", 5.0, load)


def alert_to_dict(alert: Alert) -> dict:
    def moment(value):
        return value.isoformat(timespec="seconds") if value else None

    return {
        "id": alert.id,
        "rule": alert.rule,
        "key": alert.key,
        "severity": alert.severity,
        "message": alert.message,
        "details": alert.details,
        "active": alert.active,
        "raised_at": moment(alert.raised_at),
        "last_seen_at": moment(alert.last_seen_at),
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by else None,
        "acknowledged_at": moment(alert.acknowledged_at),
        "resolved_at": moment(alert.resolved_at),
    }
