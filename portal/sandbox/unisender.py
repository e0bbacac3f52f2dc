"""Simulated Unisender: the subscribe method, answering as the real API does."""

import hmac
import time

from email_validator import EmailNotValidError, validate_email
from flask import current_app, jsonify, request

from portal.extensions import db
from portal.models import SandboxSubscriber
from portal.sandbox import faults, providers_bp


@providers_bp.route("/unisender/<lang>/api/subscribe", methods=["GET", "POST"])
def unisender_subscribe(lang: str):
    params = request.values
    key = params.get("api_key", "")
    if not hmac.compare_digest(key.encode(), current_app.config["UNISENDER_API_KEY"].encode()):
        return jsonify(error="Invalid API key", code="invalid_api_key")
    fault = faults.take_fault("unisender")
    failure = faults.failure_response(fault)
    if failure is not None:
        return failure
    list_ids = [x for x in params.get("list_ids", "").split(",") if x.strip()]
    email = params.get("fields[email]", "")
    if not list_ids:
        return jsonify(error="list_ids is required", code="invalid_arg")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return jsonify(error=f"invalid email: {email!r}", code="invalid_arg")
    person = None
    for list_id in list_ids:
        person = db.session.execute(
            db.select(SandboxSubscriber).filter_by(list_id=list_id, email=email.lower())
        ).scalar()
        if person is None:
            person = SandboxSubscriber(list_id=list_id, email=email.lower(), requests=0)
            db.session.add(person)
        person.requests += 1
        person.name = params.get("fields[Name]") or person.name
        person.tags = params.get("tags") or person.tags
    db.session.commit()
    if fault is not None:  # slow_success
        time.sleep(faults.fault_delay(fault))
    return jsonify(result={"person_id": person.id})
