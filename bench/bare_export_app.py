"""The export benchmark's baselines: bare Flask handlers under the same gunicorn set-up as the hub.

    python -m gunicorn --worker-class gthread --workers 2 --threads 4 bench.bare_export_app:app

GET /api/v1/statistics/summary answers the JSON document in BARE_SUMMARY_FILE (the hub's own
answer for the same month, saved by bench/export.py): the cost of Flask + gunicorn + sending
those bytes, with no token check and no database.

GET /api/v1/statistics/export/csv?rows=N&width=W streams N lines of W bytes, 500 lines per
chunk as the hub's CSV writer yields them: the cost of streaming that much through Flask and
gunicorn, and the memory a server needs for it, with nothing read or formatted.
"""

import os

from flask import Flask, Response, request

app = Flask(__name__)
SUMMARY = open(os.environ["BARE_SUMMARY_FILE"], "rb").read() if os.environ.get("BARE_SUMMARY_FILE") else b"{}"


@app.get("/api/v1/statistics/summary")
def summary():
    return Response(SUMMARY, mimetype="application/json")


@app.get("/api/v1/statistics/export/csv")
def export_csv():
    rows = request.args.get("rows", 1000, type=int)
    width = max(request.args.get("width", 100, type=int), 2)
    line = "x" * (width - 2) + "\r\n"

    def lines():
        yield "\ufeff"
        for first in range(0, rows, 500):
            yield line * min(500, rows - first)

    response = Response(lines(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="bare.csv"'
    return response


@app.get("/health")
def health():
    return {"status": "ok"}
