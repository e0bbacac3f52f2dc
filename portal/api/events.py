"""ФТ-024-026: Events from Bitrix for moderation, and moderation itself as JSON."""

from flask import g, jsonify, request

from portal.api import bp
from portal.api import query_params as q
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.donations import event_id as event_id_field
from portal.api.errors import ApiError
from portal.api.idempotency import idempotent
from portal.extensions import db
from portal.models import Event, EventStatus, Role
from portal.services import events
from portal.services.events import AlreadyDecided, Closing, EventNotFound, Notice, event_to_dict

NOTICE_FIELDS = {
    "event_id",
    "event_name",
    "event_creator_email",
    "event_description",
    "images_count",
    "target_amount",
    "event_date_from",
    "event_date_to",
}


def _required_event_id(data: dict) -> str:
    event_id = event_id_field(data)
    if not event_id:
        raise ApiError(400, "поле event_id: обязательное поле", field="event_id")
    return event_id


def _date(data: dict, name: str):
    """A date, or nothing: Bitrix sends an empty event_date_from for a new Event."""
    if data.get(name) in (None, ""):
        return None
    moment = v.timestamp(data, name)
    return moment.date()


@bp.post("/events/moderation-notice")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def events_moderation_notice():
    data = v.json_object()
    v.reject_unknown(data, NOTICE_FIELDS)
    event_id = _required_event_id(data)
    notice = Notice(
        event_id=event_id,
        name=v.string(data, "event_name", max_len=256),
        creator_email=v.email(data, "event_creator_email"),
        description=v.string(data, "event_description", max_len=20_000, required=False, nullable=True),
        images_count=v.integer(data, "images_count", lo=0, hi=1000, default=0),
        target_amount=v.money(data, "target_amount", hi="1000000000")
        if data.get("target_amount") is not None
        else None,
        date_from=_date(data, "event_date_from"),
        date_to=_date(data, "event_date_to"),
    )
    if notice.date_from and notice.date_to and notice.date_to < notice.date_from:
        raise ApiError(400, "поле event_date_to: не раньше event_date_from", field="event_date_to")
    event, outcome = events.receive_notice(notice, g.api_user.id)
    body = {**event_to_dict(event), "outcome": outcome}
    db.session.commit()
    return jsonify(body), 201 if outcome == "received" else 200


@bp.post("/events/closed")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def events_closed():
    """ФТ-003/006/027: the creator's letter with the total, every donor's letter; once."""
    data = v.json_object()
    v.reject_unknown(data, {"event_id", "total_amount", "event_creator_email", "event_name", "closed_at"})
    event_id = _required_event_id(data)
    closing = Closing(
        event_id=event_id,
        total_amount=v.money(data, "total_amount", lo="0", hi="1000000000"),
        creator_email=v.email(data, "event_creator_email"),
        name=v.string(data, "event_name", max_len=256),
        closed_at=v.timestamp(data, "closed_at"),
    )
    event, outcome = events.close(closing, g.api_user.id)
    body = {**event_to_dict(event), "outcome": outcome}
    db.session.commit()
    return jsonify(body), 202 if outcome == "closed" else 200


@bp.get("/events")
@token_required(Role.MODERATOR, Role.ADMIN)
def events_list():
    status = request.args.get("status", EventStatus.PENDING_MODERATION)
    if status not in set(EventStatus):
        raise ApiError(400, "параметр status: одно из " + ", ".join(EventStatus), field="status")
    page = q.integer("page", lo=1, hi=100_000, default=1)
    limit = q.integer("limit", lo=1, hi=100, default=20)
    query = db.select(Event).filter_by(status=status)
    # The moderation queue is worked oldest first; decided Events newest first.
    order = Event.submitted_at.asc() if status == EventStatus.PENDING_MODERATION else Event.updated_at.desc()
    result = db.paginate(query.order_by(order, Event.id), page=page, per_page=limit, error_out=False)
    return jsonify(
        items=[event_to_dict(e) for e in result.items],
        page=page,
        limit=limit,
        total=result.total,
        status=status,
    )


@bp.get("/events/<event_id>")
@token_required(Role.MODERATOR, Role.ADMIN)
def events_get(event_id: str):
    try:
        return jsonify(event_to_dict(events.find(event_id), with_history=True))
    except EventNotFound:
        raise ApiError(404, f"Событие {event_id!r} не найдено") from None


def _decision(event_id: str, decide):
    try:
        event = decide()
    except EventNotFound:
        db.session.rollback()
        raise ApiError(404, f"Событие {event_id!r} не найдено") from None
    except AlreadyDecided as exc:
        state = exc.event.status
        db.session.rollback()
        raise ApiError(409, f"Событие {event_id!r} уже рассмотрено: статус {state}") from None
    body = event_to_dict(event)
    db.session.commit()
    return jsonify(body)


@bp.post("/events/<event_id>/approve")
@token_required(Role.MODERATOR, Role.ADMIN)
def events_approve(event_id: str):
    data = v.json_object(required=False)
    v.reject_unknown(data, {"comment", "admin_id"})
    comment = v.string(data, "comment", max_len=2000, required=False, nullable=True)
    return _decision(event_id, lambda: events.approve(event_id, g.api_user.id, comment))


@bp.post("/events/<event_id>/reject")
@token_required(Role.MODERATOR, Role.ADMIN)
def events_reject(event_id: str):
    data = v.json_object(required=False)
    v.reject_unknown(data, {"rejection_reason", "admin_id"})
    reason = v.string(data, "rejection_reason", max_len=2000)
    return _decision(event_id, lambda: events.reject(event_id, g.api_user.id, reason))
