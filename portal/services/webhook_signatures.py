"""Verifying that a webhook really comes from its provider."""

import hashlib
import hmac
import json
import re

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
