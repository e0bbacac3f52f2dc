"""`Idempotency-Key` on the API's POSTs: a retried call is answered, not repeated."""

import hashlib
from functools import wraps

from flask import g, make_response, request
from sqlalchemy.exc import IntegrityError

from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import ApiRequestKey

HEADER = "Idempotency-Key"


def idempotent(view):
    """Run the view once per (caller, key); repeat its answer for the same key and body."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise ApiError(400, f"заголовок {HEADER}: от 1 до 255 символов", field=HEADER)
        fingerprint = hashlib.sha256(
            request.method.encode() + request.path.encode() + request.get_data()
        ).hexdigest()
        record = ApiRequestKey(user_id=g.api_user.id, key=key, request_hash=fingerprint)
        try:
            # Claimed in the view's own transaction: its effects and the key commit together.
            db.session.add(record)
            db.session.flush()
            g.idempotency_claim = record
        except IntegrityError:
            db.session.rollback()
            return _replay(key, fingerprint)
        response = make_response(view(*args, **kwargs))
        if response.status_code < 300:
            record.status_code, record.response = response.status_code, response.get_data(as_text=True)
            db.session.commit()
        return response

    return wrapped


def _replay(key: str, fingerprint: str):
    record = db.session.execute(
        db.select(ApiRequestKey).filter_by(user_id=g.api_user.id, key=key)
    ).scalar_one()
    if record.request_hash != fingerprint:
        raise ApiError(422, f"{HEADER} {key!r} уже использован с другим запросом", field=HEADER)
    if record.status_code is None:
        raise ApiError(409, f"запрос с {HEADER} {key!r} ещё выполняется; повторите позже", field=HEADER)
    response = make_response(record.response, record.status_code)
    response.mimetype = "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    db.session.rollback()
    return response


def commit_claim() -> bool:
    """Commit this request's Idempotency-Key claim early, before a slow provider call, so that
    no lock is held meanwhile; a concurrent repeat is told the call is still running."""
    if g.get("idempotency_claim") is None:
        return False
    db.session.commit()
    return True


def release_claim() -> None:
    """Forget an early-committed claim whose call failed, so that the caller may try again."""
    record = g.pop("idempotency_claim", None)
    if record is not None:
        db.session.rollback()
        db.session.execute(db.delete(ApiRequestKey).filter_by(id=record.id))
        db.session.commit()
