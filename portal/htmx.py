"""The one place that reads and writes HX-* headers."""

from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that wants a fragment (not a history restore or boost)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render_page(full_template: str, fragment_template: str, /, **context):
    """The fragment for htmx, the full page otherwise; caches told the two differ."""
    response = make_response(render_template(fragment_template if is_htmx() else full_template, **context))
    response.headers["Vary"] = "HX-Request"
    return response


def redirect_after_post(location: str):
    """303 for a normal form, HX-Redirect for htmx (a 302 would be swapped in place)."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def unauthorized_response(login_url: str):
    """Send an htmx request whose session expired to the login page as a whole page."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login_url
        return response
    return redirect(login_url)
