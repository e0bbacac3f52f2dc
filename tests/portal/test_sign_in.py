"""Portal sign-in: Russian pages, clear errors, throttling, CSRF, sessions, roles."""

import pytest
import requests

from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD, csrf_token_from


def test_login_page_is_russian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Войти" in page and "Имя пользователя" in page and 'lang="ru"' in page


def test_wrong_password_shows_a_clear_error(auth):
    response = auth.login("ADMIN", password="wrong-password-1")
    assert response.status_code == 401
    assert "Неверное имя пользователя или пароль." in response.get_data(as_text=True)


def test_admin_signs_in_to_the_dashboard_and_out_again(client, auth):
    response = auth.login("ADMIN")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Сегодня" in page and "сообщений сегодня" in page
    assert auth.logout().status_code == 303
    assert client.get("/").status_code == 302


def test_next_parameter_only_leads_inside_the_site(client, users):
    page = client.get("/login?next=https://evil.example/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": users["USER"], "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_partner_accounts_cannot_use_the_portal(auth):
    response = auth.login("PARTNER")
    assert response.status_code == 403
    assert "не может входить в портал" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_for_a_while(auth):
    for _ in range(5):
        auth.login("USER", password="wrong-password-1")
    response = auth.login("USER")
    assert response.status_code == 429
    assert "Слишком много неудачных попыток" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": users["ADMIN"], "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_is_post_only_and_needs_csrf(client, auth):
    auth.login("ADMIN")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.login("ADMIN")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_pages_and_api(client, base_url):
    page = client.get("/login")
    assert "object-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    api = requests.post(f"{base_url}/api/v1/auth/verify", json="x")
    assert api.headers["Cache-Control"] == "no-store"


def test_a_password_change_ends_open_sessions(app, client, auth, users, in_app):
    auth.login("USER")
    assert client.get("/").status_code == 200

    def bump(by: int):
        user = db.session.execute(db.select(User).filter_by(username=users["USER"])).scalar_one()
        user.token_version += by
        db.session.commit()

    in_app(lambda: bump(1))
    try:
        assert client.get("/").status_code == 302
    finally:
        in_app(lambda: bump(-1))  # the session's USER token (other tests use it) is valid again


def test_english_can_be_chosen(client):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    english = client.get("/login").get_data(as_text=True)
    assert "Sign in with your staff account." in english and 'lang="en"' in english


def test_htmx_request_with_an_expired_session_is_sent_to_login(client):
    response = client.get("/messages/", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


PAGES = ["/", "/messages/", "/donations/", "/subscriptions/", "/moderation/", "/sandbox/inbox", "/account"]
EXPECTED = {
    "ADMIN": dict.fromkeys(PAGES, 200),
    "USER": {**dict.fromkeys(PAGES, 200), "/moderation/": 403},
    "MODERATOR": {**dict.fromkeys(PAGES, 403), "/moderation/": 200, "/account": 200},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_matrix_for_portal_pages(client, auth, role):
    assert auth.login(role).status_code == 303
    assert {page: client.get(page).status_code for page in PAGES} == EXPECTED[role]


def test_anonymous_visitors_are_sent_to_login(client):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_portal_route_is_guarded(app):
    """A new page without a role check fails here, not in production."""
    public = {
        "static",
        "auth.login",
        "auth.set_language",
        "system.health",
        "system.version",
        "api_docs.documentation_file",  # seed 002's GET /docs/{filename}: the API's own documentation
    }
    signed_in_only = {"auth.logout", "auth.account"}  # any portal role: one's own account
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public | signed_in_only or rule.endpoint.split(".")[0] in {
            "api",
            "webhooks",
            "sandbox_providers",
        }:
            continue
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("donor."):  # donors have no account: a signed, expiring link
            assert getattr(view, "guard", None) == "signed link", rule.endpoint
            continue
        assert hasattr(view, "required_roles"), rule.endpoint


def test_every_api_route_demands_a_token_except_login_and_verify(app):
    public = {"api.auth_token", "api.auth_verify", "api.openapi_json"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in public:
            assert hasattr(app.view_functions[rule.endpoint], "required_roles"), rule.endpoint
