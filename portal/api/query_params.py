"""Query-string checks for the API's GETs; each failure is a 400 naming the parameter."""

import re
from datetime import UTC, date, datetime

from flask import request

from portal.api.errors import ApiError


def _fail(name: str, problem: str):
    raise ApiError(400, f"параметр {name}: {problem}", field=name)


def integer(name: str, *, lo: int, hi: int, default: int) -> int:
    """A whole number, `default` when absent or empty."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        _fail(name, "должен быть целым числом")
    if not lo <= value <= hi:
        _fail(name, f"должен быть от {lo} до {hi}")
    return value


def day(name: str) -> date | None:
    """A date written YYYY-MM-DD (fromisoformat alone also takes 20261122 and 2026-W48-1)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    _fail(name, "должен быть датой ГГГГ-ММ-ДД, например 2026-11-22")


def moment(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError:
        _fail(name, "должен быть датой и временем ISO 8601, например 2026-11-21T09:30:00+03:00")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def choice(name: str, allowed, *, default: str = "") -> str:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if raw not in allowed:
        _fail(name, "допустимы: " + ", ".join(allowed))
    return raw


def text(name: str, *, min_len: int, max_len: int) -> str:
    raw = request.args.get(name, "")
    if raw and not min_len <= len(raw) <= max_len:
        _fail(name, f"длина должна быть от {min_len} до {max_len} символов")
    return raw
