"""No one removes the last enabled administrator: not by disabling, not by taking ADMIN away,
not when two administrators demote each other at the same moment."""

import threading

import pytest

from portal.extensions import db
from portal.models import User
from tests.conftest import csrf_token_from, text_of
from tests.users.conftest import enabled_admins

pytestmark = pytest.mark.usefixtures("only_these_admins")


def sign_in(app, username):
    from tests.conftest import PASSWORD

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    )
    assert answer.status_code == 303
    return client


def test_the_last_admin_cannot_be_disabled_or_demoted_over_the_api(api, make_account, token_of, in_app):
    sole, other = make_account("ADMIN"), make_account("ADMIN")
    api.tokens = {**api.tokens, "SOLE": token_of(sole)}
    # With `other` disabled, `sole` is the last one (and only it can still act).
    assert (
        api.request("PATCH", f"/api/v1/users/{other}", as_role="SOLE", json={"enabled": False}).status_code
        == 200
    )
    assert enabled_admins(in_app) == [sole]

    for change in ({"enabled": False}, {"roles": ["USER"]}, {"roles": []}):
        answer = api.request("PATCH", f"/api/v1/users/{sole}", as_role="SOLE", json=change)
        assert answer.status_code == 409 and "последнего" in answer.json()["message"], change
    assert enabled_admins(in_app) == [sole]


def test_an_admin_cannot_disable_demote_or_reset_themselves(api, make_account, token_of, in_app):
    me, _ = make_account("ADMIN"), make_account("ADMIN")
    api.tokens = {**api.tokens, "ME": token_of(me)}
    for change in ({"enabled": False}, {"roles": ["USER"]}):
        answer = api.request("PATCH", f"/api/v1/users/{me}", as_role="ME", json=change)
        assert answer.status_code == 409 and "себя" in answer.json()["message"]
    assert api.post(f"/api/v1/users/{me}/password-reset", as_role="ME").status_code == 409
    assert api.request("PATCH", f"/api/v1/users/{me}", as_role="ME", json={"roles": ["ADMIN", "USER"]}).ok


def test_the_portal_refuses_the_last_admin_with_a_clear_message(app, make_account, in_app):
    last = make_account("ADMIN")
    client = sign_in(app, last)
    page = client.get(f"/users/{last}").get_data(as_text=True)
    assert "последний включённый администратор" in text_of(page) and "Отключить…" not in text_of(page)
    confirm = client.get(f"/users/{last}/disable").get_data(as_text=True)
    assert "последний включённый администратор" in text_of(confirm) and 'class="danger"' not in confirm

    token = csrf_token_from(page)
    for path, data in (
        (f"/users/{last}/disable", {}),
        (f"/users/{last}", {"roles": ["USER"], "company_key": "mayak", "timezone": "3", "confirmed": "1"}),
    ):
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 303
        shown = text_of(client.get(answer.headers["Location"]).get_data(as_text=True))
        assert "Это последний включённый администратор: его нельзя отключить" in shown, path
    assert enabled_admins(in_app) == [last]


def test_the_portal_refuses_to_disable_or_demote_oneself(app, make_account, in_app):
    me, other = make_account("ADMIN"), make_account("ADMIN")
    client = sign_in(app, me)
    page = client.get(f"/users/{me}").get_data(as_text=True)
    assert "Это ваша учётная запись" in text_of(page) and "Сбросить пароль…" not in text_of(page)
    answer = client.post(f"/users/{me}/disable", data={"csrf_token": csrf_token_from(page)})
    assert "Нельзя отключить себя" in text_of(client.get(answer.headers["Location"]).get_data(as_text=True))
    assert enabled_admins(in_app) == sorted([me, other])


def race(api, first: str, second: str, change: dict) -> list:
    """`first` and `second` send the change to each other at the same moment; both answers."""
    barrier = threading.Barrier(2)
    answers = {}

    def remove(actor, target):
        barrier.wait()
        answers[actor] = api.request("PATCH", f"/api/v1/users/{target}", as_role=actor, json=change)

    threads = [
        threading.Thread(target=remove, args=(first, second)),
        threading.Thread(target=remove, args=(second, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return list(answers.values())


def retire(in_app, names: list[str]) -> None:
    def update():
        User.query.filter(User.username.in_(names)).update({"enabled": False})
        db.session.commit()

    in_app(update)


@pytest.mark.parametrize("how", ["demote", "disable"])
def test_two_admins_removing_each_other_at_once_leave_one(api, make_account, token_of, in_app, how):
    change = {"roles": ["USER"]} if how == "demote" else {"enabled": False}
    for _ in range(6):
        first, second = make_account("ADMIN"), make_account("ADMIN")
        api.tokens = {**api.tokens, first: token_of(first), second: token_of(second)}
        answers = race(api, first, second, change)
        statuses = sorted(a.status_code for a in answers)
        # The loser is refused: as the last admin (409), or, when the winner committed before the
        # loser's token was checked, because that token lost ADMIN (403) or its account (401).
        assert statuses[0] == 200 and statuses[1] in (401, 403, 409), [a.text for a in answers]
        survivors = enabled_admins(in_app)
        assert len(survivors) == 1 and survivors[0] in (first, second)
        retire(in_app, [first, second])  # the next round starts from two fresh admins only
