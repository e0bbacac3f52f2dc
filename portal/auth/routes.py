from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import bp
from portal.auth.forms import LoginForm
from portal.models import Role
from portal.services.users import AuthenticationError, authenticate


def _home_for(user) -> str:
    if user.has_role(Role.ADMIN, Role.USER):
        return url_for("dashboard.index")
    if user.has_role(Role.MODERATOR):
        return url_for("moderation.queue")
    return url_for("auth.account")


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data.strip(), form.password.data)
        except AuthenticationError as exc:
            if exc.retry_after:
                minutes = max(1, round(exc.retry_after / 60))
                form.form_errors.append(_("Too many failed attempts. Try again in %(n)s min.", n=minutes))
                status = 429
            else:
                form.form_errors.append(_("Wrong username or password."))
                status = 401
        else:
            if not user.can_use_portal:
                form.form_errors.append(_("This account cannot sign in to the portal."))
                status = 403
            else:
                lang = session.get("lang")
                session.clear()  # a fresh session at sign-in
                if lang:
                    session["lang"] = lang
                login_user(user)
                return redirect(_safe_next(request.args.get("next")) or _home_for(user), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html")


@bp.post("/lang/<code>")
def set_language(code: str):
    if code in ("ru", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.login"), code=303)
