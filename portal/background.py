"""Work that requests hand over and one daemon thread of the process does in batches."""

import atexit
import logging
import threading
import time

from flask import Flask, current_app

log = logging.getLogger("mayak.background")


class BatchingThread:
    """Items handed over by requests, done in batches by one daemon thread of this process.

    `add()` appends under a lock and wakes the thread: the caller never waits for the work.
    The thread takes everything gathered, passes it to `work()` inside an app context, then
    pauses `pause` seconds, so a busy process makes one round trip per pause instead of one per
    item. It starts on first use (and again in a forked child, which has no thread) and ends
    after IDLE_EXIT_SECONDS without work. `flush()` waits until all handed over is done.
    """

    IDLE_EXIT_SECONDS = 5.0
    NAME = "batching-thread"

    def __init__(self, app: Flask, pause: float = 0.0, flush_at_exit: float | None = None):
        self.app, self.pause, self.flush_at_exit = app, pause, flush_at_exit
        self.lock = threading.Lock()
        self.pending: list = []
        self.wanted = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.thread: threading.Thread | None = None
        self.exit_hook = False

    @classmethod
    def of_current_app(cls):
        """The current app's one instance, made on first use."""
        app = current_app._get_current_object()
        key = f"mayak_{cls.NAME}"
        found = app.extensions.get(key)
        if found is None:
            found = app.extensions[key] = cls(app)
        return found

    def add(self, item) -> None:
        with self.lock:
            self.append(item)
            self.idle.clear()
            self.wanted.set()
            if self.thread is None or not self.thread.is_alive():  # first use, or after a fork
                self.thread = threading.Thread(target=self._run, name=self.NAME, daemon=True)
                self.thread.start()
                if self.flush_at_exit and not self.exit_hook:
                    atexit.register(self.flush, self.flush_at_exit)  # a stopping process finishes
                    self.exit_hook = True

    def append(self, item) -> None:
        """Keep an item for the next batch (called under the lock)."""
        self.pending.append(item)

    def take_batch(self) -> list:
        """Everything gathered for the next `work()` (called under the lock)."""
        batch, self.pending = self.pending, []
        return batch

    def work(self, batch: list) -> None:
        raise NotImplementedError

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every item handed over so far is done; False on timeout."""
        return self.idle.wait(timeout)

    def _run(self) -> None:
        while True:
            if not self.wanted.wait(self.IDLE_EXIT_SECONDS):
                with self.lock:
                    if not self.wanted.is_set():
                        self.thread = None
                        return
            with self.lock:
                self.wanted.clear()
                batch = self.take_batch()
            if batch:
                try:
                    with self.app.app_context():
                        self.work(batch)
                except Exception:  # the thread must outlive a bug or an outage
                    log.exception("%s: %d items not done", self.NAME, len(batch))
            with self.lock:
                if not self.wanted.is_set():
                    self.idle.set()
            if self.pause:
                time.sleep(self.pause)
