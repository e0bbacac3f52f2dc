"""Failures the sandbox has been told to simulate, kept in Redis so every process sees them."""

import json
import time

from flask import current_app, jsonify

from portal.queueing import get_redis

# slow_success: the call is served, but the answer comes after the client has given up.
MODES = {"error_500", "error_503", "rate_limit", "timeout", "reject_400", "slow_success"}
PROVIDERS = {"unisendergo", "unisender", "cloudpayments", "bitrix"}


def _key(provider: str) -> str:
    return f"sandbox:fault:{provider}"


def set_fault(provider: str, mode: str, count: int, delay: float | None = None) -> None:
    value = {"mode": mode, "delay": delay}
    pipe = get_redis().pipeline()
    pipe.set(_key(provider), json.dumps(value))
    pipe.set(_key(provider) + ":remaining", count)
    pipe.execute()


def clear_faults() -> None:
    redis = get_redis()
    for provider in PROVIDERS:
        redis.delete(_key(provider), _key(provider) + ":remaining")


def active_faults() -> dict:
    redis = get_redis()
    result = {}
    for provider in PROVIDERS:
        raw = redis.get(_key(provider))
        remaining = int(redis.get(_key(provider) + ":remaining") or 0)
        if raw and remaining > 0:
            result[provider] = {**json.loads(raw), "remaining": remaining}
    return result


def take_fault(provider: str) -> dict | None:
    """The fault this call must suffer, if one is due (each call uses one up)."""
    redis = get_redis()
    raw = redis.get(_key(provider))
    if not raw or redis.decr(_key(provider) + ":remaining") < 0:
        return None
    return json.loads(raw)


def fault_delay(fault: dict) -> float:
    return fault.get("delay") or current_app.config["PROVIDER_TIMEOUT_SECONDS"] + 1


def failure_response(fault: dict | None):
    """The response to give instead of serving the call, or None to serve it."""
    if fault is None or fault["mode"] == "slow_success":
        return None
    mode = fault["mode"]
    if mode == "timeout":
        time.sleep(fault_delay(fault))
        return jsonify(status="error", message="simulated slow response", code=504), 504
    if mode == "rate_limit":
        response = jsonify(status="error", message="Too many requests", code=429)
        response.status_code = 429
        response.headers["Retry-After"] = "1"
        return response
    if mode == "reject_400":
        return jsonify(status="error", message="simulated bad request", code=400), 400
    status = 503 if mode == "error_503" else 500
    return jsonify(status="error", message="simulated server error", code=status), status
