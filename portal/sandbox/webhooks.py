"""The sandbox's delivery-status callbacks, signed the way UnisenderGo signs them."""

import hashlib
import json
from datetime import UTC, datetime

import requests
from flask import current_app

from portal.extensions import db
from portal.jobs import app_job
from portal.models import SandboxEmail, SandboxRequest
from portal.queueing import enqueue_now

WEBHOOK_JOB = "portal.sandbox.webhooks.post_unisendergo_status"


def sign_unisendergo(payload: dict, api_key: str) -> bytes:
    """Compact JSON whose `auth` is the MD5 of the body with `auth` set to the API key."""
    unsigned = json.dumps({**payload, "auth": api_key}, separators=(",", ":"), ensure_ascii=False)
    auth = hashlib.md5(unsigned.encode()).hexdigest()
    return json.dumps({**payload, "auth": auth}, separators=(",", ":"), ensure_ascii=False).encode()


def status_events(emails: list[SandboxEmail]) -> list[dict]:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    events = []
    for email in emails:
        for status in ("sent", email.status):
            data = {
                "job_id": email.job_id,
                "metadata": email.meta,
                "email": email.email,
                "status": status,
                "event_time": now,
            }
            if status.endswith("bounced"):
                data["delivery_info"] = {
                    "delivery_status": "err_user_unknown",
                    "destination_response": "550 5.1.1 Mailbox does not exist",
                }
            events.append({"event_name": "transactional_email_status", "event_data": data})
    return events


@app_job
def post_unisendergo_status(request_id: int) -> None:
    """POST the statuses of one accepted request to the hub's webhook; raise to retry."""
    sandbox_request = db.session.get(SandboxRequest, request_id)
    if sandbox_request is None or sandbox_request.webhook_state == "sent":
        return
    emails = (
        db.session.execute(db.select(SandboxEmail).filter_by(request_id=request_id).order_by(SandboxEmail.id))
        .scalars()
        .all()
    )
    payload = {
        "events_by_user": [
            {
                "user_id": 1,
                "project_id": "sandbox",
                "project_name": "Mayak sandbox",
                "events": status_events(emails),
            }
        ]
    }
    body = sign_unisendergo(payload, current_app.config["UNISENDERGO_API_KEY"])
    db.session.rollback()
    response = requests.post(
        current_app.config["PUBLIC_BASE_URL"] + "/webhooks/unisendergo/status",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=current_app.config["PROVIDER_TIMEOUT_SECONDS"],
    )
    response.raise_for_status()
    sandbox_request = db.session.get(SandboxRequest, request_id)
    sandbox_request.webhook_state = "sent"
    db.session.commit()


def resend_stale_webhooks(stale_before: datetime) -> int:
    """Callbacks whose job was lost (say, with Redis) go out again, as a provider retries."""
    ids = (
        db.session.execute(
            db.select(SandboxRequest.id)
            .where(SandboxRequest.webhook_state == "pending", SandboxRequest.created_at < stale_before)
            .limit(5000)
        )
        .scalars()
        .all()
    )
    db.session.rollback()
    for request_id in ids:
        enqueue_now(WEBHOOK_JOB, request_id, retry=5)
    return len(ids)
