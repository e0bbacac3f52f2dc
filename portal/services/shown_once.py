"""A freshly generated password or token, kept briefly for the one page that shows it.

The page after a POST (POST-redirect-GET) must show the secret, yet the session cookie is only
signed, not encrypted: the secret waits in Redis under a random key, bound to the administrator
who made it, and is deleted by the first read.
"""

import json
import secrets

from portal.queueing import get_redis

PREFIX = "mayak:shown-once:"


def stash(owner_id: int, kind: str, value: str, ttl_seconds: int) -> str:
    """Keep `value` for `owner_id`; the returned key goes in the redirect's URL."""
    key = secrets.token_urlsafe(16)
    get_redis().set(PREFIX + key, json.dumps([owner_id, kind, value]), ex=ttl_seconds)
    return key


def take(owner_id: int, key: str) -> tuple[str, str] | None:
    """(kind, value) once, for its owner only; None afterwards, when expired, or for anyone else."""
    if not key or len(key) > 64:
        return None
    redis = get_redis()
    raw = redis.get(PREFIX + key)
    if raw is None:
        return None
    owner, kind, value = json.loads(raw)
    # Only its owner's look uses it up; of two looks at once, the one that deletes it shows it.
    if owner != owner_id or not redis.delete(PREFIX + key):
        return None
    return kind, value
