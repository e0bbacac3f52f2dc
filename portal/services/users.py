"""Accounts: creation, authentication, password change, profile updates."""

from portal.extensions import db
from portal.models import Role, User
from portal.services import login_throttle
from portal.services.passwords import check_password, hash_password


class AuthenticationError(Exception):
    """Wrong credentials, a disabled account, or too many attempts."""

    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def find_user(username: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()


def create_user(username: str, password: str, roles: list[str], **fields) -> User:
    """Add a user; the caller checked that the name is free."""
    user = User(username=username, password_hash=hash_password(password), **fields)
    user.roles = [Role(r) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User:
    """The user these credentials belong to; throttled per account."""
    wait = login_throttle.seconds_locked(username)
    if wait:
        raise AuthenticationError("too_many_attempts", retry_after=wait)
    user = find_user(username)
    if not check_password(user.password_hash if user else None, password) or not user.enabled:
        login_throttle.record_failure(username)
        raise AuthenticationError("invalid_credentials")
    login_throttle.record_success(username)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password; every earlier token and session stops working."""
    if not check_password(user.password_hash, current_password):
        login_throttle.record_failure(user.username)
        raise AuthenticationError("invalid_credentials")
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    db.session.flush()


def staff_exists() -> bool:
    users = db.session.execute(db.select(User)).scalars()
    return any(u.can_use_portal for u in users)
