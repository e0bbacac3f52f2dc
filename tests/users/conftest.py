"""Accounts to administer, and a hub whose only administrators are the test's own."""

import uuid

import pytest

from portal.extensions import db
from portal.models import User
from portal.services import tokens
from portal.services.users import create_user
from tests.conftest import PASSWORD


def fresh_name(prefix: str = "acc") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_account(in_app):
    """Create an account with PASSWORD; returns its username."""

    def make(*roles: str, prefix: str = "acc", **fields) -> str:
        name = fresh_name(prefix)

        def build():
            create_user(name, PASSWORD, list(roles), **fields)
            db.session.commit()

        in_app(build)
        return name

    return make


@pytest.fixture
def token_of(in_app):
    """A fresh Bearer token of an account, as /auth/token would issue it."""

    def issue(username: str) -> str:
        return in_app(lambda: tokens.issue_token(User.query.filter_by(username=username).one()))

    return issue


@pytest.fixture
def admin(client, auth):
    """The test client signed in as the shared ADMIN."""
    assert auth.login("ADMIN").status_code == 303
    return client


@pytest.fixture
def only_these_admins(app, in_app):
    """Set aside every enabled administrator (enabled = false, written straight to the table so
    their tokens keep working afterwards), so the test's own are the hub's only ones; undone after."""
    admin_filter = (User.enabled.is_(True), User.roles_csv.contains("ADMIN"))

    def set_aside():
        ids = list(db.session.execute(db.select(User.id).where(*admin_filter)).scalars())
        db.session.execute(db.update(User).where(User.id.in_(ids)).values(enabled=False))
        db.session.commit()
        return ids

    saved = in_app(set_aside)
    yield

    def restore():
        db.session.execute(db.update(User).where(*admin_filter).values(enabled=False))
        db.session.execute(db.update(User).where(User.id.in_(saved)).values(enabled=True))
        db.session.commit()

    in_app(restore)


def enabled_admins(in_app) -> list[str]:
    return in_app(
        lambda: sorted(
            u.username for u in User.query.filter(User.enabled.is_(True), User.roles_csv.contains("ADMIN"))
        )
    )
