"""Provider clients built from configuration, one set per process."""

import requests
from flask import current_app

from portal.providers.bitrix import BitrixClient
from portal.providers.circuit import CircuitBreaker
from portal.providers.cloudpayments import CloudPaymentsClient
from portal.providers.unisender import UnisenderClient
from portal.providers.unisender_go import UnisenderGoClient
from portal.queueing import get_redis


def _session() -> requests.Session:
    session = current_app.extensions.get("mayak_http")
    if session is None:
        session = current_app.extensions["mayak_http"] = requests.Session()
    return session


def breaker(provider: str) -> CircuitBreaker:
    c = current_app.config
    return CircuitBreaker(
        get_redis(),
        provider,
        threshold=c["CIRCUIT_FAILURE_THRESHOLD"],
        open_seconds=c["CIRCUIT_OPEN_SECONDS"],
        trial_seconds=c["PROVIDER_TIMEOUT_SECONDS"] * 2 + 5,
    )


def unisendergo() -> UnisenderGoClient:
    c = current_app.config
    return UnisenderGoClient(
        c["UNISENDERGO_BASE_URL"],
        c["UNISENDERGO_API_KEY"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
        breaker=breaker("unisendergo"),
    )


def unisender() -> UnisenderClient:
    c = current_app.config
    return UnisenderClient(
        c["UNISENDER_BASE_URL"],
        c["UNISENDER_API_KEY"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
        breaker=breaker("unisender"),
    )


def cloudpayments() -> CloudPaymentsClient:
    c = current_app.config
    return CloudPaymentsClient(
        c["CLOUDPAYMENTS_BASE_URL"],
        c["CLOUDPAYMENTS_PUBLIC_ID"],
        c["CLOUDPAYMENTS_API_SECRET"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
        breaker=breaker("cloudpayments"),
    )


def bitrix() -> BitrixClient:
    c = current_app.config
    return BitrixClient(
        c["BITRIX_WEBHOOK_URL"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
        breaker=breaker("bitrix"),
    )
