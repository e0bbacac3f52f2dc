"""Pay-notification benchmark: POST /webhooks/cloudpayments/pay on the production set-up, against bare Flask.

    .venv/bin/python bench/payments.py [--duration 10] [--warmup 2] [--clients 16] [--rounds 3]
                                       [--pool 200000]

Starts PostgreSQL + redis-server (tests/stack.py Stack("production")), the hub under gunicorn
(gthread, 2 workers x 4 threads) and bench/bare_app.py under the same gunicorn command; no RQ
worker runs during the load: the hub stores each verified notification (one INSERT) and answers;
afterwards the worker's job that applies them (donations completed, thank-you letters queued) runs
in one process until none is left, timed, and the result is checked in PostgreSQL. Before the
load, --pool pending donations are written straight into PostgreSQL (a third of their donors
with an earlier completed donation) and their Pay notifications are signed as CloudPayments
signs them (Content-HMAC and X-Content-HMAC):
every Pay the hub receives is a distinct TransactionId for a distinct pending donation. With wrk
the signed notifications go to a file of fixed-size records that the Lua script reads; the
Python generator signs each request in-process. Everything listens on 127.0.0.1 and is stopped
at the end. See bench/README.md.
"""

import enum
import hashlib
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake import (
    WRK_FRAME,
    PythonGenerator,
    Rig,
    WrkGenerator,
    dispatch_pending,
    hub_totals,
    measure_ceiling,
    measure_rounds,
    median_result,
    parse_arguments,
    print_verdicts,
    report,
)
from portal.models import Donation, SandboxPaymentTransaction
from portal.sandbox.cloudpayments import notification_fields, signed_form

PATH = "/webhooks/cloudpayments/pay"
# The sandbox default of CLOUDPAYMENTS_API_SECRET (portal/config.py), given explicitly to the hub
# and to the bare app so that both verify with the same secret.
SECRET = "sandbox-cloudpayments-secret"
TRANSACTION_BASE = 3_000_000_000  # TransactionId of pool entry i: TRANSACTION_BASE + i
HISTORY_TRANSACTION_BASE = 2_000_000_000  # the earlier, completed donations of returning donors
RETURNING_EVERY = 3  # donors of entries i % 3 == 0 gave before: their Pay gets the "repeat" letter
AMOUNTS = [Decimal(a) for a in ("500.00", "1000.00", "300.00", "1500.00", "250.50", "5000.00", "100.00")]
EVENTS = [(None, None), ("41", "День рождения Ани"), (None, None), ("42", "Новый год в хосписе")]
# What create_donation puts in the order's JsonData "kind": the donation's kind where the model has one.
_KIND = Donation.__table__.columns.get("kind")
DATA_KIND = str(getattr(_KIND.default.arg, "value", _KIND.default.arg)) if _KIND is not None else "donation"
SERVER_GROUPS = ("gunicorn", "PostgreSQL", "redis-server")


def entry(i: int, now: datetime) -> dict:
    """Pending donation number i, as POST /api/v1/donations/process would have stored it."""
    digest = hashlib.sha1(f"bench-donation-{i}".encode()).hexdigest()
    event_id, event_name = EVENTS[i % len(EVENTS)]
    return {
        "invoice_id": f"don-{digest[:20]}",
        "donor_email": f"donor-{i}@bench.example.com",
        "amount": AMOUNTS[i % len(AMOUNTS)],
        "currency": "RUB",
        "event_id": event_id,
        "event_name": event_name,
        "agree_newsletter": i % 4 == 0,
        "status": "pending",
        "order_id": digest[20:36],
        "payment_url": f"http://127.0.0.1/sandbox/cloudpayments/pay/{digest[20:36]}",
        "failed_attempts": 0,
        "created_at": now - timedelta(minutes=5),
        "updated_at": now - timedelta(minutes=5),
    }


def history(i: int, donation: dict, now: datetime) -> dict:
    """The earlier, completed donation of a returning donor (a month ago)."""
    then = now - timedelta(days=30)
    return {
        **donation,
        "invoice_id": "don-old-" + donation["invoice_id"][4:],
        "status": "completed",
        "transaction_id": HISTORY_TRANSACTION_BASE + i,
        "is_first_donation": True,
        "paid_at": then,
        "created_at": then,
        "updated_at": then,
    }


def signed(i: int, donation: dict, now: datetime) -> tuple[bytes, dict]:
    """The Pay notification CloudPayments posts for donation i: the sandbox's fields, signed.

    The sandbox builds them from its transaction row; a transient one (never added to a session)
    stands in for it, so columns the model gains later simply read as None.
    """
    transaction = SandboxPaymentTransaction(
        id=TRANSACTION_BASE + i,
        amount=donation["amount"],
        currency=donation["currency"],
        created_at=now,
        status="Completed",
        card_last_four="4242",
        token="tk_" + hashlib.sha1(f"bench-card-{i}".encode()).hexdigest()[:24],
        email=donation["donor_email"],
        invoice_id=donation["invoice_id"],
        account_id=donation["donor_email"],
        json_data={"kind": DATA_KIND, "event_id": donation["event_id"]},
    )
    return signed_form(notification_fields(transaction), SECRET)


def signed_request(i: int) -> tuple[bytes, dict]:
    now = datetime.now(UTC)
    return signed(i, entry(i, now), now)


class Pool:
    """--pool pending donations in the hub's database and, for wrk, their signed Pay notifications.

    The file holds one record of `record` bytes per donation: the body's length in 4 digits, the
    44-character base64 Content-HMAC and X-Content-HMAC, the form body, spaces up to the size.
    """

    def __init__(self, size: int, path: Path | None):
        self.size, self.path, self.record = size, path, 0

    def build(self, database_url: str) -> None:
        import psycopg

        now = datetime.now(UTC)
        columns = [c for c in Donation.__table__.columns if c.name != "id"]
        names = [c.name for c in columns]
        records = []

        def row(values: dict) -> tuple:
            return tuple(_column_value(column, values, now) for column in columns)

        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            with conn.cursor().copy(f"COPY donation ({', '.join(names)}) FROM STDIN") as copy:
                for i in range(self.size):
                    donation = entry(i, now)
                    copy.write_row(row(donation))
                    if i % RETURNING_EVERY == 0:
                        copy.write_row(row(history(i, donation, now)))
                    if self.path:
                        body, headers = signed(i, donation, now)
                        sign = (headers["Content-HMAC"] + headers["X-Content-HMAC"]).encode()
                        records.append(b"%04d" % len(body) + sign + body)
            conn.execute("ANALYZE donation")
        if self.path:
            self.record = -(-max(len(r) for r in records) // 64) * 64
            with open(self.path, "wb") as out:
                for record in records:
                    out.write(record.ljust(self.record))


def _column_value(column, values: dict, now: datetime):
    """The row's value, else the model's own default (so new columns with defaults need no change)."""
    if column.name in values:
        value = values[column.name]
    elif column.default is not None and column.default.is_scalar:
        value = column.default.arg
    elif column.default is not None:
        value = now  # utcnow, the only callable default of the model
    else:
        value = None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # UTCDateTime stores naive UTC
    return value.value if isinstance(value, enum.Enum) else value


class Stream:
    """Where a server's next run starts in the pool. The hub's stream only moves forward, so
    every Pay it gets is new; the bare app's wraps round (it stores nothing)."""

    def __init__(self, pool: Pool):
        self.pool, self.position = pool, 0

    def take(self, count: int) -> None:
        self.position += count


class _Advancing:
    """After a run, move the stream past every entry a connection (or wrk thread) may have used."""

    def run(self, port: int, stream: Stream, tag: str, clients: int, duration: float) -> dict:
        result = super().run(port, stream, tag, clients, duration)
        stream.take(result["threads"] * result["max_sent"])
        return result


WRK_PAY = (
    WRK_FRAME
    + r"""
local pool_path = "@POOL@"
local record, size, start, stride = @RECORD@, @SIZE@, @START@, @THREADS@
local path = "@PATH@"

function init(args)
  sent, ok, other = 0, 0, 0
  pool = assert(io.open(pool_path, "rb"))
  headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
end

function request()
  -- thread `id` of `stride` takes entries start + id - 1, + stride, + 2 stride, ...
  local index = (start + (id - 1) + sent * stride) % size
  sent = sent + 1
  pool:seek("set", index * record)
  local r = pool:read(record)
  headers["Content-HMAC"] = r:sub(5, 48)
  headers["X-Content-HMAC"] = r:sub(49, 92)
  return wrk.format("POST", path, headers, r:sub(93, 92 + tonumber(r:sub(1, 4))))
end
"""
)


class PayWrk(_Advancing, WrkGenerator):
    path = PATH
    ok_status = 200
    script = WRK_PAY

    def script_text(self, stream: Stream, tag: str, threads: int) -> str:
        pool = stream.pool
        values = {"POOL": pool.path, "RECORD": pool.record, "SIZE": pool.size, "START": stream.position}
        text = self.script.replace("@THREADS@", str(threads))
        for name, value in values.items():
            text = text.replace(f"@{name}@", str(value))
        return text


class PayPython(_Advancing, PythonGenerator):
    path = PATH
    ok_status = 200

    def request_maker(self, stream: Stream, tag: str, client: int, clients: int):
        start, size = stream.position + client, stream.pool.size
        return lambda sent: signed_request((start + (sent - 1) * clients) % size)


RETURNING_SQL = """
SELECT count(*), count(*) FILTER (WHERE is_first_donation),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM donation h
                                      WHERE h.donor_email = d.donor_email AND h.transaction_id < %(base)s))
FROM donation d WHERE status = 'completed' AND transaction_id >= %(base)s
"""
# Notifications whose own donation (by InvoiceId) was completed with their own TransactionId.
APPLIED_SQL = """
SELECT count(*) FROM payment_notification n
JOIN donation d ON d.invoice_id = n.invoice_id AND d.transaction_id = n.transaction_id
WHERE n.kind = 'pay' AND d.status = 'completed'
"""


def check(database_url: str) -> dict:
    """What the Pays did in PostgreSQL: notifications, outcomes, donations completed, letters."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        return {
            "notifications": conn.execute(
                "SELECT count(*), count(DISTINCT transaction_id) FROM payment_notification WHERE kind = 'pay'"
            ).fetchone(),
            "outcomes": conn.execute(
                "SELECT coalesce(outcome, '-'), count(*) FROM payment_notification GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall(),
            "completed": conn.execute(RETURNING_SQL, {"base": TRANSACTION_BASE}).fetchone(),
            "applied": conn.execute(APPLIED_SQL).fetchone()[0],
            "letters": conn.execute(
                "SELECT kind, count(*), count(*) FILTER (WHERE status = 'queued')"
                " FROM message WHERE kind LIKE 'donation_%%' GROUP BY kind ORDER BY kind"
            ).fetchall(),
        }


def unapplied(database_url: str) -> int:
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM payment_notification WHERE applied_at IS NULL").fetchone()[
            0
        ]


APPLY_SCRIPT = """
import time
from portal import create_app
from portal.jobs.payments import apply_notifications
with create_app().app_context():
    started, total = time.monotonic(), 0
    while applied := apply_notifications():
        total += applied
    print(total, time.monotonic() - started)
"""


def apply_as_a_worker(hub) -> tuple[int, float]:
    """Run the worker's job that applies stored notifications until none is left, in one
    process (no RQ, no letters sent meanwhile): how many it applied and the seconds it took."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", APPLY_SCRIPT],
        cwd=Path(__file__).resolve().parent.parent,
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    applied, took = done.stdout.split()[-2:]
    return int(applied), float(took)


def add_options(parser) -> None:
    parser.add_argument(
        "--pool", type=int, default=200_000, help="pending donations and signed notifications (200000)"
    )


def main() -> int:
    args, parser = parse_arguments(__doc__.splitlines()[0], add_options)
    if not 1_000 <= args.pool <= 2_000_000:
        parser.error("pool 1000..2000000")
    with Rig(parser, args, PayWrk, PayPython) as rig:
        pool = Pool(args.pool, rig.workdir / "pool.bin" if isinstance(rig.generator, PayWrk) else None)

        def prepare(hub) -> None:
            started = time.monotonic()
            print(
                f"writing {args.pool:,} pending donations and signing their Pay notifications ...", flush=True
            )
            pool.build(hub.env["DATABASE_URL"])
            print(f"  done in {time.monotonic() - started:.1f} s", flush=True)

        secret = {"CLOUDPAYMENTS_API_SECRET": SECRET}
        hub = rig.start("bench_payments", prepare=prepare, bare_env=secret, **secret)
        streams = {"bare": Stream(pool), "hub": Stream(pool)}
        ceiling = measure_ceiling(rig.generator, args, streams["bare"], "200 OK")
        runs = measure_rounds(rig, args, streams)

        time.sleep(1.0)  # requests still in flight when the generator stopped
        stored = unapplied(hub.env["DATABASE_URL"])
        jobs, kicked = dispatch_pending(hub.env["REDIS_URL"])
        applied, applying = apply_as_a_worker(hub)
        found = check(hub.env["DATABASE_URL"])
        accepted, sent = hub_totals(runs)

        hub_result = median_result(runs["hub"])
        what = f"Pay notifications: POST {PATH} (form, HMAC-signed, each for its own pending donation)"
        report(
            args, rig.generator, ceiling, runs, median_result(runs["bare"]), hub_result, what=what, ok="200"
        )
        cpu, completed = hub_result["cpu"], max(1, hub_result["completed"])
        print(
            "hub CPU ms per request (median round): "
            + ", ".join(f"{name} {1000 * cpu.get(name, 0.0) / completed:.3f}" for name in SERVER_GROUPS)
        )
        print(
            f"applied afterwards by the worker's job (one process): {applied:,} notifications"
            f" in {applying:.1f} s"
            f" ({applied / max(applying, 1e-9):,.0f}/s)"
        )
        ok = print_check(found, accepted, sent, jobs, kicked, streams["hub"], stored)
        print_verdicts(args, runs, rig.profiler)
        return 0 if ok else 1


def print_check(
    found: dict, accepted: int, sent: int, jobs: int, kicked: bool, stream: Stream, stored: int
) -> bool:
    notifications, distinct = found["notifications"]
    completed, first, returning = found["completed"]
    letters = {kind: rows for kind, rows, _ in found["letters"]}
    thanks = sum(rows for kind, rows in letters.items() if kind.startswith("donation_thanks"))
    applied = found["applied"]
    by_kind = ", ".join(f"{kind} {rows:,}" for kind, rows in letters.items())
    wrapped = "   WRAPPED: some Pays were repeats, raise --pool" if stream.position > stream.pool.size else ""
    lines = [
        ("200 responses", accepted, ""),
        ("requests sent (some unanswered)", sent, ""),
        ("payment_notification rows (pay)", notifications, f"distinct TransactionId {distinct:,}"),
        ("... not applied when the load ended", stored, "(no worker ran during the load)"),
        (
            "jobs waiting in rq:queue:mayak then",
            jobs,
            f"(one per kick; kick {'set' if kicked else 'expired'})",
        ),
        ("... completed their own donation", applied, f"outcomes: {dict(found['outcomes'])}"),
        ("donations completed by the Pays", completed, f"first gift {first:,}, repeat {completed - first:,}"),
        ("... of donors who gave before", returning, "(must equal the repeats)"),
        ("thank-you letters", thanks, by_kind),
        ("pool entries the hub's runs took", stream.position, f"of {stream.pool.size:,}{wrapped}"),
    ]
    print()
    print("Correctness (all hub runs, warm-ups included):")
    for label, value, note in lines:
        print(f"  {label:<38} {value:>8,}   {note}".rstrip())
    ok = (
        accepted <= notifications <= sent
        and distinct == notifications == stored == applied == completed == thanks
        and completed - first == returning
        and jobs >= 1
    )
    print(f"  every 200 stored, then completed its own donation with a thank-you: {'yes' if ok else 'NO'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
