"""An RQ worker for the hub: run as many of these as you like, on any machine.

    python worker.py            # works until stopped (SIGTERM finishes the current job)
    python worker.py --burst    # drains the queue and exits

Beside the RQ worker, a thread of each process moves due jobs of RQ's scheduled-job
registry (retries, delayed letters) onto the queue every half second and runs the periodic
tasks of portal/jobs/periodic.py (the sweeper that re-enqueues work a lost job left behind,
every SWEEP_INTERVAL_SECONDS; a Redis lock lets one worker at a time run each). RQ's own
scheduler is not used: it forks a process that a worker cannot stop while Redis is down, and
its lock outlives a killed worker.
"""

import argparse
import logging
import signal
import threading
import time

from redis.exceptions import RedisError
from rq import SimpleWorker

from portal import create_app
from portal.queueing import QUEUE_NAME, get_queue, get_redis, promote_due_jobs

log = logging.getLogger("mayak.worker")


def run_ticker(app, stop: threading.Event) -> None:
    """Promote due scheduled jobs often; run each periodic task on its interval, one worker at a time."""
    from portal.jobs.periodic import PERIODIC_TASKS, interval_of, run_if_ours

    with app.app_context():
        # A long interval (the hourly log pruning) still gets a first run soon after a start:
        # workers restarted more often than it would otherwise never run it.
        next_run = {name: time.monotonic() + min(interval_of(name), 60.0) for name, _, _ in PERIODIC_TASKS}
    while not stop.wait(0.5):
        with app.app_context():
            try:
                promote_due_jobs()
                for name, when in next_run.items():
                    if time.monotonic() < when:
                        continue
                    next_run[name] = time.monotonic() + interval_of(name)
                    ran, result = run_if_ours(name)
                    if ran and result and (not isinstance(result, dict) or any(result.values())):
                        context = {"task": name, "result": result}
                        log.info("periodic %s: %s", name, result, extra={"context": context})
            except RedisError as exc:
                log.warning("scheduling and periodic tasks paused, Redis unavailable: %s", exc)
            except Exception:
                log.exception("a periodic task failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    args = parser.parse_args()
    app = create_app()
    stop = threading.Event()
    with app.app_context():
        if not args.burst:
            threading.Thread(target=run_ticker, args=(app, stop), daemon=True).start()
        try:
            work_through_redis_outages(app, burst=args.burst, stopping=stop)
        finally:
            stop.set()
    log.info("worker on %s stopped", QUEUE_NAME)


class StopNow(BaseException):
    """A stop raised from the signal handler.

    Not an Exception like RQ's StopRequested: redis-py turns an Exception raised during a
    reconnect into a ConnectionError, and RQ retries those forever.
    """


class HubWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process), whose stop never needs Redis.

    RQ decides between "finish the job, then stop" and "stop now" from worker state it
    keeps in Redis; during an outage that can leave the stop unheard.
    """

    def __init__(self, *args, stopping: threading.Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = stopping
        self.in_job = False

    def execute_job(self, job, queue):
        self.in_job = True
        try:
            return super().execute_job(job, queue)
        finally:
            self.in_job = False

    def request_stop(self, signum, frame):
        self.stopping.set()
        signal.signal(signal.SIGINT, self.request_force_stop)
        signal.signal(signal.SIGTERM, self.request_force_stop)
        if self.in_job:
            self._stop_requested = True  # RQ's loop stops after this job
        else:
            raise StopNow()


def work_through_redis_outages(app, burst: bool, stopping: threading.Event) -> None:
    """Run the RQ worker; when Redis goes away, wait for it and start again.

    A stop (SIGTERM, Ctrl-C) ends the loop even when it arrives while Redis is down.
    """
    pause = 0.5
    while not stopping.is_set():
        worker = None
        try:
            worker = HubWorker(
                [get_queue()], connection=get_redis(), maintenance_interval=30, stopping=stopping
            )
            worker.work(burst=burst, logging_level=app.config["LOG_LEVEL"])
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in %.1f s", exc, pause)
            if worker is not None and getattr(worker, "pubsub_thread", None):
                worker.pubsub_thread.stop()  # the dead worker's listener would retry forever
        if burst or stopping.is_set():
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        stopping.wait(pause)
        pause = min(pause * 2, 10)


if __name__ == "__main__":
    main()
