"""Field checks for JSON bodies; each failure is a 400 naming the field."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask import request

from portal.api.errors import ApiError

_MISSING = object()


def _fail(name: str, problem: str):
    raise ApiError(400, f"поле {name}: {problem}", field=name)


def json_object(*, required: bool = True) -> dict:
    """The request body as a JSON object (with required=False, an empty body is {})."""
    if not required and not request.get_data(cache=True).strip():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "тело запроса должно быть JSON-объектом (Content-Type: application/json)")
    return data


def reject_unknown(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        _fail(unknown[0], "неизвестное поле; допустимы: " + ", ".join(sorted(allowed)))


def string(data, name, *, min_len=1, max_len=256, required=True, nullable=False, pattern=None):
    value = data.get(name, _MISSING)
    if value is _MISSING or (value is None and not nullable):
        if required:
            _fail(name, "обязательное поле")
        return None
    if value is None:
        return None
    if not isinstance(value, str):
        _fail(name, "должно быть строкой")
    if not min_len <= len(value) <= max_len:
        _fail(name, f"длина должна быть от {min_len} до {max_len} символов")
    if pattern and not re.fullmatch(pattern, value):
        _fail(name, f"недопустимые символы (нужно {pattern})")
    return value


def integer(data, name, *, lo, hi, default=_MISSING):
    value = data.get(name, default)
    if value is _MISSING:
        _fail(name, "обязательное поле")
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(name, "должно быть целым числом")
    if not lo <= value <= hi:
        _fail(name, f"должно быть от {lo} до {hi}")
    return value


def money(data, name, *, lo: str = "1", hi: str = "1000000") -> Decimal:
    """An amount in rubles: a JSON number or a string like "1500.50", at most two decimals."""
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        _fail(name, "обязательное поле")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        _fail(name, "должно быть числом (рубли, например 1500 или 1500.50)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        _fail(name, "должно быть числом (рубли, например 1500 или 1500.50)")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        _fail(name, "не больше двух знаков после запятой")
    if not Decimal(lo) <= amount <= Decimal(hi):
        _fail(name, f"должно быть от {lo} до {hi} рублей")
    return amount.quantize(Decimal("0.01"))


def boolean(data, name, *, default=_MISSING):
    value = data.get(name, default)
    if value is _MISSING:
        _fail(name, "обязательное поле")
    if not isinstance(value, bool):
        _fail(name, "должно быть true или false")
    return value


def email(data, name, *, required=True, nullable=False):
    value = string(data, name, min_len=3, max_len=256, required=required, nullable=nullable)
    return None if value is None else normalized_email(value, name)


# Plain ASCII addresses, a strict subset of what email_validator accepts, normalised the same
# way (domain lower-cased); everything else goes through email_validator. It is checked on
# every intake request, and the library's IDNA-aware checks cost as much as the database insert.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


def _plain_email(value: str) -> str | None:
    match = _PLAIN_EMAIL.fullmatch(value)
    if match is None or len(match["local"]) > 64 or len(value) > 254:
        return None
    domain = match["domain"].lower()
    if any(label[2:4] == "--" for label in domain.split(".")):
        return None  # IDNA-looking labels: the library decides
    if any(domain == d or domain.endswith("." + d) for d in SPECIAL_USE_DOMAIN_NAMES):
        return None
    return f"{match['local']}@{domain}"


def normalized_email(value: str, name: str) -> str:
    plain = _plain_email(value)
    if plain is not None:
        return plain
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        _fail(name, f"некорректный адрес электронной почты ({exc})")


def timestamp(data, name, *, required=True) -> datetime | None:
    """An ISO 8601 date or date-time; a date means midnight UTC."""
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            _fail(name, "обязательное поле")
        return None
    if not isinstance(value, str):
        _fail(name, "должно быть датой ISO 8601, например 2026-11-23 или 2026-11-23T10:00:00+03:00")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            _fail(name, "должно быть датой ISO 8601, например 2026-11-23 или 2026-11-23T10:00:00+03:00")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def string_dict(data, name, *, required=False) -> dict:
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            _fail(name, "обязательное поле")
        return {}
    if not isinstance(value, dict):
        _fail(name, "должно быть объектом")
    for key, item in value.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", key):
            _fail(f"{name}.{key}", "имя переменной: латинские буквы, цифры и _, не с цифры")
        if not isinstance(item, str | int | float | bool) and item is not None:
            _fail(f"{name}.{key}", "значение должно быть строкой, числом или логическим")
        if isinstance(item, str) and len(item) > 10_000:
            _fail(f"{name}.{key}", "значение длиннее 10000 символов")
    return value
