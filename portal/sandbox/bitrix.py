"""Simulated Bitrix24: the incoming-webhook REST calls the hub makes, recorded and answered as
Bitrix answers them (faults on demand), and a page that lists them."""

from urllib.parse import urlparse

from flask import current_app, jsonify, render_template, request

from portal.extensions import db
from portal.models import SandboxBitrixCall
from portal.sandbox import bp, faults, providers_bp
from portal.security import STAFF_ROLES, roles_required


def _answer(call: dict, status: int, body: dict):
    db.session.add(SandboxBitrixCall(method=call["method"], payload=call["payload"], answered=status))
    db.session.commit()
    return jsonify(body), status


@providers_bp.post("/bitrix/rest/<user_id>/<secret>/<method>.json")
def bitrix_rest(user_id: str, secret: str, method: str):
    payload = request.get_json(silent=True)
    call = {"method": method, "payload": payload if isinstance(payload, dict) else {}}
    expected = urlparse(current_app.config["BITRIX_WEBHOOK_URL"]).path.rstrip("/")
    if request.path.removesuffix(f"/{method}.json") != f"{request.script_root}{expected}":
        return jsonify(error="INVALID_CREDENTIALS", error_description="Invalid request credentials"), 401
    fault = faults.take_fault("bitrix")
    if fault is not None and fault["mode"] == "rate_limit":
        body = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
        return _answer(call, 503, body)
    failure = faults.failure_response(fault)
    if failure is not None:
        return failure
    if method != "crm.item.update":
        return _answer(
            call, 400, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
        )
    params = call["payload"]
    if not params.get("entityTypeId") or not params.get("id") or not isinstance(params.get("fields"), dict):
        body = {"error": "INVALID_ARG_VALUE", "error_description": "entityTypeId, id and fields are required"}
        return _answer(call, 400, body)
    item = {"id": params["id"], "entityTypeId": params["entityTypeId"], **params["fields"]}
    return _answer(call, 200, {"result": {"item": item}, "time": {"start": 0, "finish": 0, "duration": 0}})


@bp.get("/bitrix")
@roles_required(*STAFF_ROLES)
def bitrix_calls():
    calls = db.session.execute(db.select(SandboxBitrixCall).order_by(SandboxBitrixCall.id.desc()).limit(200))
    return render_template("sandbox/bitrix.html", calls=calls.scalars().all())
