"""The baselines: bare Flask handlers, served by the same gunicorn set-up as the hub.

    python -m gunicorn --worker-class gthread --workers 2 --threads 4 bench.bare_app:app

POST /api/v1/emails/send (bench/intake.py) parses the JSON body and answers 202 with a small JSON
document, as the hub's intake does. POST /webhooks/cloudpayments/pay (bench/payments.py) checks the
HMAC-SHA256 of the raw form body in Content-HMAC with CLOUDPAYMENTS_API_SECRET, parses the form
and answers CloudPayments' {"code": 0}, as the hub's Pay webhook does. Neither has
authentication, a database or Redis: the cost of Flask + gunicorn alone.
"""

import base64
import hashlib
import hmac
import os
from urllib.parse import parse_qsl

from flask import Flask, jsonify, request

app = Flask(__name__)
CLOUDPAYMENTS_SECRET = os.environ.get("CLOUDPAYMENTS_API_SECRET", "sandbox-cloudpayments-secret").encode()


@app.post("/api/v1/emails/send")
def send():
    data = request.get_json()
    return jsonify(kind=data.get("kind"), accepted=True), 202


@app.post("/webhooks/cloudpayments/pay")
def cloudpayments_pay():
    raw = request.get_data(cache=True)
    expected = base64.b64encode(hmac.new(CLOUDPAYMENTS_SECRET, raw, hashlib.sha256).digest())
    if not hmac.compare_digest(request.headers.get("Content-HMAC", "").strip().encode(), expected):
        return jsonify(code=13, message="invalid signature"), 401
    fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    if not fields.get("TransactionId") or not fields.get("Amount"):
        return jsonify(code=13, message="malformed notification"), 400
    return jsonify(code=0)


@app.get("/health")
def health():
    return jsonify(status="ok")
