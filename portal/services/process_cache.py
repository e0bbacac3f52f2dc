"""Short-lived per-process memory of database answers read on every request."""

import time
from collections.abc import Callable

from flask import current_app

MAX_ENTRIES = 10_000


def remembered(name: str, key, seconds: float | Callable[[object], float], load: Callable):
    """load() at most every `seconds` for this key in this process; a None answer is not kept.

    `seconds` may be a function of the loaded value (how long that answer stays true).
    """
    cache = current_app.extensions.setdefault(f"mayak_cache_{name}", {})
    hit = cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    value = load()
    if value is None:
        cache.pop(key, None)
        return None
    if len(cache) >= MAX_ENTRIES:
        cache.clear()  # a crude bound; every entry is cheap to load again
    lifetime = seconds(value) if callable(seconds) else seconds
    cache[key] = (time.monotonic() + lifetime, value)
    return value


def forget(name: str, matches: Callable[[object], bool]) -> None:
    """Drop the remembered answers whose key matches."""
    cache = current_app.extensions.get(f"mayak_cache_{name}", {})
    for key in [k for k in cache if matches(k)]:
        cache.pop(key, None)
