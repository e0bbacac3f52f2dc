from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import Role, User
from portal.security import roles_required
from portal.services import accounts, shown_once
from portal.services.accounts import AccountRefused, UsernameTaken
from portal.users import bp
from portal.users.forms import AccountForm, CreateAccountForm, TokenForm

ACTIONS = {
    "created": _l("created"),
    "edited": _l("profile edited"),
    "roles": _l("roles changed"),
    "disabled": _l("disabled"),
    "enabled": _l("enabled"),
    "password_reset": _l("password reset"),
    "token_issued": _l("token issued"),
}


@bp.app_template_filter("account_action")
def account_action(value: str) -> str:
    return str(ACTIONS.get(value, value))


def refusal_message(reason: str) -> str:
    return {
        "last_admin": _(
            "This is the last enabled administrator: it cannot be disabled or lose the ADMIN role. "
            "Give ADMIN to another account first."
        ),
        "self": _("You cannot disable yourself, remove your own ADMIN role or reset your own password here."),
        "disabled": _("The account is disabled: enable it before issuing a token."),
    }[reason]


def _account(username: str) -> User:
    user = accounts.find_account(username)
    if user is None:
        abort(404)
    return user


@bp.get("/")
@roles_required(Role.ADMIN)
def user_list():
    flt = accounts.AccountFilter.from_args(request.args)
    page = accounts.search(flt, request.args.get("page", 1, type=int))
    return render_page("users/list.html", "users/_table.html", page=page, flt=flt, roles=list(Role))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_create():
    form = CreateAccountForm()
    if request.method == "GET":
        form.company_key.data = form.company_key.data or "mayak"
    elif form.validate_on_submit():
        try:
            user, generated = accounts.create_account(
                form.username.data,
                form.roles.data,
                form.chosen_password(),
                current_user.username,
                **form.profile(),
            )
        except UsernameTaken:
            db.session.rollback()
            form.username.errors.append(_("This username is taken."))
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return _to_account(user, "password", generated)
    status = 422 if request.method == "POST" else 200
    return render_template("users/new.html", form=form), status


@bp.get("/<username>")
@roles_required(Role.ADMIN)
def user_detail(username: str):
    user = _account(username)
    form = AccountForm(obj=user, formdata=None)
    return _detail_page(user, form)


@bp.post("/<username>")
@roles_required(Role.ADMIN)
def user_update(username: str):
    """Save the edit form; taking roles away asks for confirmation first."""
    user = _account(username)
    form = AccountForm()
    if not form.validate_on_submit():
        return _detail_page(user, form, status=422)
    removed = sorted(set(user.roles) - set(form.roles.data))
    if removed and request.form.get("confirmed") != "1":
        return render_template("users/confirm_roles.html", user=user, form=form, removed=removed)
    try:
        accounts.update_account(user, current_user, form.profile(), form.roles.data)
    except AccountRefused as exc:
        db.session.rollback()
        flash(refusal_message(exc.reason), "error")
        return redirect_after_post(url_for("users.user_detail", username=username))
    db.session.commit()
    accounts.forget_cached_checks(user)
    flash(_("Changes saved."), "success")
    return redirect_after_post(url_for("users.user_detail", username=username))


@bp.route("/<username>/disable", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_disable(username: str):
    user = _account(username)
    if request.method == "GET":
        return render_template("users/confirm.html", user=user, action="disable", **_warning(user))
    try:
        accounts.disable_account(user, current_user)
    except AccountRefused as exc:
        db.session.rollback()
        flash(refusal_message(exc.reason), "error")
    else:
        db.session.commit()
        accounts.forget_cached_checks(user)
        flash(
            _("Account %(name)s disabled: its sessions and tokens no longer work.", name=username), "success"
        )
    return redirect_after_post(url_for("users.user_detail", username=username))


@bp.post("/<username>/enable")
@roles_required(Role.ADMIN)
def user_enable(username: str):
    accounts.enable_account(_account(username), current_user)
    db.session.commit()
    flash(
        _("Account %(name)s enabled. Tokens issued before it was disabled stay invalid.", name=username),
        "success",
    )
    return redirect_after_post(url_for("users.user_detail", username=username))


@bp.route("/<username>/password-reset", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def password_reset(username: str):
    user = _account(username)
    if request.method == "GET":
        return render_template("users/confirm.html", user=user, action="reset", **_warning(user))
    try:
        password = accounts.reset_password(user, current_user)
    except AccountRefused as exc:
        db.session.rollback()
        flash(refusal_message(exc.reason), "error")
        return redirect_after_post(url_for("users.user_detail", username=username))
    db.session.commit()
    accounts.forget_cached_checks(user)
    flash(_("Password reset: the old password, sessions and tokens no longer work."), "success")
    return _to_account(user, "password", password)


@bp.post("/<username>/tokens")
@roles_required(Role.ADMIN)
def token_issue(username: str):
    user = _account(username)
    form = TokenForm()
    if not form.validate_on_submit():
        return _detail_page(user, AccountForm(obj=user, formdata=None), token_form=form, status=422)
    try:
        token = accounts.issue_token(user, form.seconds(), current_user)
    except AccountRefused as exc:
        db.session.rollback()
        flash(refusal_message(exc.reason), "error")
        return redirect_after_post(url_for("users.user_detail", username=username))
    db.session.commit()
    return _to_account(user, "token", token)


def _to_account(user: User, kind: str, secret: str | None):
    """Redirect to the account's page, which shows the new secret (if any) exactly once."""
    args = {}
    if secret:
        args["shown"] = shown_once.stash(current_user.id, kind, secret, accounts.SECRET_SHOWN_WITHIN_SECONDS)
    return redirect_after_post(url_for("users.user_detail", username=user.username, **args))


def _warning(user: User) -> dict:
    return {"last_admin": accounts.is_last_admin(user), "is_self": user.id == current_user.id}


def _detail_page(user: User, form: AccountForm, token_form: TokenForm | None = None, status: int = 200):
    secret = shown_once.take(current_user.id, request.args.get("shown", ""))
    return render_template(
        "users/detail.html",
        user=user,
        form=form,
        token_form=token_form or TokenForm(formdata=None),
        secret=secret,
        history=accounts.history(user),
        **_warning(user),
    ), status
