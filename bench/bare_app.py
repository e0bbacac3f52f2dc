"""The intake baseline: a bare Flask JSON handler, served by the same gunicorn set-up as the hub.

    python -m gunicorn --worker-class gthread --workers 2 --threads 4 bench.bare_app:app

It parses the JSON body and answers 202 with a small JSON document, as the hub's intake does,
without authentication, database or Redis: the cost of Flask + gunicorn alone.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/emails/send")
def send():
    data = request.get_json()
    return jsonify(kind=data.get("kind"), accepted=True), 202


@app.get("/health")
def health():
    return jsonify(status="ok")
