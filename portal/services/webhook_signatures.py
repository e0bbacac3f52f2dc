"""Verifying that a webhook really comes from its provider."""

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import unquote_to_bytes

_AUTH_VALUE = re.compile(rb'"auth"\s*:\s*"([0-9a-fA-F]{32})"')


def verify_unisendergo(raw_body: bytes, api_key: str) -> bool:
    """UnisenderGo: `auth` is the MD5 of the body as sent, with `auth` replaced by the key."""
    if not api_key:
        return False  # fail closed when the key is not configured
    match = _AUTH_VALUE.search(raw_body)
    if not match:
        return False
    received = match.group(1).lower()
    unsigned = raw_body[: match.start(1)] + api_key.encode() + raw_body[match.end(1) :]
    if hmac.compare_digest(hashlib.md5(unsigned).hexdigest(), received.decode()):
        return True
    # Fallback: some senders' bodies only match after compact re-serialisation.
    try:
        payload = json.loads(raw_body)
    except ValueError:
        return False
    payload["auth"] = api_key
    compact = json.dumps(payload, separators=(",", ":")).encode()
    return hmac.compare_digest(hashlib.md5(compact).hexdigest(), received.decode())


def cloudpayments_hmac(message: bytes, api_secret: str) -> str:
    """base64(HMAC-SHA256(API secret, message)), as CloudPayments signs its notifications."""
    digest = hmac.new(api_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def cloudpayments_signatures(body: bytes, api_secret: str) -> dict[str, str]:
    """The two headers CloudPayments signs a notification with: `Content-HMAC` over the body as
    sent, `X-Content-HMAC` over it with its parameters URL-decoded (the same for a JSON body)."""
    decoded = unquote_to_bytes(body.replace(b"+", b" "))
    return {
        "Content-HMAC": cloudpayments_hmac(body, api_secret),
        "X-Content-HMAC": cloudpayments_hmac(decoded, api_secret),
    }


def verify_cloudpayments(raw_body: bytes, headers, api_secret: str) -> bool:
    """CloudPayments: either signature header matching (constant-time) will do."""
    if not api_secret:
        return False  # fail closed when the secret is not configured
    for header, value in cloudpayments_signatures(raw_body, api_secret).items():
        received = headers.get(header, "").strip()
        if received and hmac.compare_digest(received.encode(), value.encode()):
            return True
    return False
