"""Reachability checks of the components the hub cannot work without."""

import logging

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.queueing import get_redis

log = logging.getLogger("mayak.health")


def check_database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return True
    except SQLAlchemyError as exc:
        log.warning("database unreachable: %s", exc)
        db.session.rollback()
        return False


def check_redis() -> bool:
    try:
        return bool(get_redis().ping())
    except RedisError as exc:
        log.warning("Redis unreachable: %s", exc)
        return False
