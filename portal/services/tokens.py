"""Signed, expiring JWTs for the machine API (HS256 only; alg=none never accepted)."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from flask import current_app

from portal.extensions import db
from portal.models import User
from portal.services.process_cache import forget, remembered

ALGORITHM = "HS256"
MIN_TTL, MAX_TTL, DEFAULT_TTL = 60, 31556926, 86400


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def issue_token(user: User, ttl_seconds: int = DEFAULT_TTL) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.username,
        "uid": user.id,
        "roles": user.roles,
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "iss": current_app.config["JWT_ISSUER"],
        "aud": current_app.config["JWT_AUDIENCE"],
    }
    return jwt.encode(claims, _key(), algorithm=ALGORITHM)


# A caller's account is re-read at most this often per process: disabling an account or
# changing its password stops its tokens everywhere within this time (at once in this process).
CALLER_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Caller:
    """Who an API request comes from: what the routes need, without a database read."""

    id: int
    username: str
    roles: tuple[str, ...]
    company_key: str

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


def caller_from_token(token: str) -> Caller | None:
    """The caller of a valid token, or None; the account check is cached briefly."""
    claims = _claims(token)
    if claims is None:
        return None

    def check_account() -> Caller | None:
        user = _valid_user(claims)
        return user and Caller(user.id, user.username, tuple(user.roles), user.company_key)

    return remembered("callers", (claims["uid"], claims["ver"]), CALLER_CACHE_SECONDS, check_account)


def forget_caller(user_id: int) -> None:
    """Drop the cached account checks of a user (after a password change, say)."""
    forget("callers", lambda key: key[0] == user_id)


def user_from_token(token: str) -> User | None:
    """The enabled user a valid token belongs to, read afresh, or None for any bad token."""
    claims = _claims(token)
    return _valid_user(claims) if claims else None


def _valid_user(claims: dict) -> User | None:
    user = db.session.get(User, claims["uid"])
    if user is None or not user.enabled or user.token_version != claims["ver"]:
        return None
    return user


def _claims(token: str) -> dict | None:
    """The claims of a valid token, checked once and remembered briefly (never past its expiry)."""

    def until_expiry(claims: dict) -> float:
        return min(CALLER_CACHE_SECONDS, claims["exp"] - time.time())

    return remembered("claims", token, until_expiry, lambda: _decode(token))


def _decode(token: str) -> dict | None:
    try:
        claims = jwt.decode(
            token,
            _key(),
            algorithms=[ALGORITHM],
            audience=current_app.config["JWT_AUDIENCE"],
            issuer=current_app.config["JWT_ISSUER"],
            options={"require": ["exp", "iat", "iss", "aud", "sub", "uid", "ver"]},
        )
    except jwt.PyJWTError:
        return None
    return claims
