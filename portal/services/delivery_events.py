"""Applying UnisenderGo delivery-status events to messages."""

from datetime import UTC, datetime

from portal.database import insert_ignoring_conflicts
from portal.extensions import db
from portal.models import Message, MessageEvent, MessageStatus
from portal.services.messages import apply_provider_status

KNOWN_STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "opened": MessageStatus.OPENED,
    "clicked": MessageStatus.CLICKED,
    "unsubscribed": MessageStatus.UNSUBSCRIBED,
    "soft_bounced": MessageStatus.SOFT_BOUNCED,
    "hard_bounced": MessageStatus.HARD_BOUNCED,
    "spam": MessageStatus.SPAM,
}


class InvalidEvents(ValueError):
    """The body is not UnisenderGo's events_by_user structure."""


def _event_time(value) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


def apply_status_events(payload: dict) -> dict:
    """Apply every email-status event; unknown messages and event kinds are counted, not fatal."""
    try:
        groups = payload["events_by_user"]
        events = [event for group in groups for event in group["events"]]
    except (KeyError, TypeError) as exc:
        raise InvalidEvents("events_by_user[].events[] is required") from exc
    counts = {"applied": 0, "unknown_message": 0, "ignored": 0}
    wanted: dict[int, list[dict]] = {}
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("event_data"), dict):
            counts["ignored"] += 1
            continue
        data = event["event_data"]
        status = KNOWN_STATUSES.get(data.get("status"))
        message_id = str((data.get("metadata") or {}).get("message_id", ""))
        if event.get("event_name") != "transactional_email_status" or status is None:
            counts["ignored"] += 1
        elif not message_id.isdigit():
            counts["unknown_message"] += 1
        else:
            wanted.setdefault(int(message_id), []).append(data)
    messages = {
        m.id: m for m in db.session.execute(db.select(Message).where(Message.id.in_(wanted))).scalars()
    }
    history = []
    for message_id, items in wanted.items():
        message = messages.get(message_id)
        if message is None:
            counts["unknown_message"] += len(items)
            continue
        for data in items:
            info = data.get("delivery_info") or {}
            detail = " ".join(
                str(x) for x in (info.get("delivery_status"), info.get("destination_response")) if x
            )
            history.append(
                apply_provider_status(
                    message,
                    KNOWN_STATUSES[data["status"]],
                    detail or None,
                    _event_time(data.get("event_time")),
                )
            )
            counts["applied"] += 1
    if history:
        # A repeated callback carries the same events: stored once (unique per message, status, time).
        db.session.execute(insert_ignoring_conflicts(MessageEvent, history))
    return counts
