"""The portal's API page: Swagger UI from static/vendor over the served document."""

import pytest

from tests.conftest import text_of


@pytest.mark.parametrize("role", ["ADMIN", "MODERATOR", "USER"])
def test_every_portal_role_sees_the_api_page(auth, client, role):
    auth.login(role)
    page = client.get("/api-docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-url="/api/v1/openapi.json"' in html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert "<script>" not in html  # no inline script: the CSP allows only 'self'
    assert "Документация API" in text_of(html)
    assert 'href="/api-docs"' in html  # the nav link


def test_the_page_asks_a_stranger_to_sign_in(client):
    answer = client.get("/api-docs")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_assets_are_served_locally(client):
    for path in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        answer.close()
    script = client.get("/static/js/api-docs.js").get_data(as_text=True)
    assert "validatorUrl: null" in script  # no call to the online validator
