"""Administering accounts: create, edit, disable, reset a password, issue a token — and never
leave the hub without an enabled administrator.

The last-admin rule holds under concurrency: every change that can take ADMIN away from an
enabled account first locks the rows of all enabled administrators (SELECT … FOR UPDATE on
PostgreSQL; SQLite's transactions hold the write lock from BEGIN IMMEDIATE). Two administrators
demoting each other at once are thus serialised, and the second one counts again after the
first committed. A conditional UPDATE would not do: under READ COMMITTED two updates of two
different rows both see the other administrator still there.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import AccountChange, Role, User
from portal.services import tokens
from portal.services.message_log import PER_PAGE, UrlFilter
from portal.services.passwords import hash_password
from portal.services.users import find_user

USERNAME_PATTERN = r"\w+"
COMPANY_PATTERN = r"\w+"
PHONE_PATTERN = r"\+?[0-9 ()\-]+"
MAX_ROLES = 2
# How long a freshly generated password or token waits in Redis for the one page that shows it.
SECRET_SHOWN_WITHIN_SECONDS = 600


class AccountRefused(Exception):
    """A change the rules forbid; `reason` names which rule (the caller words the message)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UsernameTaken(Exception):
    pass


@dataclass
class AccountFilter(UrlFilter):
    role: str = ""
    state: str = ""  # "enabled", "disabled" or any
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "AccountFilter":
        raw = cls.raw(args)
        raw.role = raw.role if raw.role in set(Role) else ""
        raw.state = raw.state if raw.state in ("enabled", "disabled") else ""
        return raw

    def statement(self):
        query = db.select(User)
        if self.role:
            query = query.where(User.roles_csv.contains(self.role))  # no role name contains another
        if self.state:
            query = query.where(User.enabled.is_(self.state == "enabled"))
        if self.q:
            like = f"%{self.q}%"
            query = query.where(
                or_(
                    User.username.ilike(like),
                    User.email.ilike(like),
                    User.specification.ilike(like),
                    User.company_key.ilike(like),
                )
            )
        return query.order_by(User.username)


def search(flt: AccountFilter, page: int, per_page: int = PER_PAGE):
    return db.paginate(flt.statement(), page=max(page, 1), per_page=per_page, error_out=False)


def generate_password() -> str:
    """20 URL-safe characters (120 bits): within seed 002's 10…256."""
    return secrets.token_urlsafe(15)


def create_account(
    username: str, roles: list[str], password: str | None, actor: str, **fields
) -> tuple[User, str | None]:
    """Add an account; with no password one is generated and returned (to be shown once)."""
    if find_user(username) is not None:
        raise UsernameTaken(username)
    generated = None if password else generate_password()
    user = User(username=username, password_hash=hash_password(password or generated), **fields)
    user.roles = roles
    try:
        with db.session.begin_nested():  # the same name created at the same moment: one wins
            db.session.add(user)
    except IntegrityError:
        raise UsernameTaken(username) from None
    _record(user, "created", actor, _describe_roles(user.roles))
    return user, generated


def update_account(user: User, actor: User | str, changes: dict, roles: list[str] | None = None) -> User:
    """Change profile fields and, when given, the roles; ADMIN is never taken from the last admin."""
    actor_name = _name(actor)
    if roles is not None and set(roles) != set(user.roles):
        if Role.ADMIN in user.roles and Role.ADMIN not in roles:
            user = _lock_for_losing_admin(user, actor)
        before = user.roles
        user.roles = roles
        _record(user, "roles", actor_name, f"{_describe_roles(before)} → {_describe_roles(user.roles)}")
    edited = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    for name in edited:
        setattr(user, name, changes[name])
    if edited:
        _record(user, "edited", actor_name, ", ".join(edited))
    db.session.flush()
    return user


def disable_account(user: User, actor: User | str) -> User:
    """Disable: every session and token of the account stops working at once."""
    if not user.enabled:
        return user
    user = _lock_for_losing_admin(user, actor) if user.has_role(Role.ADMIN) else _locked(user)
    if not user.enabled:  # disabled meanwhile by someone else
        return user
    if _is_self(user, actor):
        raise AccountRefused("self")
    user.enabled = False
    user.token_version += 1
    _record(user, "disabled", _name(actor))
    db.session.flush()
    return user


def enable_account(user: User, actor: User | str) -> User:
    user = _locked(user)
    if not user.enabled:
        user.enabled = True
        _record(user, "enabled", _name(actor))
        db.session.flush()
    return user


def reset_password(user: User, actor: User | str) -> str:
    """A new generated password; the old one, and every session and token, stop working."""
    if _is_self(user, actor):
        raise AccountRefused("self")
    user = _locked(user)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.token_version += 1
    _record(user, "password_reset", _name(actor))
    db.session.flush()
    return password


def issue_token(user: User, ttl_seconds: int, actor: User | str) -> str:
    """A Bearer token for the account (a partner's system, typically), valid for ttl_seconds."""
    if not user.enabled:
        raise AccountRefused("disabled")
    if not tokens.MIN_TTL <= ttl_seconds <= tokens.MAX_TTL:
        raise AccountRefused("ttl")
    _record(user, "token_issued", _name(actor), f"ttl_seconds={ttl_seconds}")
    db.session.flush()
    return tokens.issue_token(user, ttl_seconds)


def forget_cached_checks(user: User) -> None:
    """After the commit: this process stops trusting what it cached about the account's tokens
    (other web processes within tokens.CALLER_CACHE_SECONDS)."""
    tokens.forget_caller(user.id)


def history(user: User, limit: int = 50) -> list[AccountChange]:
    query = (
        db.select(AccountChange)
        .filter_by(user_id=user.id)
        .order_by(AccountChange.at.desc(), AccountChange.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def is_last_admin(user: User) -> bool:
    """Whether the account is the only enabled administrator (for the page; the rule re-checks)."""
    return user.enabled and user.has_role(Role.ADMIN) and _other_enabled_admins(user.id) == 0


def _lock_for_losing_admin(user: User, actor: User | str) -> User:
    """Lock every enabled administrator, re-read the account, and refuse if it is the last one
    or the actor themselves (an administrator never removes their own access by mistake)."""
    admins = set(
        db.session.execute(
            db.select(User.id)
            .where(User.enabled.is_(True), User.roles_csv.contains(Role.ADMIN.value))
            .order_by(User.id)  # one lock order for everyone: two demotions never deadlock
            # PostgreSQL re-checks the WHERE of a row it had to wait for: an administrator
            # demoted by the transaction we waited on is no longer counted.
            .with_for_update()
        ).scalars()
    )
    user = _locked(user)
    if user.enabled and Role.ADMIN in user.roles and not admins - {user.id}:
        raise AccountRefused("last_admin")
    if _is_self(user, actor):
        raise AccountRefused("self")
    return user


def _locked(user: User) -> User:
    """The account's row, locked for this transaction and read afresh."""
    return db.session.execute(
        db.select(User).filter_by(id=user.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _other_enabled_admins(user_id: int) -> int:
    query = db.select(db.func.count()).where(
        User.enabled.is_(True), User.roles_csv.contains(Role.ADMIN.value), User.id != user_id
    )
    return db.session.execute(query).scalar()


def _is_self(user: User, actor: User | str) -> bool:
    return not isinstance(actor, str) and actor.id == user.id


def _name(actor: User | str) -> str:
    return actor if isinstance(actor, str) else actor.username


def _describe_roles(roles: list[str]) -> str:
    return ", ".join(roles) or "—"


def _record(user: User, action: str, actor: str, detail: str | None = None) -> None:
    db.session.add(AccountChange(user_id=user.id, action=action, actor=actor, detail=detail))


def find_account(username: str) -> User | None:
    return find_user(username)
