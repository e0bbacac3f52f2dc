"""Partners' quotas (seed 002): items per request, items per day, concurrent calls — enforced.

Daily counters and running calls live in Redis, keyed by user, service, process type and the
user's local day, checked and counted by one Lua script, so parallel calls cannot overshoot.
A running call is a member of a sorted set scored by its lease's end: a crashed request stops
counting when its lease ends instead of holding a slot for ever.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from redis.exceptions import RedisError

from portal.background import BatchingThread
from portal.extensions import db
from portal.models import Quota, User
from portal.queueing import get_redis
from portal.services import audit_taxonomy as taxonomy
from portal.services.process_cache import forget, remembered

log = logging.getLogger("mayak.quotas")

# A partner's quotas and timezone are re-read at most this often per process.
PROFILE_CACHE_SECONDS = 10.0

ADMIT = """
if #ARGV > 6 then redis.call('ZREM', KEYS[2], unpack(ARGV, 7)) end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {1, used} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
local running = redis.call('ZCARD', KEYS[2])
if running >= tonumber(ARGV[3]) then return {2, running} end
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]), ARGV[6])
redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[5])))
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 172800)
return {0, used}
"""

NAMES = {
    "points_per_request": "единиц в одном запросе",
    "points_per_day": "единиц в сутки",
    "max_concurrent_execution": "одновременных запросов",
}


@dataclass(frozen=True)
class Limits:
    """A quota's three limits; None is no limit (a default set to 0)."""

    points_per_request: int | None
    points_per_day: int | None
    max_concurrent_execution: int | None
    custom: bool = False

    @property
    def unlimited(self) -> bool:
        return self.points_per_request is self.points_per_day is self.max_concurrent_execution is None


# What Redis compares a missing limit with (Lua numbers are doubles: exact up to 2**53).
NO_LIMIT = 2**53


@dataclass(frozen=True)
class Profile:
    """What enforcement needs about a caller, cached: their timezone and their quota rows."""

    timezone: int
    quotas: dict


class QuotaExceeded(Exception):
    def __init__(self, message: str, retry_after: int | None):
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


def now() -> datetime:
    """The clock quotas count days by (tests move it to the next day)."""
    return datetime.now(UTC)


def default_limits() -> Limits:
    """The limits of a partner without a quota of its own; 0 in the settings is no limit."""
    config = current_app.config
    return Limits(
        *(
            config[key] or None
            for key in (
                "QUOTA_DEFAULT_POINTS_PER_REQUEST",
                "QUOTA_DEFAULT_POINTS_PER_DAY",
                "QUOTA_DEFAULT_MAX_CONCURRENT",
            )
        )
    )


def profile(user_id: int) -> Profile:
    def load() -> Profile:
        timezone = db.session.execute(db.select(User.timezone).filter_by(id=user_id)).scalar()
        rows = db.session.execute(db.select(Quota).filter_by(user_id=user_id)).scalars()
        quotas = {
            (q.service, q.process_type): Limits(
                q.points_per_request, q.points_per_day, q.max_concurrent_execution, True
            )
            for q in rows
        }
        return Profile(3 if timezone is None else timezone, quotas)

    return remembered("quota_profiles", user_id, PROFILE_CACHE_SECONDS, load)


def forget_profile(user_id: int) -> None:
    forget("quota_profiles", lambda key: key == user_id)


def limits_for(user_id: int, service: str, process_type: str) -> Limits:
    return profile(user_id).quotas.get((service, process_type)) or default_limits()


def day_key(user_id: int, service: str, process_type: str, day) -> str:
    return f"quota:day:{user_id}:{service}:{process_type}:{day.isoformat()}"


def running_key(user_id: int, service: str, process_type: str) -> str:
    return f"quota:running:{user_id}:{service}:{process_type}"


def admit(caller) -> None:
    """Count this API call against its caller's quotas, or raise QuotaExceeded (nothing counted)."""
    if caller.has_role("ADMIN"):
        return
    if not profile(caller.id).quotas and default_limits().unlimited:
        return  # no quota of its own and no defaults: nothing to count, no Redis round trip
    service = taxonomy.api_service(request.path)
    process_type = taxonomy.api_process_type(request.path, request.method, request.endpoint)
    limits = limits_for(caller.id, service, process_type)
    scope = f"{service}/{process_type}"
    points = taxonomy.points_of(request.get_json(silent=True)) if request.is_json else 1
    if limits.unlimited:
        return
    if limits.points_per_request is not None and points > limits.points_per_request:
        # Retrying the same call never helps, so no Retry-After.
        raise QuotaExceeded(
            f"превышена квота points_per_request ({NAMES['points_per_request']}) для {scope}: "
            f"в запросе {points}, лимит {limits.points_per_request}; разделите запрос на части",
            None,
        )
    offset = profile(caller.id).timezone
    moment = now()
    day = taxonomy.local_day(offset, moment)
    keys = (day_key(caller.id, service, process_type, day), running_key(caller.id, service, process_type))
    member = uuid.uuid4().hex
    lease = current_app.config["QUOTA_LEASE_SECONDS"]
    try:
        script = current_app.extensions.get("mayak_quota_admit")
        if script is None:  # EVALSHA from then on: the script's text is not sent with every call
            script = current_app.extensions["mayak_quota_admit"] = get_redis().register_script(ADMIT)
        verdict, seen = script(
            keys=keys,
            # slots this process's finished calls still hold are freed first: a partner calling
            # one after another with a limit of 1 is never refused by its own previous call
            args=(
                points,
                NO_LIMIT if limits.points_per_day is None else limits.points_per_day,
                NO_LIMIT if limits.max_concurrent_execution is None else limits.max_concurrent_execution,
                time.time(),
                lease,
                member,
                *releaser().take(keys[1]),
            ),
        )
    except RedisError as exc:
        # Quotas protect the hub; a Redis outage must not turn every partner away.
        log.warning("quota check skipped, Redis unavailable: %s", exc)
        return
    if verdict == 1:
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), taxonomy.user_zone(offset))
        retry_after = max(int((midnight - moment).total_seconds()) + 1, 1)
        raise QuotaExceeded(
            f"превышена квота points_per_day ({NAMES['points_per_day']}) для {scope}: "
            f"использовано {seen} из {limits.points_per_day}, в запросе {points}; "
            f"счётчик обнулится в полночь (UTC{offset:+d})",
            retry_after,
        )
    if verdict == 2:
        raise QuotaExceeded(
            f"превышена квота max_concurrent_execution ({NAMES['max_concurrent_execution']}) "
            f"для {scope}: лимит {limits.max_concurrent_execution}; "
            "повторите, когда завершится один из выполняющихся запросов",
            1,
        )
    g.quota_hold = (keys, member, points)


def release(succeeded: bool) -> None:
    """Free this call's running slot; a call that failed gives its points back at once.

    A successful call's slot is freed by this process's releaser thread, which removes every
    slot finished meanwhile in one pipeline: under load one round trip serves many calls, and
    the slot stays taken only the few milliseconds until the thread runs.
    """
    hold = g.pop("quota_hold", None)
    if hold is None:
        return
    (counter, running), member, points = hold
    if succeeded:
        releaser().add((running, member))
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.zrem(running, member)
        pipe.decrby(counter, points)
        pipe.execute()
    except RedisError as exc:
        log.warning("quota release skipped, Redis unavailable: %s", exc)


def releaser() -> "SlotReleaser":
    return SlotReleaser.of_current_app()


class SlotReleaser(BatchingThread):
    """Frees finished calls' running slots from a background thread, many per Redis round trip.

    The batch the thread is freeing stays visible to `take()` until Redis has it: a call that
    arrives meanwhile frees those slots itself instead of counting them as still running.
    """

    NAME = "quota-releaser"

    def __init__(self, app):
        super().__init__(app)
        self.in_flight: list[tuple[str, str]] = []

    def take_batch(self) -> list:
        self.in_flight = super().take_batch()
        return self.in_flight

    def take(self, running: str) -> list[str]:
        """The finished calls of one running set not freed yet (the caller frees them too)."""
        if not self.pending and not self.in_flight:
            return []
        with self.lock:
            mine = [m for r, m in self.pending if r == running]
            if mine:
                self.pending = [(r, m) for r, m in self.pending if r != running]
            return mine + [m for r, m in self.in_flight if r == running]

    def work(self, finished: list[tuple[str, str]]) -> None:
        try:
            pipe = get_redis().pipeline(transaction=False)
            for running, member in finished:
                pipe.zrem(running, member)
            pipe.execute()
        except RedisError as exc:  # a slot not freed ends with its lease
            log.warning("could not free %d quota slots: %s", len(finished), exc)
        finally:
            with self.lock:
                self.in_flight = []


def used_today(user_id: int, service: str, process_type: str) -> int:
    day = taxonomy.local_day(profile(user_id).timezone, now())
    return int(get_redis().get(day_key(user_id, service, process_type, day)) or 0)


# ---- reading and setting (the API and the portal) ----------------------------------------


def combinations() -> list[tuple[str, str]]:
    """Every (service, process type) the API's routes fall into, in a stable order."""
    found = set()
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((taxonomy.api_service(path), taxonomy.api_process_type(path, method, rule.endpoint)))
    order = {name: i for i, name in enumerate(taxonomy.SERVICES)}
    kinds = {name: i for i, name in enumerate(taxonomy.PROCESS_TYPES)}
    return sorted(found, key=lambda c: (order[c[0]], kinds[c[1]]))


def effective_quotas(user: User) -> dict:
    """Seed 002's quota_base: every service and process type with the limits that apply."""
    rows = {(q.service, q.process_type): q for q in quota_rows(user.id)}
    defaults = default_limits()
    services: dict[str, list] = {}
    for service, process_type in combinations():
        row = rows.get((service, process_type))
        limits = row or defaults
        services.setdefault(service, []).append(
            {
                "process_type": process_type,
                "points_per_request": limits.points_per_request,
                "points_per_day": limits.points_per_day,
                "max_concurrent_execution": limits.max_concurrent_execution,
                "custom": row is not None,
            }
        )
    return {"base": {"services": [{"service": s, "processes": p} for s, p in services.items()]}}


def quota_rows(user_id: int) -> list[Quota]:
    query = db.select(Quota).filter_by(user_id=user_id).order_by(Quota.service, Quota.process_type)
    return list(db.session.execute(query).scalars())


def set_quota(user: User, service: str, process_type: str, limits: Limits, editor: str) -> Quota:
    """Create or change one quota row (the caller commits, then forget_profile)."""
    quota = db.session.execute(
        db.select(Quota).filter_by(user_id=user.id, service=service, process_type=process_type)
    ).scalar()
    if quota is None:
        quota = Quota(user_id=user.id, service=service, process_type=process_type)
        db.session.add(quota)
    quota.points_per_request = limits.points_per_request
    quota.points_per_day = limits.points_per_day
    quota.max_concurrent_execution = limits.max_concurrent_execution
    quota.edited_by = editor
    db.session.flush()
    return quota


def replace_quotas(user: User, entries: dict, editor: str) -> None:
    """Make the user's quota rows exactly `entries` ({(service, type): Limits}); the rest default."""
    for quota in quota_rows(user.id):
        if (quota.service, quota.process_type) not in entries:
            db.session.delete(quota)
    db.session.flush()
    for (service, process_type), limits in entries.items():
        set_quota(user, service, process_type, limits, editor)
