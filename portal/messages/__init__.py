"""The message log: every letter with its status history."""

from flask import Blueprint, request

from portal.extensions import db
from portal.htmx import render_page
from portal.models import Message, MessageStatus
from portal.security import STAFF_ROLES, roles_required
from portal.services.message_log import STATUS_GROUPS, MessageFilter, search, templates_for_filter
from portal.services.messages import history

bp = Blueprint("messages", __name__)


@bp.get("/")
@roles_required(*STAFF_ROLES)
def message_list():
    flt = MessageFilter.from_args(request.args)
    page = search(flt, request.args.get("page", 1, type=int))
    return render_page(
        "messages/list.html",
        "messages/_table.html",
        page=page,
        flt=flt,
        statuses=list(MessageStatus),
        status_groups=list(STATUS_GROUPS),
        templates=templates_for_filter(),
    )


@bp.get("/<int:message_id>")
@roles_required(*STAFF_ROLES)
def message_detail(message_id: int):
    message = db.get_or_404(Message, message_id)
    resent_as = None
    if message.resent_at:
        resent_as = db.session.execute(
            db.select(Message.id).filter_by(resent_from_id=message.id).order_by(Message.id).limit(1)
        ).scalar()
    return render_page(
        "messages/detail.html",
        "messages/detail.html",
        message=message,
        steps=history(message),
        resent_as=resent_as,
    )
