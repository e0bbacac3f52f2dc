"""Commands on `flask --app wsgi ...`: user management."""

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from portal.config import random_password
from portal.extensions import db
from portal.models import Role
from portal.services.users import create_user, find_user, staff_exists

user_cli = AppGroup("user", help="Staff users and partner (machine) accounts.")
ROLE_CHOICE = click.Choice([r.value for r in Role], case_sensitive=False)


@user_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=ROLE_CHOICE,
    help="ADMIN, MODERATOR, USER or PARTNER; give it twice for two roles.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--company", default="mayak", show_default=True, help="company_key of the account.")
@click.option("--email", default=None)
def user_create(username, roles, password_stdin, company, email):
    """Create a user; without --password-stdin a random password is printed once."""
    if len(roles) > 2:
        raise click.UsageError("at most two roles")
    if not 2 <= len(username) <= 256 or not username.replace("_", "a").isalnum():
        raise click.UsageError("username: 2…256 letters, digits or _")
    if find_user(username):
        raise click.ClickException(f"user {username!r} already exists")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else random_password()
    if not 10 <= len(password) <= 256:
        raise click.ClickException("password: 10…256 characters")
    create_user(username, password, [r.upper() for r in roles], company_key=company, email=email)
    db.session.commit()
    click.echo(f"created {username} ({', '.join(r.upper() for r in roles)})")
    if not password_stdin:
        click.echo(f"password: {password}")


@user_cli.command("ensure-admin")
def user_ensure_admin():
    """Create `admin` with a random password if no staff user exists yet (printed once)."""
    if staff_exists():
        return
    password = random_password()
    create_user("admin", password, [Role.ADMIN])
    db.session.commit()
    click.echo(f"Created the first administrator: login 'admin', password '{password}' (shown only once).")


@user_cli.command("list")
def user_list():
    """List every account with its roles."""
    from portal.models import User

    for user in db.session.execute(db.select(User).order_by(User.username)).scalars():
        state = "" if user.enabled else " (disabled)"
        click.echo(f"{user.username:30} {','.join(user.roles):20} {user.company_key}{state}")


def init_app(app: Flask) -> None:
    app.cli.add_command(user_cli)
