"""Moderation in the portal (ФТ-025, ФТ-026): the queue of Events waiting, oldest first, and the
decision on each. The same decisions as the JSON API: services/events."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import Event, EventStatus, Role
from portal.models.base import utcnow
from portal.security import roles_required
from portal.services import events
from portal.services.events import AlreadyDecided, EventChanged, EventNotFound
from portal.services.message_log import PER_PAGE, UrlFilter

bp = Blueprint("moderation", __name__)
MODERATION_ROLES = (Role.MODERATOR, Role.ADMIN)


@dataclass
class QueueFilter(UrlFilter):
    status: str = EventStatus.PENDING_MODERATION
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        raw = cls.raw(args)
        raw.status = raw.status if raw.status in set(EventStatus) else EventStatus.PENDING_MODERATION
        return raw

    def statement(self):
        query = db.select(Event).where(Event.status == self.status)
        if self.q:
            like = f"%{self.q}%"
            query = query.where(
                or_(Event.name.ilike(like), Event.creator_email.ilike(like), Event.event_id == self.q)
            )
        if self.status == EventStatus.PENDING_MODERATION:
            return query.order_by(Event.submitted_at, Event.id)  # the longest waiting first
        return query.order_by(Event.decided_at.desc().nulls_last(), Event.id.desc())


@bp.app_context_processor
def _waiting_count() -> dict:
    """The number on the Moderation link, for those who moderate."""
    if not (current_user.is_authenticated and current_user.has_role(*MODERATION_ROLES)):
        return {}
    query = (
        db.select(db.func.count()).select_from(Event).where(Event.status == EventStatus.PENDING_MODERATION)
    )
    return {"moderation_waiting": db.session.execute(query).scalar()}


@bp.app_template_filter("waited")
def waited(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return _("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=minutes)
    return _("%(m)s min", m=minutes)


@bp.get("/")
@roles_required(*MODERATION_ROLES)
def queue():
    flt = QueueFilter.from_args(request.args)
    page = db.paginate(
        flt.statement(), page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    counts = dict(db.session.execute(db.select(Event.status, db.func.count()).group_by(Event.status)).all())
    return render_page(
        "moderation/queue.html",
        "moderation/_queue_table.html",
        page=page,
        flt=flt,
        counts=counts,
        statuses=list(EventStatus),
        now=utcnow(),
    )


@bp.get("/<event_id>")
@roles_required(*MODERATION_ROLES)
def detail(event_id: str):
    event = db.first_or_404(db.select(Event).filter_by(event_id=event_id))
    progress = events.fanout_progress(event) if event.fanout_state else None
    return render_template("moderation/detail.html", event=event, now=utcnow(), progress=progress)


def _seen():
    """When the moderator's page showed the Event (its updated_at), from the form."""
    try:
        return datetime.fromisoformat(request.form.get("seen", ""))
    except ValueError:
        return None


@bp.post("/<event_id>/approve")
@roles_required(*MODERATION_ROLES)
def approve(event_id: str):
    comment = request.form.get("comment", "").strip()[:2000] or None
    return _decide(
        event_id,
        lambda: events.approve(event_id, current_user.id, comment, seen=_seen()),
        _("Event approved and published."),
    )


@bp.post("/<event_id>/reject")
@roles_required(*MODERATION_ROLES)
def reject(event_id: str):
    reason = request.form.get("rejection_reason", "").strip()[:2000]
    if not reason:
        flash(_("Say why the Event is rejected: the creator will read it."), "error")
        return redirect_after_post(url_for("moderation.detail", event_id=event_id))
    return _decide(
        event_id,
        lambda: events.reject(event_id, current_user.id, reason, seen=_seen()),
        _("Event rejected; the creator is told why."),
    )


def _decide(event_id: str, decide, done: str):
    try:
        decide()
    except EventNotFound:
        db.session.rollback()
        flash(_("There is no such Event."), "error")
        return redirect_after_post(url_for("moderation.queue"))
    except EventChanged:
        db.session.rollback()
        flash(
            _("Bitrix changed this Event while you were reading it: look at it again, then decide."), "error"
        )
        return redirect_after_post(url_for("moderation.detail", event_id=event_id))
    except AlreadyDecided as exc:
        event = exc.event
        who = event.decided_by.username if event.decided_by else "—"
        db.session.rollback()
        flash(_("Someone was quicker: %(who)s already decided this Event.", who=who), "error")
        return redirect_after_post(url_for("moderation.detail", event_id=event_id))
    db.session.commit()
    flash(done, "success")
    return redirect_after_post(url_for("moderation.queue"))
