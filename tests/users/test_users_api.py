"""/api/v1/users: the Users page as JSON, for an ADMIN token only, errors in the API envelope."""

import threading

import requests

from portal.models import AccountChange, User
from tests.conftest import PASSWORD
from tests.users.conftest import fresh_name


def new_partner(api, **fields):
    body = {"username": fresh_name("api"), "roles": ["PARTNER"], "company_key": "partner_co", **fields}
    return body, api.post("/api/v1/users", body, as_role="ADMIN")


def test_create_get_list_and_patch(api, in_app):
    body, created = new_partner(api, email="Ops@Partner.Example.org", timezone=5, specification="Ромашка")
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["username"] == body["username"] and account["roles"] == ["PARTNER"]
    assert account["email"] == "Ops@partner.example.org" and account["timezone"] == 5 and account["enabled"]
    assert len(account["password"]) >= 10  # generated, shown in this answer only

    got = api.get(f"/api/v1/users/{body['username']}", as_role="ADMIN").json()
    assert "password" not in got and got["company_key"] == "partner_co" and got["creation_date"].endswith("Z")

    listed = api.get(f"/api/v1/users?search={body['username']}&role=PARTNER&enabled=true", as_role="ADMIN")
    assert listed.status_code == 200 and [u["username"] for u in listed.json()["users"]] == [body["username"]]
    assert listed.json()["total"] == 1
    none = api.get(f"/api/v1/users?search={body['username']}&enabled=false", as_role="ADMIN").json()
    assert none["users"] == [] and none["total"] == 0

    patched = api.request(
        "PATCH",
        f"/api/v1/users/{body['username']}",
        as_role="ADMIN",
        json={"roles": ["PARTNER", "USER"], "phone": "+71112223333", "specification": None},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["roles"] == ["PARTNER", "USER"] and patched.json()["specification"] is None
    actions = in_app(
        lambda: [
            c.action
            for c in AccountChange.query.join(User, User.id == AccountChange.user_id)
            .filter(User.username == body["username"])
            .order_by(AccountChange.id)
        ]
    )
    assert actions == ["created", "roles", "edited"]


def test_a_password_given_on_creation_is_not_echoed(api, base_url):
    body, created = new_partner(api, password="given-password-42")
    assert created.status_code == 201 and "password" not in created.json()
    token = requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": body["username"], "password": "given-password-42"}
    )
    assert token.status_code == 200


def test_validation_errors_name_the_field_and_change_nothing(api, in_app):
    cases = [
        ({"username": "a"}, "username"),
        ({"username": "with space"}, "username"),
        ({"roles": ["ADMIN", "USER", "PARTNER"]}, "roles"),
        ({"roles": ["ROOT"]}, "roles"),
        ({"roles": ["USER", "USER"]}, "roles"),
        ({"company_key": "ab"}, "company_key"),
        ({"timezone": 13}, "timezone"),
        ({"email": "nope"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"password": "short"}, "password"),
        ({"surprise": 1}, "surprise"),
    ]
    for change, field in cases:
        body = {"username": fresh_name("bad"), "roles": ["PARTNER"], "company_key": "partner_co", **change}
        answer = api.post("/api/v1/users", body, as_role="ADMIN")
        assert answer.status_code == 400, (change, answer.text)
        assert answer.json()["field"] == field and answer.json()["message"].startswith(f"поле {field}")
        assert answer.json()["tracedata"]["username"] == "t_admin"
        assert in_app(lambda name=body["username"]: User.query.filter_by(username=name).count()) == 0

    body, created = new_partner(api)
    taken = api.post("/api/v1/users", {**body}, as_role="ADMIN")
    assert taken.status_code == 409 and taken.json()["field"] == "username"

    name = body["username"]
    for change in ({"roles": "PARTNER"}, {"enabled": "no"}, {"username": "rename"}, {"timezone": -13}):
        answer = api.request("PATCH", f"/api/v1/users/{name}", as_role="ADMIN", json=change)
        assert answer.status_code == 400, change
    assert api.get("/api/v1/users?role=ROOT", as_role="ADMIN").status_code == 400
    assert api.get("/api/v1/users?limit=0", as_role="ADMIN").status_code == 400
    assert api.get("/api/v1/users/no_such_user_x", as_role="ADMIN").status_code == 404


def test_password_reset_and_token_through_the_api(api, base_url, make_account, token_of):
    name = make_account("PARTNER")
    old_token = token_of(name)
    reset = api.post(f"/api/v1/users/{name}/password-reset", as_role="ADMIN")
    assert reset.status_code == 200
    password = reset.json()["password"]
    assert password != PASSWORD
    account_url = f"{base_url}/api/v1/account"
    assert requests.get(account_url, headers={"Authorization": f"Bearer {old_token}"}).status_code == 401

    for ttl in (59, 31556927, "60", True):
        assert (
            api.post(f"/api/v1/users/{name}/tokens", {"ttl_seconds": ttl}, as_role="ADMIN").status_code == 400
        )
    issued = api.post(f"/api/v1/users/{name}/tokens", {"ttl_seconds": 31556926}, as_role="ADMIN")
    assert issued.status_code == 201 and issued.json()["ttl_seconds"] == 31556926
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert requests.get(account_url, headers=headers).json()["username"] == name

    off = api.request("PATCH", f"/api/v1/users/{name}", as_role="ADMIN", json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert requests.get(account_url, headers=headers).status_code == 401
    refused = api.post(f"/api/v1/users/{name}/tokens", {}, as_role="ADMIN")
    assert refused.status_code == 409 and "отключена" in refused.json()["message"]
    signin = requests.post(f"{base_url}/api/v1/auth/token", json={"username": name, "password": password})
    assert signin.status_code == 401


def test_only_an_admin_token_may_administer(api, make_account, token_of):
    # Fresh accounts: the shared tokens of other roles may have been ended by earlier tests.
    for role in ("USER", "MODERATOR", "PARTNER"):
        api.tokens = {**api.tokens, role: token_of(make_account(role))}
        assert api.get("/api/v1/users", as_role=role).status_code == 403
        assert api.post("/api/v1/users", {"username": "x_y"}, as_role=role).status_code == 403
    assert api.get("/api/v1/users", as_role=None).status_code == 401


def test_the_same_name_created_twice_at_once_gives_one_account(api, in_app):
    body = {"username": fresh_name("twice"), "roles": ["PARTNER"], "company_key": "partner_co"}
    barrier = threading.Barrier(2)
    answers = []

    def create():
        barrier.wait()
        answers.append(api.post("/api/v1/users", body, as_role="ADMIN").status_code)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201, 409]
    assert in_app(lambda: User.query.filter_by(username=body["username"]).count()) == 1
