"""Structured logs: JSON lines on stdout and, for the logs page (НФТ-5.1), rows in the database.

Log through a logger under `mayak` (`logging.getLogger("mayak.payments")`; the name is the
record's *component*). Give the facts of a record as a dict in `extra={"context": {...}}`:

    log.warning("CloudPayments refused the call", extra={"context": {"invoice_id": invoice, "code": code}})

The context is shown on stdout and stored with the row, so the logs page can show and search it.
Keys that look like credentials (password, token, secret, authorization, api key) are masked.
Each record carries the request id (the `X-Request-ID` header, or a new one, echoed back), or in a
job the RQ job's id, so every row of one request or job can be found together.

A record must never slow down or break the request or job that logs it. The database handler
only puts the row on an in-process queue; a daemon thread per process inserts the rows in
batches through a connection of its own (never the request's session) and in its own
transaction. When the database is unavailable or the queue is full, rows are dropped and
counted (`LogWriter.dropped`), never waited for. What is queued when the process exits is
written then, for at most a couple of seconds. Records of SQLAlchemy and of the writer thread
itself are never written, so writing a row cannot log a row.

LOG_LEVEL sets what reaches stdout, LOG_DB_LEVEL what reaches the database (`OFF` for nothing).
"""

import atexit
import json
import logging
import os
import queue
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from rq import get_current_job

MAX_MESSAGE = 10_000
MAX_EXCEPTION = 20_000
MAX_CONTEXT = 10_000
SECRET_KEY_PARTS = ("password", "passwd", "token", "secret", "authorization", "api_key", "apikey")
MASK = "***"

_default_writer: "LogWriter | None" = None
_in_writer = threading.local()


def _masked(value, depth: int = 0):
    if isinstance(value, dict) and depth < 5:
        return {
            str(k): MASK if any(p in str(k).lower() for p in SECRET_KEY_PARTS) else _masked(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple) and depth < 5:
        return [_masked(v, depth + 1) for v in value]
    return value


def context_of(record: logging.LogRecord) -> dict | None:
    """The record's `extra={"context": ...}`, credentials masked (a non-dict is kept as {"value": …})."""
    context = getattr(record, "context", None)
    if context is None:
        return None
    if not isinstance(context, dict):
        context = {"value": context}
    return _masked(context)


def request_id_now() -> str | None:
    """The id tying a record to its request (or, in a worker, to its job)."""
    if has_request_context():
        return getattr(g, "request_id", None)
    job = get_current_job()
    return job.id if job is not None else None


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "component": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_now()
        if request_id:
            entry["request_id"] = request_id
        if has_request_context():
            entry["path"] = request.path
        context = context_of(record)
        if context is not None:
            entry["context"] = context
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class LogWriter:
    """One process's queue of log rows for one app's database, and the thread that inserts them."""

    CAPACITY = 10_000
    BATCH = 500
    LINGER_SECONDS = 0.2  # rows arriving together go in one transaction
    IDLE_EXIT_SECONDS = 30.0
    PAUSE_AFTER_FAILURE = 1.0
    COMPLAIN_EVERY = 60.0

    def __init__(self, app: Flask):
        self.app = app
        self.engine = None
        self.lock = threading.Lock()
        self.queue: queue.Queue = queue.Queue(self.CAPACITY)
        self.thread: threading.Thread | None = None
        self.written = 0
        self.dropped = 0
        self.last_complaint = 0.0
        self.exit_hook = False
        os.register_at_fork(after_in_child=self._forget_parent)

    def _forget_parent(self) -> None:
        # A forked child has no writer thread, and a lock or queue the parent held mid-use.
        self.lock, self.queue, self.thread = threading.Lock(), queue.Queue(self.CAPACITY), None

    def submit(self, row: dict) -> None:
        """Queue a row; never waits (a full queue drops it)."""
        with self.lock:
            self._start_if_needed()
            try:
                self.queue.put_nowait(row)
            except queue.Full:
                self.dropped += 1

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every row queued so far is written (or dropped); False on timeout."""
        done = threading.Event()
        deadline = time.monotonic() + timeout
        with self.lock:  # under the lock: the thread cannot stop for idleness in between
            self._start_if_needed()
            try:
                self.queue.put_nowait(done)
                queued = True
            except queue.Full:
                queued = False  # the thread is busy with a full queue and will not stop
        if not queued:
            try:
                self.queue.put(done, timeout=timeout)
            except queue.Full:
                return False
        return done.wait(max(deadline - time.monotonic(), 0))

    def _start_if_needed(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
            self.thread.start()
            if not self.exit_hook:
                atexit.register(self.flush, 2.0)  # a stopping process writes what it logged
                self.exit_hook = True

    def _run(self) -> None:
        _in_writer.active = True
        while True:
            try:
                first = self.queue.get(timeout=self.IDLE_EXIT_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self.queue.empty():
                        self.thread = None
                        return
                continue
            rows, flushed = [], []
            deadline = time.monotonic() + self.LINGER_SECONDS
            item = first
            while True:
                (flushed if isinstance(item, threading.Event) else rows).append(item)
                if flushed or len(rows) >= self.BATCH:
                    break
                try:
                    item = self.queue.get(timeout=max(deadline - time.monotonic(), 0))
                except queue.Empty:
                    break
            self._write(rows)
            for done in flushed:
                done.set()

    def _write(self, rows: list[dict]) -> None:
        if not rows:
            return
        try:
            from portal.models import LogEntry

            if self.engine is None:
                with self.app.app_context():
                    from portal.extensions import db

                    self.engine = db.engine
            with self.engine.begin() as connection:
                connection.execute(LogEntry.__table__.insert(), rows)
            self.written += len(rows)
        except Exception as exc:  # the database is down, locked or not migrated: drop, never raise
            self.dropped += len(rows)
            self._complain(exc)
            time.sleep(self.PAUSE_AFTER_FAILURE)

    def _complain(self, exc: Exception) -> None:
        # Straight to stderr: logging it would queue another row for the same failing database.
        now = time.monotonic()
        if now - self.last_complaint >= self.COMPLAIN_EVERY:
            self.last_complaint = now
            first_line = str(exc).strip().splitlines()[:1]
            sys.stderr.write(
                f"log rows not written to the database ({self.dropped} dropped so far): "
                f"{type(exc).__name__}: {first_line[0] if first_line else ''}\n"
            )


class DatabaseLogHandler(logging.Handler):
    """Hands each record to the log writer of the app it was logged in."""

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_in_writer, "active", False) or record.name.startswith("sqlalchemy"):
            return
        try:
            writer = current_writer()
            if writer is None:
                return
            exception = None
            if record.exc_info:
                exception = logging.Formatter().formatException(record.exc_info)[:MAX_EXCEPTION]
            context = context_of(record)
            if context is not None:
                text = json.dumps(context, ensure_ascii=False, default=str)
                context = text if len(text) <= MAX_CONTEXT else json.dumps({"truncated": text[:MAX_CONTEXT]})
            request_id = request_id_now()
            writer.submit(
                {
                    "created_at": datetime.fromtimestamp(record.created, UTC),
                    "level": record.levelname[:10],
                    "component": record.name[:128],
                    "message": record.getMessage()[:MAX_MESSAGE],
                    "context": context,
                    "request_id": request_id[:64] if request_id else None,
                    "exception": exception,
                }
            )
        except Exception:
            writer = current_writer()
            if writer is not None:
                writer.dropped += 1


def current_writer() -> LogWriter | None:
    """The log writer of the current app, or of the first app of this process outside one."""
    if has_app_context():
        return current_app.extensions.get("mayak_log_writer")
    return _default_writer


def flush_log_rows(app: Flask, timeout: float = 5.0) -> bool:
    """Wait until the rows this process logged for `app` are in the database (tests, exits)."""
    writer = app.extensions.get("mayak_log_writer")
    return writer.flush(timeout) if writer else True


def _level(name: str) -> int:
    value = logging.getLevelName(str(name).upper())
    if not isinstance(value, int):
        raise RuntimeError(f"unknown log level {name!r}")
    return value


def init_app(app: Flask) -> None:
    global _default_writer
    # urllib3 logs request paths at DEBUG; the Bitrix webhook's path holds its secret.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    root = logging.getLogger("mayak")
    stdout = next((h for h in root.handlers if isinstance(h.formatter, JSONFormatter)), None)
    if stdout is None:
        stdout = logging.StreamHandler(sys.stdout)
        stdout.setFormatter(JSONFormatter())
        root.addHandler(stdout)
    stdout.setLevel(_level(app.config["LOG_LEVEL"]))
    levels = [stdout.level]
    if str(app.config["LOG_DB_LEVEL"]).upper() != "OFF":
        handler = next((h for h in root.handlers if isinstance(h, DatabaseLogHandler)), None)
        if handler is None:
            handler = DatabaseLogHandler()
            root.addHandler(handler)
        handler.setLevel(_level(app.config["LOG_DB_LEVEL"]))
        levels.append(handler.level)
        app.extensions["mayak_log_writer"] = LogWriter(app)
        if _default_writer is None:
            _default_writer = app.extensions["mayak_log_writer"]
    root.setLevel(min(levels))
    root.propagate = False

    @app.before_request
    def _assign_request_id():
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
