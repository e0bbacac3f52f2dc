"""Seed 002: token, verify, password change, account; every range and failure."""

import base64
import json
import time

import jwt
import pytest
import requests

from portal.services.users import create_user
from tests.conftest import PASSWORD


@pytest.fixture
def fresh_user(app, in_app):
    """A partner of its own, so that changing its password disturbs no other test."""
    name = f"fresh_{time.monotonic_ns()}"

    def make():
        from portal.extensions import db

        create_user(name, PASSWORD, ["PARTNER"], email="fresh@example.org")
        db.session.commit()

    in_app(make)
    return name


def get_token(base_url, username, password=PASSWORD, **extra):
    return requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": username, "password": password, **extra}
    )


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def verify(base_url, token) -> dict:
    response = requests.post(f"{base_url}/api/v1/auth/verify", json=token)
    assert response.status_code == 200
    return response.json()


class TestToken:
    def test_returns_a_jwt_string_valid_for_a_day_by_default(self, base_url, users):
        response = get_token(base_url, users["PARTNER"])
        assert response.status_code == 200
        token = response.json()
        assert isinstance(token, str) and token.count(".") == 2
        claims = claims_of(token)
        assert claims["exp"] - claims["iat"] == 86400
        assert claims["sub"] == users["PARTNER"] and claims["roles"] == ["PARTNER"]
        assert jwt.get_unverified_header(token)["alg"] == "HS256"

    @pytest.mark.parametrize("ttl", [60, 3600, 31556926])
    def test_accepts_the_whole_ttl_range(self, base_url, users, ttl):
        response = get_token(base_url, users["PARTNER"], ttl_seconds=ttl)
        assert response.status_code == 200
        claims = claims_of(response.json())
        assert claims["exp"] - claims["iat"] == ttl

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"ttl_seconds": 59}, "ttl_seconds"),
            ({"ttl_seconds": 31556927}, "ttl_seconds"),
            ({"ttl_seconds": "3600"}, "ttl_seconds"),
            ({"ttl_seconds": True}, "ttl_seconds"),
            ({"username": "a"}, "username"),
            ({"username": "bad name"}, "username"),
            ({"username": "x" * 257}, "username"),
            ({"password": "short"}, "password"),
            ({"password": "p" * 257}, "password"),
            ({"password": None}, "password"),
            ({"role": "ADMIN"}, "role"),
        ],
    )
    def test_out_of_range_input_is_a_400_naming_the_field(self, base_url, users, change, field):
        body = {"username": users["PARTNER"], "password": PASSWORD, **change}
        response = requests.post(f"{base_url}/api/v1/auth/token", json=body)
        assert response.status_code == 400
        assert response.json()["field"] == field
        assert field in response.json()["message"]

    def test_missing_username_is_named(self, base_url):
        response = requests.post(f"{base_url}/api/v1/auth/token", json={"password": PASSWORD})
        assert response.status_code == 400 and response.json()["field"] == "username"

    def test_not_json_is_a_400(self, base_url):
        response = requests.post(f"{base_url}/api/v1/auth/token", data="username=x")
        assert response.status_code == 400
        assert "JSON" in response.json()["message"]

    @pytest.mark.parametrize("username", ["t_partner", "no_such_user"])
    def test_wrong_credentials_are_a_401_with_the_same_message(self, base_url, username):
        response = get_token(base_url, username, password="wrong-password-123")
        assert response.status_code == 401
        assert response.json()["message"] == "неверное имя пользователя или пароль"

    def test_repeated_failures_are_throttled_even_for_the_right_password(self, base_url, fresh_user):
        for _ in range(5):
            assert get_token(base_url, fresh_user, password="wrong-password-123").status_code == 401
        response = get_token(base_url, fresh_user)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1


class TestVerify:
    def test_a_fresh_token_is_valid_with_its_roles(self, base_url, tokens):
        assert verify(base_url, tokens["ADMIN"]) == {"valid": True, "roles": ["ADMIN"]}

    def test_token_object_form_is_accepted(self, base_url, tokens):
        response = requests.post(f"{base_url}/api/v1/auth/verify", json={"token": tokens["USER"]})
        assert response.json() == {"valid": True, "roles": ["USER"]}

    def test_expired_token_is_invalid(self, app, base_url, tokens):
        claims = claims_of(tokens["PARTNER"])
        claims["iat"], claims["exp"] = int(time.time()) - 120, int(time.time()) - 61
        expired = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
        assert verify(base_url, expired) == {"valid": False, "roles": []}

    def test_a_token_used_before_still_expires_on_time(self, app, base_url, tokens):
        """Checked tokens are remembered per process: never past their expiry."""
        claims = claims_of(tokens["PARTNER"])
        claims["iat"], claims["exp"] = int(time.time()), int(time.time()) + 2
        short = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
        assert verify(base_url, short)["valid"] is True
        send = {"kind": "registration", "user_email": "a@example.org", "user_name": "Анна"}
        headers = {"Authorization": f"Bearer {short}"}
        # Accepted: what fails is the body (no registration_date), so nothing is written.
        assert requests.post(f"{base_url}/api/v1/emails/send", json=send, headers=headers).status_code == 400
        time.sleep(claims["exp"] - time.time() + 1.1)  # past exp, which PyJWT checks to the second
        assert verify(base_url, short) == {"valid": False, "roles": []}
        assert requests.post(f"{base_url}/api/v1/emails/send", json=send, headers=headers).status_code == 401

    def test_tampered_token_is_invalid(self, base_url, tokens):
        header, payload, signature = tokens["PARTNER"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["roles"] = ["ADMIN"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        assert verify(base_url, f"{header}.{forged}.{signature}")["valid"] is False
        flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
        assert verify(base_url, f"{header}.{payload}.{flipped}")["valid"] is False

    def test_alg_none_is_invalid(self, base_url, tokens):
        claims = claims_of(tokens["ADMIN"])
        unsigned = jwt.encode(claims, key=None, algorithm="none")
        assert verify(base_url, unsigned)["valid"] is False

    def test_token_signed_with_another_key_is_invalid(self, base_url, tokens):
        claims = claims_of(tokens["ADMIN"])
        other = jwt.encode(claims, "another-secret-key-0123456789abcdefgh", algorithm="HS256")
        assert verify(base_url, other)["valid"] is False

    def test_wrong_audience_is_invalid(self, app, base_url, tokens):
        claims = claims_of(tokens["ADMIN"]) | {"aud": "someone-else"}
        token = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
        assert verify(base_url, token)["valid"] is False

    def test_garbage_is_invalid_and_an_empty_body_a_400(self, base_url):
        assert verify(base_url, "not.a.token")["valid"] is False
        assert requests.post(f"{base_url}/api/v1/auth/verify", json=42).status_code == 400


def test_machine_routes_neither_read_nor_set_a_session_cookie(base_url, users, tokens):
    response = get_token(base_url, users["PARTNER"])
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    session = requests.Session()
    session.get(f"{base_url}/login")  # the portal does keep a session (CSRF token)...
    assert session.cookies.get("session")
    response = session.post(f"{base_url}/api/v1/auth/verify", json=tokens["PARTNER"])
    assert response.json()["valid"] is True and "Set-Cookie" not in response.headers  # ...the API not


class TestPasswordChange:
    def test_changes_password_and_revokes_earlier_tokens(self, base_url, fresh_user):
        old = get_token(base_url, fresh_user).json()
        response = requests.post(
            f"{base_url}/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "a-brand-new-passphrase"},
            headers={"Authorization": f"Bearer {old}"},
        )
        assert response.status_code == 200
        new = response.json()
        assert verify(base_url, new)["valid"] is True
        assert verify(base_url, old)["valid"] is False
        assert get_token(base_url, fresh_user).status_code == 401
        assert get_token(base_url, fresh_user, password="a-brand-new-passphrase").status_code == 200

    @pytest.mark.parametrize(
        "body, status, field",
        [
            (
                {"current_password": "wrong-password-123", "new_password": "another-long-pass"},
                403,
                "current_password",
            ),
            ({"current_password": PASSWORD, "new_password": "short"}, 400, "new_password"),
            ({"current_password": PASSWORD, "new_password": PASSWORD}, 400, "new_password"),
            ({"new_password": "another-long-pass"}, 400, "current_password"),
        ],
    )
    def test_bad_requests_change_nothing(self, base_url, fresh_user, body, status, field):
        token = get_token(base_url, fresh_user).json()
        response = requests.post(
            f"{base_url}/api/v1/auth/password", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == status
        assert response.json()["field"] == field
        assert verify(base_url, token)["valid"] is True
        assert get_token(base_url, fresh_user).status_code == 200

    def test_requires_a_token(self, base_url):
        response = requests.post(
            f"{base_url}/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "another-long-pass"},
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


class TestAccount:
    def test_reads_the_seed_fields(self, api, users):
        body = api.get("/api/v1/account", as_role="USER").json()
        assert body["username"] == users["USER"]
        assert body["roles"] == ["USER"] and body["enabled"] is True
        assert body["company_key"] == "mayak" and body["timezone"] == 3
        assert body["creation_date"].endswith("Z") and body["attributes"] == []
        assert set(body) == {
            "username",
            "specification",
            "email",
            "phone",
            "company_key",
            "enabled",
            "roles",
            "timezone",
            "edit_date",
            "creation_date",
            "attributes",
        }

    def test_updates_editable_fields(self, base_url, fresh_user):
        token = get_token(base_url, fresh_user).json()
        headers = {"Authorization": f"Bearer {token}"}
        change = {
            "specification": "Партнёр «Битрикс»",
            "email": "Partner@Example.org",
            "phone": "+71112223333",
            "attributes": [{"name": "crm", "value": "bitrix"}],
        }
        response = requests.put(f"{base_url}/api/v1/account", json=change, headers=headers)
        assert response.status_code == 200
        body = requests.get(f"{base_url}/api/v1/account", headers=headers).json()
        assert body["specification"] == "Партнёр «Битрикс»"
        assert body["email"] == "Partner@example.org"
        assert body["phone"] == "+71112223333" and body["attributes"] == change["attributes"]

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"specification": "x"}, "specification"),
            ({"specification": "x" * 257}, "specification"),
            ({"email": "a@b"}, "email"),
            ({"email": "not-an-address"}, "email"),
            ({"phone": "123"}, "phone"),
            ({"phone": "1" * 33}, "phone"),
            ({"phone": "call me"}, "phone"),
            ({"attributes": [{"a": 1}, {"a": 1}]}, "attributes"),
            ({"attributes": ["x"]}, "attributes"),
            ({"attributes": [{}] * 1001}, "attributes"),
            ({"username": "renamed"}, "username"),
            ({"roles": ["ADMIN"]}, "roles"),
        ],
    )
    def test_out_of_range_updates_are_refused_and_change_nothing(self, base_url, fresh_user, change, field):
        headers = {"Authorization": f"Bearer {get_token(base_url, fresh_user).json()}"}
        before = requests.get(f"{base_url}/api/v1/account", headers=headers).json()
        response = requests.put(f"{base_url}/api/v1/account", json=change, headers=headers)
        assert response.status_code == 400
        assert response.json()["field"] == field
        after = requests.get(f"{base_url}/api/v1/account", headers=headers).json()
        assert after == before


def test_health_reports_database_and_redis(base_url):
    response = requests.get(f"{base_url}/health")
    assert response.status_code == 200 and response.json() == {"health": 1.0}


def test_version_follows_the_seed_ranges(base_url):
    body = requests.get(f"{base_url}/version").json()
    assert 1 <= body["major"] <= 100 and 0 <= body["minor"] <= 111
    assert isinstance(body["build"], str) and 1 <= len(body["build"]) <= 64
