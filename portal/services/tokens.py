"""Signed, expiring JWTs for the machine API (HS256 only; alg=none never accepted)."""

from datetime import UTC, datetime, timedelta

import jwt
from flask import current_app

from portal.extensions import db
from portal.models import User

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


def user_from_token(token: str) -> User | None:
    """The enabled user a valid token belongs to, or None for any bad token."""
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
    user = db.session.get(User, claims["uid"])
    if user is None or not user.enabled or user.token_version != claims["ver"]:
        return None
    return user
