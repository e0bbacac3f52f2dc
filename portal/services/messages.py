"""Queueing letters, recording their history, and applying provider statuses."""

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg.types.json import Json
from sqlalchemy import insert

from portal.database import execute_autocommitted, transaction_open
from portal.extensions import db
from portal.models import Message, MessageStatus, MessageTemplate
from portal.models.base import utcnow
from portal.models.message import PROBLEM_STATUSES, PROGRESS
from portal.queueing import DISPATCH_JOB, enqueue_after_commit, kick_after_commit, kick_soon
from portal.services.process_cache import remembered


class TemplateNotFound(LookupError):
    pass


TEMPLATE_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class TemplateRef:
    """What queueing a letter needs of its template, cached briefly per process."""

    id: int
    code: str
    channel: str
    variables: tuple[str, ...]


def template_ref(identifier: int | str) -> TemplateRef:
    """A template by numeric id or code, from a short-lived per-process cache."""

    def load() -> TemplateRef:
        template = find_template(identifier)
        return TemplateRef(template.id, template.code, template.channel, tuple(template.variables))

    return remembered("templates", identifier, TEMPLATE_CACHE_SECONDS, load)


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


def missing_variables(template: TemplateRef, variables: dict) -> list[str]:
    return [name for name in template.variables if name not in variables]


@dataclass(frozen=True)
class QueuedMessage:
    """A letter just written to the outbox (what the API answers with)."""

    id: int
    channel: str
    kind: str
    template_id: int
    recipient: str
    created_at: datetime
    status: str = MessageStatus.QUEUED
    attempts: int = 0
    last_error: str | None = None

    @property
    def updated_at(self) -> datetime:
        return self.created_at


def _outbox_row(template: TemplateRef, recipient: str, variables: dict, now: datetime, **options) -> dict:
    return {
        "channel": template.channel,
        "template_id": template.id,
        "recipient": recipient,
        "variables": variables,
        "subject_override": options.get("subject_override"),
        "body_override": options.get("body_override"),
        "created_by_id": options.get("created_by_id"),
        "kind": options["kind"],
        "reference": options.get("reference"),
        "status": MessageStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": options.get("next_attempt_at"),
        "created_at": now,
        "updated_at": now,
    }


def queue_messages(template: TemplateRef, letters: list[tuple[str, dict]], **options) -> list[QueuedMessage]:
    """Write letters (recipient, variables) to the outbox in one statement; the caller commits.

    Options: kind (required), reference, created_by_id, subject_override, body_override,
    next_attempt_at (a letter for later: not sent before then). The history of a
    letter starts with 'queued' at created_at, which needs no row of its own.
    """
    now = utcnow()
    rows = [_outbox_row(template, recipient, variables, now, **options) for recipient, variables in letters]
    table = Message.__table__  # a Core insert: the ORM's unit of work costs more than the insert
    if len(rows) == 1:  # without the many-rows machinery (a third of the cost)
        ids = [db.session.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()]
    else:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = db.session.execute(statement, rows).scalars().all()
    return [
        QueuedMessage(id, template.channel, options["kind"], template.id, recipient, now)
        for id, (recipient, _) in zip(ids, letters, strict=True)
    ]


def queue_message(template: TemplateRef, recipient: str, variables: dict, **options) -> QueuedMessage:
    """Write one letter to the outbox; it is sent once the caller's transaction commits."""
    return queue_messages(template, [(recipient, variables)], **options)[0]


def queue_message_now(template: TemplateRef, recipient: str, variables: dict, **options) -> QueuedMessage:
    """Queue one letter that is the caller's whole unit of work: committed, and dispatched, at once.

    On PostgreSQL with nothing else pending in the session this is a single autocommitted INSERT
    on a pooled connection, the cheapest durable outbox write (no BEGIN/COMMIT round trips, no
    SQLAlchemy statement machinery): the common case of every trigger. Otherwise the session
    writes it and commits, together with whatever else it holds.
    """
    if transaction_open() or db.engine.dialect.name != "postgresql":
        message = queue_message(template, recipient, variables, **options)
        dispatch_after_commit([message])
        db.session.commit()
        return message
    now = utcnow()
    message_id = _insert_autocommitted(_outbox_row(template, recipient, variables, now, **options))
    kick_soon()
    return QueuedMessage(message_id, template.channel, options["kind"], template.id, recipient, now)


_COLUMNS = (
    "channel kind template_id recipient variables subject_override body_override created_by_id"
    " status attempts created_at updated_at"
).split()
_INSERT_ONE = "INSERT INTO message ({}) VALUES ({}) RETURNING id".format(
    ", ".join(_COLUMNS), ", ".join(["%s"] * len(_COLUMNS))
)


def _insert_autocommitted(row: dict) -> int:
    """One message row, straight to the PostgreSQL driver; timestamps as naive UTC (UTCDateTime)."""
    values = [row[name] for name in _COLUMNS]
    values[_COLUMNS.index("variables")] = Json(row["variables"])
    for name in ("created_at", "updated_at"):
        values[_COLUMNS.index(name)] = row[name].astimezone(UTC).replace(tzinfo=None)
    return execute_autocommitted(_INSERT_ONE, values)[0]


def kick_dispatch_at(moment: datetime) -> None:
    """Have the dispatcher look when letters queued for `moment` fall due (once committed)."""
    enqueue_after_commit(
        db.session,
        DISPATCH_JOB,
        delay=max((moment - utcnow()).total_seconds(), 0.01),
        job_id=f"dispatch-at-{int(moment.timestamp()) + 1}",
    )


def dispatch_after_commit(messages: list) -> None:
    """Ask the workers to deliver queued messages as soon as the transaction commits."""
    if messages:
        kick_after_commit(db.session)


def history(message: Message) -> list[dict]:
    """The message's steps, oldest first, starting with its queueing."""
    steps = [{"status": MessageStatus.QUEUED, "source": "hub", "detail": None, "at": message.created_at}]
    steps += [
        {"status": e.status, "source": e.source, "detail": e.detail, "at": e.occurred_at}
        for e in message.events
    ]
    return steps


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


def message_to_dict(message: Message, with_history: bool = False, template_code: str | None = None) -> dict:
    data = {
        "id": message.id,
        "channel": message.channel,
        "kind": message.kind,
        "template_id": message.template_id,
        "template": template_code or message.template.code,
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
        data["history"] = [{**step, "at": step["at"].isoformat()} for step in history(message)]
    return data
