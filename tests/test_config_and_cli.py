"""Configuration safety and the `flask user` commands."""

import pytest

from portal import create_app
from portal.extensions import db
from portal.models import User
from tests.conftest import TEST_SETTINGS


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"SANDBOX": False, "UNISENDERGO_API_KEY": "k", "UNISENDER_API_KEY": "k"}, "SECRET_KEY"),
        (
            {"SECRET_KEY": "x" * 40, "SANDBOX": True, "UNISENDERGO_API_KEY": "k", "UNISENDER_API_KEY": "k"},
            "SANDBOX",
        ),
        (
            {"SECRET_KEY": "x" * 40, "SANDBOX": False, "UNISENDERGO_API_KEY": "", "UNISENDER_API_KEY": "k"},
            "UNISENDERGO_API_KEY",
        ),
        (
            {"SECRET_KEY": "x" * 40, "SANDBOX": False, "UNISENDERGO_API_KEY": "k", "UNISENDER_API_KEY": "k"},
            "CLOUDPAYMENTS_API_SECRET is required",
        ),
        (
            {
                "SECRET_KEY": "x" * 40,
                "SANDBOX": False,
                "UNISENDERGO_API_KEY": "k",
                "UNISENDER_API_KEY": "k",
                "CLOUDPAYMENTS_PUBLIC_ID": "pk",
                "CLOUDPAYMENTS_API_SECRET": "s",
            },
            "BITRIX_WEBHOOK_URL is required",
        ),
        (
            {
                "SECRET_KEY": "x" * 40,
                "SANDBOX": False,
                "UNISENDERGO_API_KEY": "k",
                "UNISENDER_API_KEY": "k",
                "CLOUDPAYMENTS_PUBLIC_ID": "pk",
                "CLOUDPAYMENTS_API_SECRET": "s",
                "BITRIX_WEBHOOK_URL": "https://b24/rest/1/s",
            },
            "EVENT_URL_TEMPLATE",
        ),
    ],
)
def test_production_refuses_unsafe_settings(overrides, problem):
    from portal.config import DEFAULT_SECRET

    settings = {"ENV_NAME": "production", "SECRET_KEY": DEFAULT_SECRET, **overrides}
    with pytest.raises(RuntimeError, match=problem):
        create_app(settings)


def test_production_with_real_settings_starts_without_the_sandbox():
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "s" * 40,
            "SANDBOX": False,
            "UNISENDERGO_API_KEY": "live-key",
            "UNISENDER_API_KEY": "live-key",
            "CLOUDPAYMENTS_PUBLIC_ID": "pk_live",
            "CLOUDPAYMENTS_API_SECRET": "live-secret",
            "BITRIX_WEBHOOK_URL": "https://mayak.bitrix24.ru/rest/1/live-secret",
            "EVENT_URL_TEMPLATE": "https://mayak.ru/events/{event_id}",
        }
    )
    assert app.config["UNISENDERGO_BASE_URL"].startswith("https://go1.unisender.ru/")
    assert app.config["CLOUDPAYMENTS_BASE_URL"] == "https://api.cloudpayments.ru"
    assert not any(rule.rule.startswith("/sandbox") for rule in app.url_map.iter_rules())
    assert app.config["SESSION_COOKIE_SECURE"] is False or app.config["SESSION_COOKIE_SECURE"] is True


@pytest.fixture(scope="module")
def cli_app(stack):
    """An app on a database of its own, so 'no staff yet' can be true."""
    from flask_migrate import upgrade

    app = create_app(
        {
            **TEST_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": stack.database_url("cli"),
            "REDIS_URL": stack.redis.url(15),
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_ensure_admin_creates_the_first_admin_once(cli_app):
    """Runs first in this module: its database has no staff yet."""
    runner = cli_app.test_cli_runner()
    first = runner.invoke(args=["user", "ensure-admin"])
    assert "login 'admin'" in first.output
    assert runner.invoke(args=["user", "ensure-admin"]).output == ""
    listing = runner.invoke(args=["user", "list"]).output
    assert "admin" in listing and "ADMIN" in listing


def test_user_create_reads_the_password_from_stdin(cli_app):
    runner = cli_app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "bitrix_crm", "--role", "PARTNER", "--password-stdin"],
        input="a-long-partner-password\n",
    )
    assert result.exit_code == 0 and "created bitrix_crm (PARTNER)" in result.output
    assert "a-long-partner-password" not in result.output
    with cli_app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="bitrix_crm")).scalar_one()
        assert user.roles == ["PARTNER"] and user.password_hash.startswith("$argon2id$")
        assert "m=19456,t=2,p=1" in user.password_hash
        db.session.rollback()


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["user", "create", "x", "--role", "ADMIN", "--password-stdin"], "a-long-password\n", "username"),
        (["user", "create", "someone", "--role", "ROOT", "--password-stdin"], "a-long-password\n", "ROOT"),
        (["user", "create", "someone", "--role", "ADMIN", "--password-stdin"], "short\n", "password"),
    ],
)
def test_user_create_refuses_bad_input(cli_app, args, stdin, message):
    result = cli_app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exit_code != 0 and message in result.output


def test_duplicate_user_is_refused(cli_app):
    runner = cli_app.test_cli_runner()
    args = ["user", "create", "dupe_user", "--role", "USER", "--password-stdin"]
    assert runner.invoke(args=args, input="a-long-password\n").exit_code == 0
    result = runner.invoke(args=args, input="a-long-password\n")
    assert result.exit_code != 0 and "already exists" in result.output
