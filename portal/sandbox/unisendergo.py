"""Simulated UnisenderGo: email/send.json, de-duplicated by idempotence_key, with webhooks."""

import hmac
import time
import uuid

from email_validator import EmailNotValidError, validate_email
from flask import current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import SandboxEmail, SandboxRequest
from portal.queueing import enqueue_after_commit
from portal.sandbox import faults, providers_bp
from portal.sandbox.webhooks import WEBHOOK_JOB
from portal.services.rendering import substitute

# Recipients at these domains let tests and demos see each provider outcome.
REFUSED_DOMAINS = {
    "invalid.sandbox.example.org": "invalid",
    "unavailable.sandbox.example.org": "permanent_unavailable",
    "busy.sandbox.example.org": "temporary_unavailable",
}
BOUNCING_DOMAINS = {"bounce.sandbox.example.org": "hard_bounced", "soft.sandbox.example.org": "soft_bounced"}


def _error(status: int, message: str, code: int):
    return jsonify(status="error", message=message, code=code), status


@providers_bp.post("/unisendergo/ru/transactional/api/v1/email/send.json")
def unisendergo_send():
    """Accept a letter for one or more recipients, as UnisenderGo does."""
    payload = request.get_json(silent=True) or {}
    key = request.headers.get("X-API-KEY") or payload.get("api_key") or ""
    if not hmac.compare_digest(key.encode(), current_app.config["UNISENDERGO_API_KEY"].encode()):
        return _error(401, "Invalid API key", 102)
    fault = faults.take_fault("unisendergo")
    failure = faults.failure_response(fault)
    if failure is not None:
        return failure
    message = payload.get("message")
    problem = _invalid(message)
    if problem:
        return _error(400, problem, 101)
    key = message.get("idempotence_key") or None
    if key:
        seen = db.session.execute(db.select(SandboxRequest).filter_by(idempotence_key=key)).scalar()
        if seen is not None:
            seen.repeats += 1
            db.session.commit()
            return jsonify(seen.response)
    try:
        response = _record(message, key)
        db.session.commit()
        if fault is not None:  # slow_success: served, but the client will have given up
            time.sleep(faults.fault_delay(fault))
    except IntegrityError:  # the same key raced in from another worker
        db.session.rollback()
        seen = db.session.execute(db.select(SandboxRequest).filter_by(idempotence_key=key)).scalar_one()
        seen.repeats += 1
        db.session.commit()
        return jsonify(seen.response)
    return jsonify(response)


def _invalid(message) -> str | None:
    if not isinstance(message, dict):
        return "message is required"
    recipients = message.get("recipients")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= 500:
        return "message.recipients must hold 1 to 500 recipients"
    if any(not isinstance(r, dict) or not r.get("email") for r in recipients):
        return "every recipient needs an email"
    body = message.get("body") or {}
    if not message.get("template_id") and not (message.get("subject") and body.get("html")):
        return "subject and body.html are required without template_id"
    if not message.get("from_email"):
        return "from_email is required"
    return None


def _record(message: dict, key: str | None) -> dict:
    job_id = uuid.uuid4().hex[:18]
    sandbox_request = SandboxRequest(provider="unisendergo", idempotence_key=key, job_id=job_id)
    db.session.add(sandbox_request)
    db.session.flush()
    accepted, failed, rows = [], {}, []
    body = message.get("body") or {}
    for recipient in message["recipients"]:
        email = str(recipient["email"])
        domain = email.rpartition("@")[2].lower()
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            failed[email] = "invalid"
            continue
        if domain in REFUSED_DOMAINS:
            failed[email] = REFUSED_DOMAINS[domain]
            continue
        accepted.append(email)
        rows.append(
            {
                "request_id": sandbox_request.id,
                "job_id": job_id,
                "email": email,
                "from_email": message["from_email"],
                "from_name": message.get("from_name"),
                "subject": _substitute(message.get("subject", ""), recipient),
                "html": _substitute(body.get("html", ""), recipient),
                "plaintext": _substitute(body.get("plaintext", ""), recipient),
                "substitutions": recipient.get("substitutions") or {},
                "meta": recipient.get("metadata") or {},
                "status": BOUNCING_DOMAINS.get(domain, "delivered"),
            }
        )
    if rows:
        db.session.execute(db.insert(SandboxEmail), rows)
    response = {"status": "success", "job_id": job_id, "emails": accepted, "failed_emails": failed}
    sandbox_request.response = response
    sandbox_request.webhook_state = "pending" if accepted else "none"
    if accepted:
        enqueue_after_commit(db.session, WEBHOOK_JOB, sandbox_request.id, retry=5)
    return response


def _substitute(text: str, recipient: dict) -> str:
    """UnisenderGo's 'simple' engine: {{name}} replaced by the recipient's substitution."""
    values = {str(k): str(v) for k, v in (recipient.get("substitutions") or {}).items()}
    return substitute(text, values) if values else text
