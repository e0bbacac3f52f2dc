"""The sandbox inbox: every email the sandbox 'delivered', rendered, like Mailpit."""

from flask import request

from portal.extensions import db
from portal.htmx import render_page
from portal.models import SandboxEmail
from portal.sandbox import bp
from portal.security import STAFF_ROLES, roles_required

PER_PAGE = 25


@bp.get("/inbox")
@roles_required(*STAFF_ROLES)
def inbox_list():
    q = request.args.get("q", "").strip()
    query = db.select(SandboxEmail).order_by(SandboxEmail.id.desc())
    if q:
        like = f"%{q}%"
        query = query.where(SandboxEmail.email.ilike(like) | SandboxEmail.subject.ilike(like))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    return render_page("sandbox/inbox.html", "sandbox/_inbox_table.html", page=page, q=q)


@bp.get("/inbox/<int:email_id>")
@roles_required(*STAFF_ROLES)
def inbox_email(email_id: int):
    email = db.get_or_404(SandboxEmail, email_id)
    return render_page("sandbox/email.html", "sandbox/email.html", email=email)
