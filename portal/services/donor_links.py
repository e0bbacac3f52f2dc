"""Signed, expiring links in the donors' letters: manage a subscription, start it again."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "mayak-donor-subscription"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def subscription_token(public_id: str) -> str:
    return _serializer().dumps({"s": public_id})


def manage_link(public_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/donor/subscriptions/{subscription_token(public_id)}"


def reactivate_link(public_id: str) -> str:
    return manage_link(public_id) + "/reactivate"


def subscription_from(token: str) -> str:
    """The subscription's public id in a link; LinkExpired or LinkInvalid otherwise."""
    max_age = current_app.config["DONOR_LINK_TTL_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        raise LinkInvalid
    return data["s"]
