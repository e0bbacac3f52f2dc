"""Configuration: the only module that reads the environment."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("MAYAK_INSTANCE", ROOT / "instance"))
DEFAULT_SECRET = "dev-only-secret-key-change-me-0123456789abcdef"
EXAMPLE_EVENT_URL = "https://mayak.example/events/{event_id}"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Config:
    """Settings for every environment, with safe defaults for the embedded mode."""

    ENV_NAME = os.environ.get("MAYAK_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'mayak.db'}")
    REDIS_URL = os.environ.get("REDIS_URL", f"unix://{INSTANCE / 'redis.sock'}")
    PORT = _int("PORT", 5000)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
    BUILD = os.environ.get("MAYAK_BUILD", "dev")

    SANDBOX = _flag("SANDBOX", ENV_NAME != "production")

    # Providers. In sandbox mode they default to the simulators mounted under /sandbox.
    UNISENDERGO_BASE_URL = os.environ.get("UNISENDERGO_BASE_URL", "")
    UNISENDERGO_API_KEY = os.environ.get("UNISENDERGO_API_KEY", "")
    UNISENDERGO_FROM_EMAIL = os.environ.get("UNISENDERGO_FROM_EMAIL", "noreply@mayak.example")
    UNISENDERGO_FROM_NAME = os.environ.get("UNISENDERGO_FROM_NAME", "Маяк")
    UNISENDER_BASE_URL = os.environ.get("UNISENDER_BASE_URL", "")
    UNISENDER_API_KEY = os.environ.get("UNISENDER_API_KEY", "")
    UNISENDER_LIST_ID = os.environ.get("UNISENDER_LIST_ID", "1")
    CLOUDPAYMENTS_BASE_URL = os.environ.get("CLOUDPAYMENTS_BASE_URL", "")
    CLOUDPAYMENTS_PUBLIC_ID = os.environ.get("CLOUDPAYMENTS_PUBLIC_ID", "")
    CLOUDPAYMENTS_API_SECRET = os.environ.get("CLOUDPAYMENTS_API_SECRET", "")
    # Bitrix24: the incoming webhook the hub calls (https://PORTAL/rest/USER_ID/SECRET), and the
    # smart process whose items are the Events.
    BITRIX_WEBHOOK_URL = os.environ.get("BITRIX_WEBHOOK_URL", "")
    BITRIX_EVENT_ENTITY_TYPE_ID = _int("BITRIX_EVENT_ENTITY_TYPE_ID", 1040)
    # Closing an Event writes its donors' letters this many at a time (one transaction each).
    FANOUT_CHUNK_SIZE = _int("FANOUT_CHUNK_SIZE", 2000)
    # The public page of a published Event, linked in the approval letter.
    EVENT_URL_TEMPLATE = os.environ.get("EVENT_URL_TEMPLATE", EXAMPLE_EVENT_URL)
    PROVIDER_TIMEOUT_SECONDS = _float("PROVIDER_TIMEOUT_SECONDS", 10.0)
    # A provider failing this many calls in a row is left alone for CIRCUIT_OPEN_SECONDS.
    CIRCUIT_FAILURE_THRESHOLD = _int("CIRCUIT_FAILURE_THRESHOLD", 5)
    CIRCUIT_OPEN_SECONDS = _float("CIRCUIT_OPEN_SECONDS", 30.0)

    # Delivery and retries.
    DELIVERY_MAX_ATTEMPTS = _int("DELIVERY_MAX_ATTEMPTS", 8)
    DELIVERY_RETRY_BASE_SECONDS = _float("DELIVERY_RETRY_BASE_SECONDS", 5.0)
    DELIVERY_RETRY_CAP_SECONDS = _float("DELIVERY_RETRY_CAP_SECONDS", 1800.0)
    SWEEP_INTERVAL_SECONDS = _float("SWEEP_INTERVAL_SECONDS", 15.0)
    STALE_AFTER_SECONDS = _float("STALE_AFTER_SECONDS", 60.0)
    # The daily statistics catch up with the changed days this often (a worker's periodic task).
    STATISTICS_ROLLUP_INTERVAL_SECONDS = _float("STATISTICS_ROLLUP_INTERVAL_SECONDS", 60.0)
    JOB_TIMEOUT_SECONDS = _int("JOB_TIMEOUT_SECONDS", 120)
    # A process kicks the dispatcher at most this often, once for all the letters it committed.
    KICK_INTERVAL_SECONDS = _float("KICK_INTERVAL_SECONDS", 0.01)
    # How long a worker holds a batch it is sending; past it, a crashed worker's batch is
    # taken over (0 = twice the provider timeout plus 30 s).
    BATCH_LEASE_SECONDS = _float("BATCH_LEASE_SECONDS", 0.0)

    # Monitoring (НФТ-5.2): how often the alert rules run, and when each raises an alert.
    MONITORING_INTERVAL_SECONDS = _float("MONITORING_INTERVAL_SECONDS", 15.0)
    # A provider, the database or Redis answering slower than this is "degraded".
    MONITORING_SLOW_MS = _float("MONITORING_SLOW_MS", 2000.0)
    # Failed letters among those finished in the window, once at least MIN_MESSAGES finished.
    MONITORING_FAILURE_RATE = _float("MONITORING_FAILURE_RATE", 0.2)
    MONITORING_FAILURE_WINDOW_SECONDS = _int("MONITORING_FAILURE_WINDOW_SECONDS", 3600)
    MONITORING_FAILURE_MIN_MESSAGES = _int("MONITORING_FAILURE_MIN_MESSAGES", 20)
    MONITORING_QUEUE_BACKLOG = _int("MONITORING_QUEUE_BACKLOG", 1000)
    MONITORING_QUEUE_AGE_SECONDS = _int("MONITORING_QUEUE_AGE_SECONDS", 300)
    # Webhooks refused for a bad signature, per sender, within the window.
    MONITORING_WEBHOOK_REJECTIONS = _int("MONITORING_WEBHOOK_REJECTIONS", 5)
    MONITORING_WEBHOOK_WINDOW_SECONDS = _int("MONITORING_WEBHOOK_WINDOW_SECONDS", 600)

    # Links in donors' letters (manage or restart a subscription) stop working after this.
    DONOR_LINK_TTL_DAYS = _int("DONOR_LINK_TTL_DAYS", 180)

    # Authentication.
    JWT_ISSUER = os.environ.get("JWT_ISSUER", "mayak-hub")
    JWT_AUDIENCE = os.environ.get("JWT_AUDIENCE", "mayak-api")
    LOGIN_FREE_ATTEMPTS = _int("LOGIN_FREE_ATTEMPTS", 5)
    LOGIN_LOCK_CAP_SECONDS = _int("LOGIN_LOCK_CAP_SECONDS", 900)

    # Partners' quotas (seed 002) where an admin set none; an ADMIN is never limited.
    # A partner without a quota of its own: 0 is no limit (and no Redis round trip per call).
    QUOTA_DEFAULT_POINTS_PER_REQUEST = _int("QUOTA_DEFAULT_POINTS_PER_REQUEST", 0)
    QUOTA_DEFAULT_POINTS_PER_DAY = _int("QUOTA_DEFAULT_POINTS_PER_DAY", 0)
    QUOTA_DEFAULT_MAX_CONCURRENT = _int("QUOTA_DEFAULT_MAX_CONCURRENT", 0)
    # A running call holds its concurrency slot at most this long (a crashed one lets go then).
    QUOTA_LEASE_SECONDS = _int("QUOTA_LEASE_SECONDS", 120)
    # The audit's daily usage counters are rolled up this often; audit rows are kept this long.
    USAGE_ROLLUP_INTERVAL_SECONDS = _float("USAGE_ROLLUP_INTERVAL_SECONDS", 300.0)
    AUDIT_RETENTION_DAYS = _int("AUDIT_RETENTION_DAYS", 400)

    # No pre-ping round trip per request: a connection the server dropped is discarded when
    # its error surfaces, and none is kept longer than the recycle time.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 12 * 3600)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("ru", "en")
    DISPLAY_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Europe/Moscow")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # The logs page (НФТ-5.1): what is kept in the database, and for how many days.
    LOG_DB_LEVEL = os.environ.get("LOG_DB_LEVEL", "INFO")
    LOG_RETENTION_DAYS = _int("LOG_RETENTION_DAYS", 30)
    LOG_PRUNE_INTERVAL_SECONDS = _float("LOG_PRUNE_INTERVAL_SECONDS", 3600.0)


def finalize(config: dict) -> None:
    """Fill derived settings and refuse unsafe production set-ups."""
    base = config["PUBLIC_BASE_URL"]
    if config["SANDBOX"]:
        config["UNISENDERGO_BASE_URL"] = config["UNISENDERGO_BASE_URL"] or (
            f"{base}/sandbox/unisendergo/ru/transactional/api/v1"
        )
        config["UNISENDERGO_API_KEY"] = config["UNISENDERGO_API_KEY"] or "sandbox-unisendergo-key"
        config["UNISENDER_BASE_URL"] = config["UNISENDER_BASE_URL"] or f"{base}/sandbox/unisender"
        config["UNISENDER_API_KEY"] = config["UNISENDER_API_KEY"] or "sandbox-unisender-key"
        config["CLOUDPAYMENTS_BASE_URL"] = config["CLOUDPAYMENTS_BASE_URL"] or f"{base}/sandbox/cloudpayments"
        config["CLOUDPAYMENTS_PUBLIC_ID"] = config["CLOUDPAYMENTS_PUBLIC_ID"] or "pk_sandbox"
        config["BITRIX_WEBHOOK_URL"] = (
            config["BITRIX_WEBHOOK_URL"] or f"{base}/sandbox/bitrix/rest/1/sandbox-bitrix-secret"
        )
        config["CLOUDPAYMENTS_API_SECRET"] = (
            config["CLOUDPAYMENTS_API_SECRET"] or "sandbox-cloudpayments-secret"
        )
    else:
        config["UNISENDERGO_BASE_URL"] = (
            config["UNISENDERGO_BASE_URL"] or "https://go1.unisender.ru/ru/transactional/api/v1"
        )
        config["UNISENDER_BASE_URL"] = config["UNISENDER_BASE_URL"] or "https://api.unisender.com"
        config["CLOUDPAYMENTS_BASE_URL"] = config["CLOUDPAYMENTS_BASE_URL"] or "https://api.cloudpayments.ru"
    if config["ENV_NAME"] == "production":
        problems = []
        if config["SECRET_KEY"] == DEFAULT_SECRET or len(config["SECRET_KEY"]) < 32:
            problems.append("SECRET_KEY must be set to at least 32 random characters")
        if config["SANDBOX"]:
            problems.append("SANDBOX must be off in production")
        if (
            config["EVENT_URL_TEMPLATE"] == EXAMPLE_EVENT_URL
            or "{event_id}" not in config["EVENT_URL_TEMPLATE"]
        ):
            problems.append("EVENT_URL_TEMPLATE must be set to the site's Event page, with {event_id}")
        for key in (
            "UNISENDERGO_API_KEY",
            "UNISENDER_API_KEY",
            "CLOUDPAYMENTS_PUBLIC_ID",
            "CLOUDPAYMENTS_API_SECRET",
            "BITRIX_WEBHOOK_URL",
        ):
            if not config[key]:
                problems.append(f"{key} is required in production")
        if problems:
            raise RuntimeError("refusing to start: " + "; ".join(problems))


def random_password() -> str:
    """A password for a freshly created account, printed once."""
    return secrets.token_urlsafe(15)
