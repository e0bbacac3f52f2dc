"""Provider clients built from configuration, one set per process."""

import requests
from flask import current_app

from portal.providers.cloudpayments import CloudPaymentsClient
from portal.providers.unisender import UnisenderClient
from portal.providers.unisender_go import UnisenderGoClient


def _session() -> requests.Session:
    session = current_app.extensions.get("mayak_http")
    if session is None:
        session = current_app.extensions["mayak_http"] = requests.Session()
    return session


def unisendergo() -> UnisenderGoClient:
    c = current_app.config
    return UnisenderGoClient(
        c["UNISENDERGO_BASE_URL"],
        c["UNISENDERGO_API_KEY"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
    )


def unisender() -> UnisenderClient:
    c = current_app.config
    return UnisenderClient(
        c["UNISENDER_BASE_URL"],
        c["UNISENDER_API_KEY"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
    )


def cloudpayments() -> CloudPaymentsClient:
    c = current_app.config
    return CloudPaymentsClient(
        c["CLOUDPAYMENTS_BASE_URL"],
        c["CLOUDPAYMENTS_PUBLIC_ID"],
        c["CLOUDPAYMENTS_API_SECRET"],
        timeout=c["PROVIDER_TIMEOUT_SECONDS"],
        session=_session(),
    )
