"""Sessions, role checks and security headers: one home for who may do what."""

from functools import wraps

from flask import Flask, abort, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from portal.extensions import db, login_manager
from portal.htmx import unauthorized_response
from portal.models import Role, User

STAFF_ROLES = (Role.ADMIN, Role.USER)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def roles_required(*roles: str):
    """Allow a portal view to logged-in, enabled users holding one of the roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(roles)
        return wrapped

    return decorator


@login_manager.user_loader
def _load_user(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.can_use_portal or str(user.token_version) != version:
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    return unauthorized_response(url_for("auth.login", next=request.full_path.rstrip("?")))


MACHINE_PREFIXES = ("/api/", "/webhooks/")


class PortalSessionInterface(SecureCookieSessionInterface):
    """Cookie sessions for the portal only: machine routes neither read nor set one."""

    def open_session(self, app, request):
        if request.path.startswith(MACHINE_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    login_manager.session_protection = "basic"
    app.session_interface = PortalSessionInterface()

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(MACHINE_PREFIXES) or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
