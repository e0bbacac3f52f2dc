"""The audit of actions, usage by partner and partners' quotas in the portal (ADMIN)."""

from datetime import date

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import Quota, Role, User
from portal.security import roles_required
from portal.services import audit, quotas, usage
from portal.services import audit_taxonomy as taxonomy

bp = Blueprint("audit", __name__)


@bp.app_template_filter("quota_limit")
def quota_limit(value) -> str:
    """A limit as people read it: 25 000, or "no limit"."""
    return _("no limit") if value is None else f"{value:,}".replace(",", "\u202f")


PER_PAGE = 50


@bp.get("/")
@roles_required(Role.ADMIN)
def action_list():
    flt = audit.AuditFilter.from_args(request.args)
    audit.flush_pending()
    query = flt.query(current_user.timezone)
    page = audit.search_page(query, request.args.get("page", 1, type=int), PER_PAGE)
    return render_page(
        "audit/actions.html",
        "audit/_actions_table.html",
        page=page,
        flt=flt,
        counters=audit.counters(query),
        period=(query.start, query.end),
        services=taxonomy.SERVICES,
        process_types=taxonomy.PROCESS_TYPES,
        statuses=taxonomy.STATUSES,
        sources=audit.SOURCES,
    )


def _usage_request():
    """Whose usage and which days the usage page and its XLSX show (the API's defaults)."""
    args = request.args
    username = args.get("username", "").strip()[:256]
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar() if username else None
    day_from, day_to = usage.default_period(
        user.timezone if user else 3, _day_arg("date_from"), _day_arg("date_to")
    )
    service = args.get("service") if args.get("service") in taxonomy.SERVICES else ""
    process_type = args.get("process_type") if args.get("process_type") in taxonomy.PROCESS_TYPES else ""
    if day_from > day_to:
        day_from = day_to
    audit.flush_pending()
    rows = usage.usage_rows(user.id, day_from, day_to, service, process_type) if user else []
    db.session.commit()
    args = {"username": username, "date_from": day_from.isoformat(), "date_to": day_to.isoformat()}
    args.update({k: v for k, v in (("service", service), ("process_type", process_type)) if v})
    return user, username, day_from, day_to, rows, args


def _day_arg(name: str):
    value = request.args.get(name, "")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/usage")
@roles_required(Role.ADMIN)
def usage_page():
    user, username, day_from, day_to, rows, args = _usage_request()
    totals = {f: sum(usage.counts_of(r)[f] for r in rows) for f in usage.FIELDS}
    return render_page(
        "audit/usage.html",
        "audit/_usage_table.html",
        user=user,
        username=username,
        day_from=day_from,
        day_to=day_to,
        rows=rows,
        totals=totals,
        args=args,
        api_users=_api_users(),
        services=taxonomy.SERVICES,
        process_types=taxonomy.PROCESS_TYPES,
    )


@bp.get("/usage.xlsx")
@roles_required(Role.ADMIN)
def usage_report():
    user, _username, day_from, day_to, rows, _args = _usage_request()
    if user is None:
        abort(404)
    response = make_response(usage.xlsx_report(user.username, rows, day_from, day_to))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="usage_{day_from.isoformat()}_{day_to.isoformat()}.xlsx"'
    )
    return response


def _api_users() -> list[User]:
    """Accounts that call the API: partners first, then the rest."""
    everyone = db.session.execute(db.select(User).order_by(User.username)).scalars()
    return sorted(everyone, key=lambda u: (not u.has_role(Role.PARTNER), u.username))


@bp.get("/quotas")
@roles_required(Role.ADMIN)
def quota_list():
    return _quota_page({}, {})


def _quota_page(form: dict, errors: dict, status: int = 200):
    rows = db.session.execute(
        db.select(Quota, User).join(User, User.id == Quota.user_id).order_by(User.username, Quota.service)
    ).all()
    used = {q.id: quotas.used_today(q.user_id, q.service, q.process_type) for q, _user in rows}
    return (
        render_template(
            "audit/quotas.html",
            rows=rows,
            used=used,
            defaults=quotas.default_limits(),
            partners=_api_users(),
            combinations=quotas.combinations(),
            services=taxonomy.SERVICES,
            process_types=taxonomy.PROCESS_TYPES,
            form=form,
            errors=errors,
        ),
        status,
    )


LIMIT_FIELDS = ("points_per_request", "points_per_day", "max_concurrent_execution")


@bp.post("/quotas")
@roles_required(Role.ADMIN)
def quota_set():
    form = {
        k: request.form.get(k, "").strip() for k in ("username", "service", "process_type", *LIMIT_FIELDS)
    }
    errors = {}
    user = db.session.execute(db.select(User).filter_by(username=form["username"])).scalar()
    if user is None:
        errors["username"] = _("Choose an account.")
    if form["service"] not in taxonomy.SERVICES:
        errors["service"] = _("Choose a service.")
    if form["process_type"] not in taxonomy.PROCESS_TYPES:
        errors["process_type"] = _("Choose a process type.")
    values = []
    for name in LIMIT_FIELDS:
        value = form[name]
        if not value.isdigit() or not 1 <= int(value) <= 1_000_000_000:
            errors[name] = _("A whole number from 1 to 1,000,000,000.")
        else:
            values.append(int(value))
    if errors:
        return _quota_page(form, errors, 422)
    quotas.set_quota(
        user, form["service"], form["process_type"], quotas.Limits(*values), current_user.username
    )
    db.session.commit()
    quotas.forget_profile(user.id)
    flash(
        _(
            "Quota of %(user)s for %(service)s / %(type)s saved.",
            user=user.username,
            service=form["service"],
            type=form["process_type"],
        ),
        "success",
    )
    return redirect_after_post(url_for("audit.quota_list"))


@bp.route("/quotas/<int:quota_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def quota_delete(quota_id: int):
    """Back to the default limits, after confirming."""
    quota = db.get_or_404(Quota, quota_id)
    user = db.session.get(User, quota.user_id)
    if request.method == "GET":
        return render_template(
            "audit/quota_delete.html", quota=quota, user=user, defaults=quotas.default_limits()
        )
    db.session.delete(quota)
    db.session.commit()
    quotas.forget_profile(user.id)
    flash(_("Quota removed: %(user)s is limited by the defaults again.", user=user.username), "success")
    return redirect_after_post(url_for("audit.quota_list"))
