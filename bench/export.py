"""Statistics benchmark: the month summary and the CSV of every letter, over 1,000,000 messages.

    .venv/bin/python bench/export.py [--messages 1000000] [--requests 200]

Stack("production") (PostgreSQL 15 with fsync=off, redis-server), the hub under gunicorn
(HubProcesses.start_web(): gthread, 2 workers x 4 threads) and bench/bare_export_app.py under
the same gunicorn argv on another port. Before the hub starts, --messages letters spread over
the last 30 days are written straight into the `message` table (COPY), then the daily
aggregates are built by the hub's own command (`flask statistics rebuild`), timed; then one
incremental rollup after 1,000 old letters changed, timed. No RQ worker runs.

(a) GET /api/v1/statistics/summary for the 30 days (ADMIN token), --requests sequential
    requests on one keep-alive connection after a warm-up: p50/p90/p99/max; the same against
    the bare app answering the same JSON document; their ratio.
(b) GET /api/v1/statistics/export/csv?kind=messages for the same 30 days: every letter, streamed
    to this process over HTTP and counted; total time, rows/s, MB/s; the RSS of every gunicorn
    process sampled every 0.1 s during the download, against its RSS before. The bare app then
    streams as many lines of the same average width, sampled the same way.

Everything listens on 127.0.0.1 and is stopped at the end. See bench/README.md.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CpuMeter, percentile, start_gunicorn, stop_process, table, tear_down, tree, verdict
from bench.intake import postmaster_pid
from tests.processes import HubProcesses
from tests.stack import Stack, free_port

USERNAME = "bench_admin"
PASSWORD = "bench-admin-password-1"
SUMMARY_TARGET_MS = 300.0
MB = 1024 * 1024
ZONE = ZoneInfo("Europe/Moscow")  # DISPLAY_TIMEZONE's default: the hub's local days
# Where letters end up, roughly as in production: most delivered, some opened or clicked, a few problems.
STATUSES = (
    ["delivered"] * 50
    + ["opened"] * 22
    + ["clicked"] * 8
    + ["sent"] * 6
    + ["hard_bounced"] * 4
    + ["soft_bounced"] * 2
    + ["failed"] * 5
    + ["spam", "unsubscribed", "queued"]
)


def write_messages(database_url: str, count: int, since: datetime) -> tuple[float, list[int]]:
    """`count` letters of the hub's templates, created evenly from `since` to now; (seconds, template ids)."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(5)
    now = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    since = since.astimezone(UTC).replace(tzinfo=None)
    span = (now - since).total_seconds()
    start = time.monotonic()
    with psycopg.connect(url) as conn:
        templates = [row[0] for row in conn.execute("SELECT id FROM message_template ORDER BY id")]
        columns = (
            "channel, kind, template_id, recipient, variables, status, attempts, rendered_subject, "
            "last_error, reference, created_at, updated_at"
        )
        with conn.cursor().copy(f"COPY message ({columns}) FROM STDIN") as copy:
            for i in range(count):
                created = since + timedelta(seconds=span * i / count)
                status = STATUSES[rng.randrange(len(STATUSES))]
                template = templates[i % len(templates)]
                copy.write_row(
                    (
                        "email",
                        "bench",
                        template,
                        f"donor-{i}@bench.example.com",
                        "{}",
                        status,
                        1,
                        f"Спасибо за вашу помощь, донор {i}!",
                        "550 5.1.1 mailbox unavailable" if status == "failed" else None,
                        f"donation:{i}",
                        created,
                        created + timedelta(seconds=rng.randrange(1, 600)),
                    )
                )
        conn.execute("ANALYZE message")
        conn.commit()
    return time.monotonic() - start, templates


def flask(hub: HubProcesses, *args: str) -> tuple[float, str]:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.monotonic() - start, result.stdout.strip()


ROLLUP = (
    "from portal import create_app\n"
    "from portal.extensions import db\n"
    "from portal.statistics.rollup import rollup\n"
    "import json, time\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    t = time.monotonic(); done = rollup(); db.session.commit()\n"
    "    print(json.dumps({'seconds': time.monotonic() - t, 'days': {k: len(v) for k, v in done.items()}}))\n"
)


def rollup_once(hub: HubProcesses) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", ROLLUP],
        cwd=Path(__file__).resolve().parent.parent,
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def touch_old_letters(database_url: str, count: int, days_ago: tuple[int, ...]) -> None:
    """`count` letters on a few old days are opened now: what the webhook does to old rows."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        for days in days_ago:
            conn.execute(
                "UPDATE message SET status = 'opened', updated_at = now() AT TIME ZONE 'UTC' WHERE id IN ("
                " SELECT id FROM message WHERE created_at < (now() AT TIME ZONE 'UTC') - %s::interval"
                " ORDER BY created_at DESC LIMIT %s)",
                (f"{days} days", count // len(days_ago)),
            )


def time_requests(url: str, params: dict, headers: dict, count: int, warmup: int) -> dict:
    """Sequential GETs on one keep-alive connection; latencies in ms."""
    session = requests.Session()
    session.headers.update(headers)
    for _ in range(warmup):
        session.get(url, params=params, timeout=30).raise_for_status()
    latencies, size = [], 0
    for _ in range(count):
        sent = time.perf_counter()
        response = session.get(url, params=params, timeout=30)
        latencies.append((time.perf_counter() - sent) * 1000)
        response.raise_for_status()
        size = len(response.content)
    session.close()
    latencies.sort()
    return {
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "max": latencies[-1],
        "mean": sum(latencies) / len(latencies),
        "bytes": size,
    }


class RssSampler(threading.Thread):
    """Each process's RSS every `interval`: before (first sample), peak, and the number of samples."""

    def __init__(self, pids: list[int], interval: float = 0.1):
        super().__init__(daemon=True)
        self.processes = {pid: psutil.Process(pid) for pid in pids}
        self.before = {pid: p.memory_info().rss for pid, p in self.processes.items()}
        self.peak = dict(self.before)
        self.interval, self.samples = interval, 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.samples += 1
            for pid, process in self.processes.items():
                try:
                    self.peak[pid] = max(self.peak[pid], process.memory_info().rss)
                except psutil.Error:
                    pass

    def stop(self) -> dict:
        self.stop_event.set()
        self.join(5)
        after = {}
        for pid, process in self.processes.items():
            try:
                after[pid] = process.memory_info().rss
            except psutil.Error:
                after[pid] = 0
        return {"before": self.before, "peak": self.peak, "after": after, "samples": self.samples}


def download(url: str, params: dict, headers: dict, server_pid: int) -> dict:
    """Stream the CSV, counting bytes and lines, while sampling the server processes' RSS."""
    workers = [p.pid for p in tree(server_pid)]
    sampler = RssSampler(workers)
    sampler.start()
    start = time.perf_counter()
    first_byte = None
    size = lines = 0
    head = b""
    with requests.get(url, params=params, headers=headers, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=256 * 1024):
            if first_byte is None:
                first_byte = time.perf_counter() - start
                head = chunk[:400]
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - start
    memory = sampler.stop()
    return {
        "seconds": elapsed,
        "first_byte": first_byte,
        "bytes": size,
        "lines": lines,
        "head": head,
        **memory,
    }


def memory_rows(name: str, result: dict, master: int) -> list[list]:
    rows = []
    for pid in result["before"]:
        role = "master" if pid == master else "worker"
        before, peak, after = result["before"][pid] / MB, result["peak"][pid] / MB, result["after"][pid] / MB
        rows.append([f"{name} {role} {pid}", before, peak, peak - before, after])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    stack = Stack("production")
    hub = bare = None
    workdir = Path(tempfile.mkdtemp(prefix="mayak-bench-export-"))
    try:
        print("starting PostgreSQL + redis-server ...", flush=True)
        stack.start()
        hub = HubProcesses(stack, "bench_export")
        hub.create_user(USERNAME, "ADMIN", PASSWORD)
        today = datetime.now(UTC).astimezone(ZONE).date()
        first = today - timedelta(days=args.days - 1)
        print(f"writing {args.messages:,} letters over {args.days} days (COPY) ...", flush=True)
        since = datetime.combine(first, datetime.min.time(), ZONE)
        copy_seconds, templates = write_messages(hub.env["DATABASE_URL"], args.messages, since)
        span = {"date_from": first.isoformat(), "date_to": today.isoformat()}
        print("building the daily aggregates (flask statistics rebuild) ...", flush=True)
        rebuild_seconds, rebuild_out = flask(
            hub, "statistics", "rebuild", "--from", span["date_from"], "--to", span["date_to"]
        )
        first_rollup = rollup_once(hub)  # sets the watermark; recounts what the rebuild just did
        touch_old_letters(hub.env["DATABASE_URL"], 1000, (5, 12, 20))
        incremental = rollup_once(hub)
        idle = rollup_once(hub)

        print("starting the hub and the bare app (gunicorn gthread 2x4 each) ...", flush=True)
        hub.start_web()
        token = hub.token(USERNAME, PASSWORD)
        auth = {"Authorization": f"Bearer {token}"}
        summary_url = f"{hub.base_url}/api/v1/statistics/summary"
        summary = requests.get(summary_url, params=span, headers=auth, timeout=30).json()
        summary_file = workdir / "summary.json"
        summary_file.write_bytes(json.dumps(summary, ensure_ascii=False).encode())
        bare_port = free_port()
        bare = start_gunicorn(
            "bench.bare_export_app:app", bare_port, env={**os.environ, "BARE_SUMMARY_FILE": str(summary_file)}
        )
        bare_url = f"http://127.0.0.1:{bare_port}"

        groups = {
            "gunicorn (hub)": lambda: tree(hub.web.pid),
            "PostgreSQL": lambda: tree(postmaster_pid(stack)),
        }
        print(
            f"(a) summary: {args.requests} sequential requests each, after {args.warmup} warm-up ...",
            flush=True,
        )
        bare_summary = time_requests(
            f"{bare_url}/api/v1/statistics/summary", span, {}, args.requests, args.warmup
        )
        meter = CpuMeter(groups)
        meter.start()
        hub_summary = time_requests(summary_url, span, auth, args.requests, args.warmup)
        summary_cpu = meter.stop()

        print(f"(b) CSV of every letter of the {args.days} days, streamed ...", flush=True)
        meter = CpuMeter(groups)
        meter.start()
        hub_csv = download(
            f"{hub.base_url}/api/v1/statistics/export/csv", {**span, "kind": "messages"}, auth, hub.web.pid
        )
        csv_cpu = meter.stop()
        width = round(hub_csv["bytes"] / max(hub_csv["lines"], 1))
        bare_csv = download(
            f"{bare_url}/api/v1/statistics/export/csv",
            {"rows": hub_csv["lines"], "width": width},
            {},
            bare.pid,
        )
    finally:
        if bare:
            stop_process(bare)
        tear_down(stack, workdir, hub)

    letters = summary["letters"]
    print()
    print(
        f"Statistics over {args.messages:,} letters ({len(templates)} templates, {args.days} days), "
        "Stack('production'): PostgreSQL 15 (fsync=off) + redis-server; gunicorn gthread 2x4; no worker"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(
        table(
            ["preparation", "seconds", "days recounted"],
            [
                ["COPY of the letters + ANALYZE", copy_seconds, "-"],
                [f"flask statistics rebuild ({rebuild_out})", rebuild_seconds, "-"],
                [
                    "first rollup (no watermark yet: every day)",
                    first_rollup["seconds"],
                    str(first_rollup["days"]),
                ],
                [
                    "rollup after 1,000 old letters changed on 3 days",
                    incremental["seconds"],
                    str(incremental["days"]),
                ],
                [
                    "rollup again at once (its 5-minute overlap recounts them)",
                    idle["seconds"],
                    str(idle["days"]),
                ],
            ],
            "lrl",
        )
    )
    print()
    print(
        f"(a) GET /api/v1/statistics/summary {span['date_from']} … {span['date_to']}, one client, sequential"
    )
    rows = [
        [
            "bare Flask (same JSON)",
            bare_summary["p50"],
            bare_summary["p90"],
            bare_summary["p99"],
            bare_summary["max"],
            bare_summary["bytes"],
        ],
        [
            "hub",
            hub_summary["p50"],
            hub_summary["p90"],
            hub_summary["p99"],
            hub_summary["max"],
            hub_summary["bytes"],
        ],
    ]
    print(table(["server", "p50 ms", "p90 ms", "p99 ms", "max ms", "bytes"], rows))
    requests_done = args.requests
    print(
        f"hub/bare p50: {hub_summary['p50'] / bare_summary['p50']:.1f}x; CPU per summary: gunicorn "
        f"{1000 * summary_cpu['gunicorn (hub)'] / requests_done:.1f} ms, PostgreSQL "
        f"{1000 * summary_cpu['PostgreSQL'] / requests_done:.1f} ms"
    )
    print(
        f"summary p99 < {SUMMARY_TARGET_MS:.0f} ms: {verdict(hub_summary['p99'] < SUMMARY_TARGET_MS)}; "
        f"letters counted {letters['total']:,} (expected {args.messages:,}): "
        f"{verdict(letters['total'] == args.messages)}"
    )
    print()
    print("(b) GET /api/v1/statistics/export/csv?kind=messages, streamed to this process")
    rows = []
    for name, result in (("bare Flask (same lines)", bare_csv), ("hub", hub_csv)):
        rows.append(
            [
                name,
                result["lines"],
                result["seconds"],
                result["first_byte"],
                result["lines"] / result["seconds"],
                result["bytes"] / MB / result["seconds"],
                result["bytes"] / MB,
            ]
        )
    print(table(["server", "lines", "seconds", "first byte s", "rows/s", "MB/s", "MB"], rows))
    print(
        f"hub CPU during the export: gunicorn {csv_cpu['gunicorn (hub)']:.1f} s, "
        f"PostgreSQL {csv_cpu['PostgreSQL']:.1f} s"
    )
    print()
    print("RSS of each gunicorn process, sampled every 0.1 s during the download (MB)")
    memory = memory_rows("hub", hub_csv, next(iter(hub_csv["before"]))) + memory_rows(
        "bare", bare_csv, next(iter(bare_csv["before"]))
    )
    print(table(["process", "before", "peak", "growth", "after"], memory))
    growth = max(hub_csv["peak"][pid] - hub_csv["before"][pid] for pid in hub_csv["before"]) / MB
    rows_ok = hub_csv["lines"] == args.messages + 1
    excel_ok = hub_csv["head"].startswith("\ufeff".encode()) and b";" in hub_csv["head"]
    print(
        f"rows: {hub_csv['lines'] - 1:,} letters + header (expected {args.messages:,}): {verdict(rows_ok)}; "
        f"BOM and ';': {verdict(excel_ok)}; "
        f"largest growth of a hub process {growth:.1f} MB ({hub_csv['samples']} samples)"
    )
    print("first line:", hub_csv["head"].decode("utf-8", "replace").splitlines()[0])


if __name__ == "__main__":
    main()
