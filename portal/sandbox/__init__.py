"""The sandbox: simulators of the providers (over real HTTP) and the inbox page.

Mounted only in sandbox mode, which production refuses.
"""

from flask import Blueprint

bp = Blueprint("sandbox", __name__)
providers_bp = Blueprint("sandbox_providers", __name__)

from portal.sandbox import bitrix, cloudpayments, control, inbox, unisender, unisendergo
