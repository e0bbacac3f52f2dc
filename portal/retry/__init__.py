"""ФТ-019 in the portal: failed letters by filter, resent chosen or all matching, with progress."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import MessageStatus, ResendItem, ResendRun, Role
from portal.security import roles_required
from portal.services import resending
from portal.services.message_log import PER_PAGE, templates_for_filter
from portal.services.resending import FailedFilter

bp = Blueprint("retry", __name__)


@bp.get("/")
@roles_required(Role.ADMIN)
def failed_list():
    flt = FailedFilter.from_args(request.args)
    page = db.paginate(
        flt.statement(), page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    runs = db.session.execute(db.select(ResendRun).order_by(ResendRun.id.desc()).limit(5)).scalars().all()
    return render_page(
        "retry/list.html",
        "retry/_table.html",
        page=page,
        flt=flt,
        statuses=resending.RESENDABLE,
        templates=templates_for_filter(),
        runs=runs,
    )


@bp.post("/send")
@roles_required(Role.ADMIN)
def send_selected():
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if not ids:
        flash(_("Choose the letters to resend first."), "error")
        return redirect_after_post(url_for("retry.failed_list", **request.args))
    run = resending.start_for_ids(ids, current_user.id)
    db.session.commit()
    return redirect_after_post(url_for("retry.run_detail", run_id=run.id))


@bp.route("/send-all", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def send_all():
    """Everything matching the filter: a confirmation first, then a job does it in chunks."""
    flt = FailedFilter.from_args(request.values)
    count = flt.count()
    if request.method == "GET":
        return render_template("retry/confirm.html", flt=flt, count=count)
    if not count:
        flash(_("No letters match this filter any more."), "error")
        return redirect_after_post(url_for("retry.failed_list", **flt.query_args()))
    run = resending.start_for_filter(flt, current_user.id)
    db.session.commit()
    return redirect_after_post(url_for("retry.run_detail", run_id=run.id))


@bp.get("/runs/<int:run_id>")
@roles_required(Role.ADMIN)
def run_detail(run_id: int):
    run = db.get_or_404(ResendRun, run_id)
    outcome = request.args.get("outcome", "")
    query = db.select(ResendItem).filter_by(run_id=run.id).order_by(ResendItem.id)
    if outcome == "refused":
        query = query.where(ResendItem.refusal.is_not(None))
    elif outcome == "resent":
        query = query.where(ResendItem.message_id.is_not(None))
    items = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    by_status = resending.outcome_counts(run)
    in_flight = run.state == "running" or any(
        by_status.get(s) for s in (MessageStatus.QUEUED, MessageStatus.SENDING)
    )
    return render_page(
        "retry/run.html",
        "retry/_run.html",
        run=run,
        items=items,
        outcome=outcome,
        by_status=by_status,
        in_flight=in_flight,
    )
