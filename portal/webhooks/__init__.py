"""Provider webhooks: no token, each verifies its sender's signature. CSRF-exempt."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from portal.webhooks import cloudpayments, unisendergo
