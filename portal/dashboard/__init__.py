"""The portal's home: today's messages at a glance."""

from flask import Blueprint, render_template

from portal.extensions import db
from portal.models import Message
from portal.security import STAFF_ROLES, roles_required
from portal.services.health import check_database, check_redis
from portal.services.message_log import counts_since, start_of_today

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    recent = db.session.execute(db.select(Message).order_by(Message.id.desc()).limit(8)).scalars().all()
    return render_template(
        "dashboard/index.html",
        counts=counts_since(start_of_today()),
        today=start_of_today().date().isoformat(),
        recent=recent,
        checks={"database": check_database(), "redis": check_redis()},
    )
