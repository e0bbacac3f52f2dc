"""The sandbox's delivery-status callbacks, signed the way UnisenderGo signs them."""

import hashlib
import json
from datetime import UTC, datetime

import requests
from flask import current_app

from portal.extensions import db
from portal.jobs import app_job
from portal.models import SandboxEmail, SandboxRequest

WEBHOOK_JOB = "portal.sandbox.webhooks.post_unisendergo_status"
EVENTS_PER_CALLBACK = 100  # UnisenderGo batches up to 100 events in one callback


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
    events = status_events(emails)
    db.session.rollback()
    for start in range(0, len(events), EVENTS_PER_CALLBACK):
        payload = {
            "events_by_user": [
                {
                    "user_id": 1,
                    "project_id": "sandbox",
                    "project_name": "Mayak sandbox",
                    "events": events[start : start + EVENTS_PER_CALLBACK],
                }
            ]
        }
        response = requests.post(
            current_app.config["PUBLIC_BASE_URL"] + "/webhooks/unisendergo/status",
            data=sign_unisendergo(payload, current_app.config["UNISENDERGO_API_KEY"]),
            headers={"Content-Type": "application/json"},
            timeout=current_app.config["PROVIDER_TIMEOUT_SECONDS"],
        )
        response.raise_for_status()
    sandbox_request = db.session.get(SandboxRequest, request_id)
    sandbox_request.webhook_state = "sent"
    db.session.commit()


def stale_webhook_requests(now: datetime, stale_before: datetime) -> list[int]:
    """Callbacks whose job was lost (say, with Redis): marked to go out again, as a provider retries."""
    ids = (
        db.session.execute(
            db.select(SandboxRequest.id)
            .where(
                SandboxRequest.webhook_state == "pending",
                db.func.coalesce(SandboxRequest.webhook_queued_at, SandboxRequest.created_at) < stale_before,
            )
            .limit(5000)
        )
        .scalars()
        .all()
    )
    if ids:
        db.session.execute(
            db.update(SandboxRequest).where(SandboxRequest.id.in_(ids)).values(webhook_queued_at=now)
        )
    return ids
