"""Queueing letters, recording their history, and applying provider statuses."""

from datetime import datetime

from portal.extensions import db
from portal.models import Message, MessageEvent, MessageStatus, MessageTemplate
from portal.models.message import PROBLEM_STATUSES, PROGRESS
from portal.queueing import kick_after_commit


class TemplateNotFound(LookupError):
    pass


def find_template(identifier: int | str) -> MessageTemplate:
    """A template by numeric id or by code."""
    if isinstance(identifier, int) or (isinstance(identifier, str) and identifier.isdigit()):
        template = db.session.get(MessageTemplate, int(identifier))
    else:
        query = db.select(MessageTemplate).filter_by(code=identifier)
        template = db.session.execute(query).scalar_one_or_none()
    if template is None:
        raise TemplateNotFound(identifier)
    return template


def missing_variables(template: MessageTemplate, variables: dict) -> list[str]:
    return [name for name in template.variables if name not in variables]


def queue_message(
    template: MessageTemplate,
    recipient: str,
    variables: dict,
    *,
    kind: str,
    created_by_id: int | None = None,
    subject_override: str | None = None,
    body_override: str | None = None,
) -> Message:
    """Write a letter to the outbox; it is sent once the caller's transaction commits."""
    message = Message(
        channel=template.channel,
        kind=kind,
        template=template,
        recipient=recipient,
        variables=variables,
        subject_override=subject_override,
        body_override=body_override,
        created_by_id=created_by_id,
        status=MessageStatus.QUEUED,
    )
    db.session.add(message)
    db.session.flush()
    db.session.add(MessageEvent(message_id=message.id, status=MessageStatus.QUEUED))
    return message


def dispatch_after_commit(messages: list[Message]) -> None:
    """Ask the workers to deliver queued messages as soon as the transaction commits."""
    if messages:
        kick_after_commit(db.session)


def apply_provider_status(message: Message, status: MessageStatus, detail: str | None, at: datetime) -> dict:
    """Move a message forward on a provider event; late or repeated events never move it back.

    Returns the history row to store (the caller inserts many at once).
    """
    event = {
        "message_id": message.id,
        "status": status,
        "source": "provider",
        "detail": detail,
        "occurred_at": at,
    }
    _advance(message, status, detail)
    return event


def _advance(message: Message, status: MessageStatus, detail: str | None) -> None:
    current = MessageStatus(message.status)
    if status in PROBLEM_STATUSES:
        # A soft bounce after delivery is an auto-reply, not a failure.
        if status == MessageStatus.SOFT_BOUNCED and PROGRESS.get(current, 0) >= 3:
            return
        message.status = status
        if detail:
            message.last_error = detail
    elif current in PROBLEM_STATUSES and current != MessageStatus.SOFT_BOUNCED:
        return
    elif PROGRESS.get(status, 0) > PROGRESS.get(current, -1):
        message.status = status


def message_to_dict(message: Message, with_history: bool = False) -> dict:
    data = {
        "id": message.id,
        "channel": message.channel,
        "kind": message.kind,
        "template_id": message.template_id,
        "template": message.template.code,
        "recipient": message.recipient,
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": message.created_at.isoformat(),
        "updated_at": message.updated_at.isoformat(),
    }
    if with_history:
        data["variables"] = message.variables
        data["subject"] = message.rendered_subject
        data["history"] = [
            {
                "status": e.status,
                "source": e.source,
                "detail": e.detail,
                "at": e.occurred_at.isoformat(),
            }
            for e in message.events
        ]
    return data
