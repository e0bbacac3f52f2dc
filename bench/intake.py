"""Trigger intake benchmark: POST /api/v1/emails/send on the production set-up, against a bare Flask app.

    .venv/bin/python bench/intake.py [--duration 10] [--warmup 2] [--clients 16] [--rounds 3]

Starts PostgreSQL + redis-server (tests/stack.py Stack("production")), the hub under gunicorn
(gthread, 2 workers x 4 threads, as tests/processes.py starts it) and bench/bare_app.py under
the same gunicorn command on another port; no RQ worker runs, so the queue only fills. Load: N
keep-alive clients for a fixed duration after a warm-up, with wrk (installed with apt-get when
missing and possible) or, failing that, a Python generator. Everything listens on 127.0.0.1 and
is stopped at the end. See bench/README.md.
"""

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CpuMeter, Profiler, percentile, start_gunicorn, stop_process, table, tree, verdict
from tests.processes import HubProcesses
from tests.stack import Stack, free_port, wait_until

PATH = "/api/v1/emails/send"
USERNAME = "bench_partner"
PASSWORD = "bench-partner-password-1"
RATIO_TARGET = 0.3
P99_TARGET_MS = 50.0


def body_for(email: str) -> str:
    return json.dumps(
        {
            "kind": "registration",
            "user_email": email,
            "user_name": "Иван",
            "agree_newsletter": False,
            "registration_date": "2026-11-20",
        },
        ensure_ascii=False,
    )


# --------------------------------------------------------------------------------------------
# Load generators: each run() returns a dict with requests/s, latency percentiles (ms) and counts.
# --------------------------------------------------------------------------------------------

# The part every wrk script shares: thread numbering, counting the answers, the summary line.
# A script adds init() and request(); @OK@ is the status that counts as success.
WRK_FRAME = r"""
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == @OK@ then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local s, o, x, m = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    local n = t:get("sent")
    s = s + n; o = o + t:get("ok"); x = x + t:get("other"); m = math.max(m, n)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"sent":%d,"ok":%d,"other":%d,"max_sent":%d,'
    .. '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f,'
    .. '"errors":%d}\n',
    summary.requests, summary.duration, s, o, x, m,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout))
end
"""

WRK_SCRIPT = (
    WRK_FRAME
    + r"""
local token = "@TOKEN@"
local tag = "@TAG@"
local path = "@PATH@"

function init(args)
  sent, ok, other = 0, 0, 0
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
end

function request()
  sent = sent + 1
  local body = string.format(
    '{"kind":"registration","user_email":"%s-%d-%d@bench.example.com","user_name":"Иван",'
    .. '"agree_newsletter":false,"registration_date":"2026-11-20"}', tag, id, sent)
  return wrk.format("POST", path, headers, body)
end
"""
)


def ensure_wrk() -> str | None:
    """wrk's path; apt-get installs it when missing and we are root. None: use Python."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: apt-get install -y wrk ...", flush=True)
        result = subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if result.returncode != 0:
            print(f"  apt-get failed ({result.stderr.strip()[-200:]}); using the Python generator")
    return shutil.which("wrk")


class WrkGenerator:
    """wrk with a Lua script; a subclass sets path, ok_status and script and fills script_text()."""

    name = "wrk"
    path = PATH
    ok_status = 202
    script = WRK_SCRIPT

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        version = subprocess.run([binary, "--version"], capture_output=True, text=True)
        self.version = (version.stdout + version.stderr).split(" [")[0].strip() or "wrk"
        self.cpu_seconds = 0.0

    def script_text(self, token, tag: str, threads: int) -> str:
        return self.script.replace("@TOKEN@", token).replace("@TAG@", tag)

    def run(self, port: int, token, tag: str, clients: int, duration: float) -> dict:
        threads = min(2, clients)
        script = self.workdir / f"{tag}.lua"
        text = self.script_text(token, tag, threads).replace("@PATH@", self.path)
        script.write_text(text.replace("@OK@", str(self.ok_status)), encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [
                self.binary,
                f"-t{threads}",
                f"-c{clients}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}{self.path}",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        match = re.search(r"^BENCH (\{.*\})$", result.stdout, re.M)
        if not match:
            raise RuntimeError(f"wrk failed (exit {result.returncode}): {result.stdout}\n{result.stderr}")
        raw = json.loads(match.group(1))
        seconds = raw["duration_us"] / 1e6
        return {
            "rps": raw["requests"] / seconds,
            "p50": raw["p50"] / 1000,
            "p90": raw["p90"] / 1000,
            "p99": raw["p99"] / 1000,
            "max": raw["max"] / 1000,
            "completed": raw["requests"],
            "sent": raw["sent"],
            "ok": raw["ok"],
            "non_ok": raw["other"],
            "errors": raw["errors"],
            "seconds": seconds,
            "threads": threads,
            "max_sent": raw["max_sent"],  # the most requests one thread sent
        }


def _python_client(port, path, ok_status, next_request, start_at, stop_at, results, lock):
    import http.client

    latencies, sent, ok, other, errors = [], 0, 0, 0, 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        sent += 1
        body, headers = next_request(sent)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        end = time.perf_counter()
        if response.status == ok_status:
            ok += 1
        else:
            other += 1
        if start_at <= now and end <= stop_at:
            latencies.append((end - now) * 1000)
    connection.close()
    with lock:
        results.append((latencies, sent, ok, other, errors))


def _python_process(generator, port, token, tag, first, threads, clients, duration, pipe):
    results, lock = [], threading.Lock()
    start_at = time.perf_counter()
    stop_at = start_at + duration
    workers = [
        threading.Thread(
            target=_python_client,
            args=(
                port,
                generator.path,
                generator.ok_status,
                generator.request_maker(token, f"{tag}-{i}", first + i, clients),
                start_at,
                stop_at,
                results,
                lock,
            ),
        )
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    pipe.send(results)
    pipe.close()


class PythonGenerator:
    """Two processes of threads, each thread one keep-alive http.client connection.

    A subclass sets path and ok_status and gives each connection its requests (request_maker).
    """

    name = "python"
    version = "Python http.client, 2 processes x threads"
    path = PATH
    ok_status = 202

    def __init__(self):
        self.cpu_seconds = 0.0

    def request_maker(self, token, tag: str, client: int, clients: int):
        """next_request(n) -> (body, headers) of the n-th request (from 1) of connection `client`."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        return lambda sent: (body_for(f"{tag}-{sent}@bench.example.com").encode(), headers)

    def run(self, port: int, token, tag: str, clients: int, duration: float) -> dict:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        processes, pipes = [], []
        shares = [clients // 2 + clients % 2, clients // 2] if clients > 1 else [1]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        first = 0
        for index, threads in enumerate(s for s in shares if s):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_python_process,
                args=(self, port, token, f"{tag}-p{index}", first, threads, clients, duration, sender),
            )
            first += threads
            process.start()
            processes.append(process)
            pipes.append(receiver)
        collected = []
        for receiver in pipes:
            collected.extend(receiver.recv())
        for process in processes:
            process.join(30)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        latencies = sorted(x for item in collected for x in item[0])
        return {
            "rps": len(latencies) / duration,
            "p50": percentile(latencies, 50),
            "p90": percentile(latencies, 90),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else float("nan"),
            "completed": len(latencies),
            "sent": sum(item[1] for item in collected),
            "ok": sum(item[2] for item in collected),
            "non_ok": sum(item[3] for item in collected),
            "errors": sum(item[4] for item in collected),
            "seconds": duration,
            "threads": clients,
            "max_sent": max((item[1] for item in collected), default=0),  # per connection
        }


# --------------------------------------------------------------------------------------------
# The trivial responder that shows the generator's own ceiling.
# --------------------------------------------------------------------------------------------

RESPONDER = textwrap.dedent(
    """
    import asyncio, sys
    BODY = b'{"accepted":true}'
    REPLY = (b"HTTP/1.1 " + sys.argv[2].encode() + b"\\r\\nContent-Type: application/json\\r\\n"
             b"Content-Length: " + str(len(BODY)).encode() + b"\\r\\n\\r\\n" + BODY)

    class Reply(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport, self.buffer = transport, b""
        def data_received(self, data):
            self.buffer += data
            while True:
                end = self.buffer.find(b"\\r\\n\\r\\n")
                if end < 0:
                    return
                head = self.buffer[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15:].split(b"\\r\\n", 1)[0]) if at >= 0 else 0
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length:]
                self.transport.write(REPLY)

    async def main():
        server = await asyncio.get_running_loop().create_server(Reply, "127.0.0.1", int(sys.argv[1]))
        await server.serve_forever()

    asyncio.run(main())
    """
)


def start_responder(port: int, status: str = "202 Accepted") -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", RESPONDER, str(port), status])

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_until(listening, timeout=10, what="the trivial responder")
    return process


# --------------------------------------------------------------------------------------------


def postmaster_pid(stack: Stack) -> int:
    return int((stack.pg_dir / "data" / "postmaster.pid").read_text().split()[0])


def measure(generator, name, port, token, args, groups, profile=None) -> dict:
    """Warm up, then one measured run with CPU accounting of the server-side processes.

    profile: (Profiler, pids) to sample during the measured run, or None.
    """
    tag = f"{name}-{uuid.uuid4().hex[:8]}"
    warm = generator.run(port, token, f"{tag}-w", args.clients, args.warmup) if args.warmup > 0 else None
    meter = CpuMeter(groups)
    if profile:
        profile[0].start(name, profile[1])
    meter.start()
    result = generator.run(port, token, tag, args.clients, args.duration)
    result["cpu"] = meter.stop()
    if profile:
        profile[0].stop()
    result["cpu"]["load generator"] = generator.cpu_seconds
    result["wall"] = meter.elapsed
    result["warmup"] = warm
    return result


def median_result(results: list[dict]) -> dict:
    """The round with the median requests/s (one round: that round)."""
    ordered = sorted(results, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


def count_messages(database_url: str) -> tuple[int, int, int]:
    """(message rows, distinct recipients, rows still 'queued') of the benchmark's letters."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        rows, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT recipient) FROM message WHERE recipient LIKE %s",
            ("hub-%@bench.example.com",),
        ).fetchone()
        queued = conn.execute(
            "SELECT count(*) FROM message WHERE status = 'queued' AND recipient LIKE %s",
            ("hub-%@bench.example.com",),
        ).fetchone()[0]
    return rows, distinct, queued


def dispatch_pending(redis_url: str) -> tuple[int, bool]:
    """(jobs in the queue, whether a dispatch kick is set): requests kick one dispatch job."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return client.llen("rq:queue:mayak"), bool(client.exists("mayak:dispatch-kick"))


def parse_arguments(description: str, extra=None) -> tuple[argparse.Namespace, argparse.ArgumentParser]:
    """The options every throughput benchmark here has; extra(parser) adds a script's own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds before each run (2)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections (16)")
    parser.add_argument("--rounds", type=int, default=3, help="bare/hub rounds, the median is used (3)")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--py-spy", metavar="PATH", help="sample the hub's gunicorn workers with py-spy")
    parser.add_argument("--py-spy-wall", action="store_true", help="py-spy: wall-clock, waiting included")
    if extra:
        extra(parser)
    args = parser.parse_args()
    if not (1 <= args.rounds <= 10 and 1 <= args.duration <= 120 and 1 <= args.clients <= 256):
        parser.error("rounds 1..10, duration 1..120 s, clients 1..256")
    return args, parser


def choose_generator(parser, args, workdir: Path, wrk_class=WrkGenerator, python_class=PythonGenerator):
    """wrk when it is there (or can be installed) and not refused, else the Python generator."""
    wrk = ensure_wrk() if args.generator != "python" else None
    if args.generator == "wrk" and not wrk:
        parser.error("wrk is not available")
    return wrk_class(wrk, workdir) if wrk else python_class()


def measure_ceiling(generator, args, token, status: str = "202 Accepted") -> dict:
    """The generator against a trivial responder: what it can send at most."""
    port = free_port()
    responder = start_responder(port, status)
    try:
        print(f"generator ceiling: {generator.version} against a trivial responder ...", flush=True)
        return measure(
            generator,
            "ceiling",
            port,
            token,
            argparse.Namespace(clients=args.clients, warmup=1, duration=min(5.0, args.duration)),
            {"server": lambda: tree(responder.pid)},
        )
    finally:
        stop_process(responder)


def measure_rounds(rig: "Rig", args, tokens: dict) -> dict:
    """Bare then hub, args.rounds times: {"bare": [result, ...], "hub": [...]}.

    tokens: what the generator gets for each ("bare", "hub"); intake: the same Bearer token.
    """
    generator, stack, hub, bare, profiler = rig.generator, rig.stack, rig.hub, rig.bare, rig.profiler
    pg = postmaster_pid(stack)
    runs = {"bare": [], "hub": []}
    for number in range(1, args.rounds + 1):
        print(f"round {number}/{args.rounds}: bare Flask ...", flush=True)
        runs["bare"].append(
            measure(
                generator, "bare", rig.bare_port, tokens["bare"], args, {"gunicorn": lambda: tree(bare.pid)}
            )
        )
        print(f"round {number}/{args.rounds}: hub ...", flush=True)
        runs["hub"].append(
            measure(
                generator,
                "hub",
                hub.port,
                tokens["hub"],
                args,
                {
                    "gunicorn": lambda: tree(hub.web.pid),
                    "PostgreSQL": lambda: tree(pg),
                    "redis-server": lambda: tree(stack.redis.process.pid),
                },
                profile=(profiler, [p.pid for p in tree(hub.web.pid)[1:]]) if profiler else None,
            )
        )
    return runs


def hub_totals(runs: dict) -> tuple[int, int]:
    """(successful answers, requests sent) over all hub runs, warm-ups included."""
    hub_runs = [r for run in runs["hub"] for r in (run, run["warmup"]) if r]
    return sum(r["ok"] for r in hub_runs), sum(r["sent"] for r in hub_runs)


def print_verdicts(args, runs: dict, profiler) -> None:
    """The median per-round hub/bare ratio and the hub's p99 against the targets; the profile."""
    # Each round measures bare then hub back to back: the ratio within a round is what the
    # machine's other load disturbs least; the median round ratio is the figure.
    round_ratios = [hub["rps"] / bare["rps"] for bare, hub in zip(runs["bare"], runs["hub"], strict=True)]
    ratio = statistics.median(round_ratios)
    p99 = median_result(runs["hub"])["p99"]
    print()
    print(
        f"Hub / bare throughput ratio:   {ratio:.2f}   (target >= {RATIO_TARGET})  "
        f"{verdict(ratio >= RATIO_TARGET)}   rounds: {', '.join(f'{r:.2f}' for r in round_ratios)}"
    )
    print(
        f"Hub p99 at {args.clients} clients:        {p99:.1f} ms (target < {P99_TARGET_MS:g} ms)  "
        f"{verdict(p99 < P99_TARGET_MS)}"
    )
    if profiler:
        print()
        print(profiler.report())


class Rig:
    """What a run needs, stopped on exit: a work directory, the load generator, the optional
    profiler, PostgreSQL + redis-server, the hub (gunicorn) and the bare app on the same argv."""

    def __init__(self, parser, args, wrk_class=WrkGenerator, python_class=PythonGenerator):
        self.workdir = Path(tempfile.mkdtemp(prefix="mayak-bench-"))
        self.generator = choose_generator(parser, args, self.workdir, wrk_class, python_class)
        self.profiler = Profiler(args.py_spy, self.workdir, wall=args.py_spy_wall) if args.py_spy else None
        self.stack = Stack("production")
        self.hub = self.bare = None
        self.bare_port = free_port()

    def start(self, name: str, prepare=None, bare_env: dict | None = None, **settings) -> HubProcesses:
        """The stack, the hub's database (prepare(hub) runs before its web server starts), the
        hub's gunicorn and the bare app's. settings: extra environment for the hub."""
        print("starting PostgreSQL, redis-server, the hub and the bare app ...", flush=True)
        self.stack.start()
        self.hub = HubProcesses(self.stack, name, **settings)
        if prepare:
            prepare(self.hub)
        self.hub.start_web()
        self.bare = start_gunicorn(
            "bench.bare_app:app", self.bare_port, env={**os.environ, **(bare_env or {})}
        )
        return self.hub

    def __enter__(self) -> "Rig":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.profiler:
            self.profiler.stop()
        stop_process(self.bare)
        if self.hub:
            self.hub.stop()
            shutil.rmtree(self.hub.instance, ignore_errors=True)
        self.stack.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> int:
    args, parser = parse_arguments(__doc__.splitlines()[0])
    with Rig(parser, args) as rig:
        hub = rig.start("bench_intake", prepare=lambda hub: hub.create_user(USERNAME, "PARTNER", PASSWORD))
        token = hub.token(USERNAME, PASSWORD)
        ceiling = measure_ceiling(rig.generator, args, token)
        runs = measure_rounds(rig, args, {"bare": token, "hub": token})

        # Correctness: every 202 wrote its queued message and a dispatch job waits for them all.
        time.sleep(1.0)  # requests still in flight when the generator stopped
        rows, distinct, queued = count_messages(hub.env["DATABASE_URL"])
        jobs, kicked = dispatch_pending(hub.env["REDIS_URL"])
        accepted, sent = hub_totals(runs)

        report(args, rig.generator, ceiling, runs, median_result(runs["bare"]), median_result(runs["hub"]))
        print()
        print("Correctness (all hub runs, warm-ups included; no worker ran):")
        print(f"  202 responses                     {accepted:>8,}")
        print(f"  requests sent (some unanswered)   {sent:>8,}")
        print(f"  message rows                      {rows:>8,}   distinct recipients {distinct:,}")
        print(f"  still 'queued' (no worker ran)    {queued:>8,}")
        kick = "set" if kicked else "expired"
        print(
            f"  jobs waiting in rq:queue:mayak    {jobs:>8,}   (one per kick; a kick lasts 60 s; kick {kick})"
        )
        rows_ok = accepted <= rows <= sent and distinct == rows == queued and jobs >= 1
        print(f"  every 202 has its queued message and a dispatch job waits: {'yes' if rows_ok else 'NO'}")
        print_verdicts(args, runs, rig.profiler)
        return 0 if rows_ok else 1


def report(args, generator, ceiling, runs, bare, hub, what: str = "", ok: str = "202") -> None:
    """The results table and the CPU table. what: the first line's traffic; ok: the success status."""
    print()
    print(
        f"{what or f'Intake: POST {PATH} (kind=registration)'}, {args.clients} keep-alive clients, "
        f"{args.duration:g} s measured after {args.warmup:g} s warm-up, {generator.version}"
    )
    print("gunicorn gthread 2 workers x 4 threads for both; hub on PostgreSQL + redis-server, no worker")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    headers = ["server", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "requests", f"non-{ok}", "errors"]
    rows = [_row("generator ceiling*", ceiling)]
    for name, label in (("bare", "bare Flask (baseline)"), ("hub", "hub")):
        for number, result in enumerate(runs[name], 1):
            suffix = f" r{number}" if len(runs[name]) > 1 else ""
            rows.append(_row(label + suffix, result))
    ratios = [hub[k] / bare[k] for k in ("rps", "p50", "p90", "p99", "max")]
    rows.append(["hub / bare", *ratios, None, None, None])
    print(table(headers, rows))
    print("* a trivial asyncio responder (one process): a lower bound of what the generator itself can send.")
    print("  'hub / bare': throughput ratio (higher is better), then latency multiples (lower is better).")
    print()
    print("CPU seconds during the measured window (both cores: 2 CPU-s per second of wall time):")
    headers = ["run", "wall s", "server CPU-s", "PostgreSQL", "redis-server", "generator", "server ms/req"]
    cpu_rows = []
    for label, result in (("bare Flask", bare), ("hub", hub)):
        cpu = result["cpu"]
        cpu_rows.append(
            [
                label,
                result["wall"],
                cpu.get("gunicorn", 0.0),
                cpu.get("PostgreSQL"),
                cpu.get("redis-server"),
                cpu["load generator"],
                1000 * cpu.get("gunicorn", 0.0) / max(1, result["completed"]),
            ]
        )
    print(table(headers, cpu_rows))


def _row(label: str, result: dict) -> list:
    return [
        label,
        result["rps"],
        result["p50"],
        result["p90"],
        result["p99"],
        result["max"],
        result["completed"],
        result["non_ok"],
        result["errors"],
    ]


if __name__ == "__main__":
    sys.exit(main())
