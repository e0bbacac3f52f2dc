"""The Users pages: an administrator lists, creates, edits, disables, enables, resets and issues
tokens, each change confirmed where it is destructive, CSRF-protected and in the history."""

import re

import jwt
import requests

from portal.models import User
from tests.conftest import PASSWORD, csrf_token_from, text_of
from tests.users.conftest import fresh_name


def form_of(client, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def create(admin, **fields):
    data = {
        "csrf_token": form_of(admin, "/users/new"),
        "username": fresh_name("new"),
        "roles": ["PARTNER"],
        "company_key": "partner_co",
        "timezone": "3",
        "password_mode": "generate",
        **fields,
    }
    return data, admin.post("/users/new", data=data)


def shown_secret(page: str) -> str:
    return re.search(r'id="secret" readonly[^>]*>([^<]+)</textarea>', page).group(1)


def test_the_list_filters_by_role_state_and_text_and_pages(admin, make_account, in_app):
    tag = fresh_name("flt")
    partner = make_account("PARTNER", prefix=tag, company_key="acme_co")
    moderator = make_account("MODERATOR", prefix=tag, email=f"{tag}@example.org")
    in_app(lambda: (User.query.filter_by(username=moderator).update({"enabled": False}), _commit()))

    page = text_of(admin.get(f"/users/?q={tag}").get_data(as_text=True))
    assert partner in page and moderator in page and "2 учётные записи" in page
    assert "acme_co" in page and f"{tag}@example.org" in page and "Отключена" in page

    only_partners = admin.get(f"/users/?q={tag}&role=PARTNER", headers={"HX-Request": "true"})
    fragment = only_partners.get_data(as_text=True)
    assert "<html" not in fragment and partner in fragment and moderator not in fragment
    disabled = admin.get(f"/users/?q={tag}&state=disabled").get_data(as_text=True)
    assert moderator in disabled and partner not in disabled
    assert "selected>Отключённые" in disabled or 'value="disabled" selected' in disabled

    for _ in range(26):
        make_account("USER", prefix=f"{tag}_pg")
    first = admin.get(f"/users/?q={tag}_pg").get_data(as_text=True)
    second = admin.get(f"/users/?q={tag}_pg&page=2").get_data(as_text=True)
    assert "Страница 1 из 2" in text_of(first) and "page=2" in first
    assert len(re.findall(rf"{tag}_pg_\w+</a>", first)) == 25
    assert len(re.findall(rf"{tag}_pg_\w+</a>", second)) == 1


def _roles_and_company(username: str):
    user = User.query.filter_by(username=username).one()
    return user.roles, user.company_key


def _state(username: str):
    user = User.query.filter_by(username=username).one()
    return user.enabled, user.roles, user.token_version


def _profile(username: str):
    user = User.query.filter_by(username=username).one()
    return user.roles, user.timezone, user.specification


def _commit():
    from portal.extensions import db

    db.session.commit()


def test_creating_a_partner_shows_the_generated_password_once_and_it_works(admin, base_url, in_app):
    data, response = create(admin, email="api@partner.example.org", specification="Партнёр Ромашка")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"/users/{data['username']}?shown=")
    page = admin.get(location).get_data(as_text=True)
    password = shown_secret(page)
    assert "Учётная запись" in text_of(page) and "показан только один раз" in text_of(page)
    assert password not in admin.get(location).get_data(as_text=True)  # never again

    answer = requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": data["username"], "password": password}
    )
    assert answer.status_code == 200
    roles, company = in_app(lambda: _roles_and_company(data["username"]))
    assert roles == ["PARTNER"] and company == "partner_co"
    history = text_of(admin.get(f"/users/{data['username']}").get_data(as_text=True))
    assert "создана — PARTNER" in history and "t_admin" in history


def test_a_typed_password_twice_and_validation_errors_in_place(admin, base_url):
    bad, response = create(
        admin,
        username="x",
        roles=["ADMIN", "USER", "PARTNER"],
        company_key="no spaces",
        email="not-an-address",
        password_mode="typed",
        password="short",
        password_repeat="other",
    )
    assert response.status_code == 422
    page = text_of(response.get_data(as_text=True))
    for message in (
        "От 2 до 256 символов",
        "Не больше двух ролей",
        "Только буквы, цифры и _",
        "Это не адрес электронной почты",
        "От 10 до 256 символов",
        "Пароли не совпадают",
    ):
        assert message in page, message
    assert 'value="no spaces"' in response.get_data(as_text=True)  # what was typed stays

    good, response = create(
        admin, password_mode="typed", password="typed-password-123", password_repeat="typed-password-123"
    )
    assert response.status_code == 303 and "shown=" not in response.headers["Location"]
    token = requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": good["username"], "password": "typed-password-123"}
    )
    assert token.status_code == 200

    again, response = create(admin, username=good["username"])
    assert response.status_code == 422 and "Это имя уже занято" in text_of(response.get_data(as_text=True))


def test_portal_forms_refuse_a_post_without_csrf(admin, make_account, in_app):
    name = make_account("PARTNER")
    for path, data in (
        ("/users/new", {"username": fresh_name(), "roles": ["USER"], "company_key": "mayak"}),
        (f"/users/{name}", {"roles": [], "company_key": "mayak", "timezone": "3"}),
        (f"/users/{name}/disable", {}),
        (f"/users/{name}/password-reset", {}),
        (f"/users/{name}/tokens", {"ttl": "86400"}),
    ):
        assert admin.post(path, data=data).status_code == 400, path
    state = in_app(lambda: _state(name))
    assert state == (True, ["PARTNER"], 1)


def test_editing_fields_and_removing_a_role_asks_first(admin, make_account, in_app):
    name = make_account("USER", "MODERATOR")
    token = form_of(admin, f"/users/{name}")
    fields = {"csrf_token": token, "company_key": "mayak", "timezone": "5", "specification": "Анна Петрова"}

    invalid = admin.post(f"/users/{name}", data={**fields, "roles": ["USER"], "phone": "abc"})
    assert invalid.status_code == 422 and "Только цифры, пробелы" in text_of(invalid.get_data(as_text=True))

    ask = admin.post(f"/users/{name}", data={**fields, "roles": ["USER"], "phone": "+7 912 000-00-00"})
    assert ask.status_code == 200 and "Снять роли" in text_of(ask.get_data(as_text=True))
    assert in_app(lambda: User.query.filter_by(username=name).one().roles) == ["MODERATOR", "USER"]

    confirm_page = ask.get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirm_page))
    assert hidden["confirmed"] == "1" and hidden["phone"] == "+7 912 000-00-00"
    done = admin.post(f"/users/{name}", data={**hidden, "roles": ["USER"]})
    assert done.status_code == 303
    user = in_app(lambda: _profile(name))
    assert user == (["USER"], 5, "Анна Петрова")
    history = text_of(admin.get(f"/users/{name}").get_data(as_text=True))
    assert "роли изменены — MODERATOR, USER → USER" in history and "phone, specification, timezone" in history

    added = admin.post(f"/users/{name}", data={**fields, "roles": ["USER", "ADMIN"]})  # adding: no question
    assert added.status_code == 303
    assert in_app(lambda: User.query.filter_by(username=name).one().roles) == ["ADMIN", "USER"]


def test_disabling_ends_sessions_and_tokens_and_enabling_does_not_revive_tokens(
    app, admin, make_account, token_of, base_url
):
    staff = make_account("USER")
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    signed_in = other.post(
        "/login", data={"username": staff, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    )
    assert signed_in.status_code == 303 and other.get("/account").status_code == 200
    token = token_of(staff)
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{base_url}/api/v1/account", headers=headers).status_code == 200

    confirm = admin.get(f"/users/{staff}/disable")
    assert confirm.status_code == 200 and "Отключить" in text_of(confirm.get_data(as_text=True))
    done = admin.post(
        f"/users/{staff}/disable", data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))}
    )
    assert done.status_code == 303

    assert other.get("/account").status_code == 302  # the session is over
    assert requests.get(f"{base_url}/api/v1/account", headers=headers).status_code == 401
    again = other.get("/login").get_data(as_text=True)
    refused = other.post(
        "/login", data={"username": staff, "password": PASSWORD, "csrf_token": csrf_token_from(again)}
    )
    assert refused.status_code == 401

    enable = admin.post(f"/users/{staff}/enable", data={"csrf_token": form_of(admin, f"/users/{staff}")})
    assert enable.status_code == 303
    assert requests.get(f"{base_url}/api/v1/account", headers=headers).status_code == 401
    history = text_of(admin.get(f"/users/{staff}").get_data(as_text=True))
    assert "отключена" in history and "включена" in history


def test_a_password_reset_is_confirmed_shown_once_and_ends_the_old_one(
    admin, make_account, token_of, base_url
):
    name = make_account("PARTNER")
    old_token = token_of(name)
    confirm = admin.get(f"/users/{name}/password-reset").get_data(as_text=True)
    assert "Сбросить пароль" in text_of(confirm)
    done = admin.post(f"/users/{name}/password-reset", data={"csrf_token": csrf_token_from(confirm)})
    assert done.status_code == 303 and "shown=" in done.headers["Location"]
    password = shown_secret(admin.get(done.headers["Location"]).get_data(as_text=True))

    auth_url = f"{base_url}/api/v1/auth/token"
    assert requests.post(auth_url, json={"username": name, "password": PASSWORD}).status_code == 401
    assert requests.post(auth_url, json={"username": name, "password": password}).status_code == 200
    old = requests.get(f"{base_url}/api/v1/account", headers={"Authorization": f"Bearer {old_token}"})
    assert old.status_code == 401


def test_a_token_with_a_chosen_ttl_works_on_the_api_until_disabled(admin, make_account, base_url, app):
    name = make_account("PARTNER")
    page = admin.get(f"/users/{name}").get_data(as_text=True)
    assert "1 день" in page and "30 дней" in page and "1 год" in page

    too_short = admin.post(
        f"/users/{name}/tokens",
        data={"csrf_token": csrf_token_from(page), "ttl": "custom", "ttl_seconds": "59"},
    )
    assert too_short.status_code == 422 and "От 60 до 31556926 секунд" in text_of(
        too_short.get_data(as_text=True)
    )

    done = admin.post(
        f"/users/{name}/tokens",
        data={"csrf_token": csrf_token_from(page), "ttl": "custom", "ttl_seconds": "120"},
    )
    assert done.status_code == 303
    token = shown_secret(admin.get(done.headers["Location"]).get_data(as_text=True))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120 and claims["sub"] == name
    headers = {"Authorization": f"Bearer {token}"}
    account = requests.get(f"{base_url}/api/v1/account", headers=headers)
    assert account.status_code == 200 and account.json()["username"] == name

    disable_page = admin.get(f"/users/{name}/disable").get_data(as_text=True)
    admin.post(f"/users/{name}/disable", data={"csrf_token": csrf_token_from(disable_page)})
    assert requests.get(f"{base_url}/api/v1/account", headers=headers).status_code == 401
    assert "Выдать токен" not in text_of(admin.get(f"/users/{name}").get_data(as_text=True))


def test_the_secret_is_shown_only_to_the_admin_who_made_it(app, admin, make_account, users):
    _, response = create(admin)
    location = response.headers["Location"]
    other_admin = make_account("ADMIN")
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other.post(
        "/login", data={"username": other_admin, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    )
    assert 'id="secret"' not in other.get(location).get_data(as_text=True)
    assert 'id="secret"' in admin.get(location).get_data(as_text=True)  # still there for its owner
