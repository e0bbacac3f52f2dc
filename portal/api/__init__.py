"""The machine API under /api/v1: JSON in, JSON out, Bearer tokens, one error envelope."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from portal.api import (
    account,
    audit,
    auth,
    donations,
    email,
    emails,
    errors,
    events,
    logs,
    messages,
    monitoring,
    openapi,
    quotas,
    retry,
    statistics,
    subscriptions,
    templates,
    usage,
    users,
)
