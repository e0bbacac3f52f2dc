"""An RQ worker for the hub: run as many of these as you like, on any machine.

    python worker.py            # works until stopped (SIGTERM finishes the current job)
    python worker.py --burst    # drains the queue and exits

Each worker also runs RQ's scheduler (retries and delayed letters) and, every
SWEEP_INTERVAL_SECONDS, the sweeper that re-enqueues work a lost job left behind; a Redis
lock lets one worker at a time sweep.
"""

import argparse
import logging
import signal
import threading

from redis.exceptions import RedisError
from rq import SimpleWorker

from portal import create_app
from portal.queueing import QUEUE_NAME, get_queue, get_redis

log = logging.getLogger("mayak.worker")


def run_sweeper(app, stop: threading.Event) -> None:
    """Sweep periodically; a Redis lock keeps concurrent workers from sweeping together."""
    from portal.jobs.sweeper import sweep

    interval = app.config["SWEEP_INTERVAL_SECONDS"]
    while not stop.wait(interval):
        with app.app_context():
            try:
                if get_redis().set("mayak:sweeper-lock", 1, nx=True, ex=max(int(interval), 1)):
                    found = sweep()
                    if any(found.values()):
                        log.info("sweeper re-enqueued %s", found)
            except RedisError as exc:
                log.warning("sweeper skipped, Redis unavailable: %s", exc)
            except Exception:
                log.exception("sweeper failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    args = parser.parse_args()
    app = create_app()
    stop = threading.Event()
    with app.app_context():
        if not args.burst:
            threading.Thread(target=run_sweeper, args=(app, stop), daemon=True).start()
        try:
            work_through_redis_outages(app, burst=args.burst, stopping=stop)
        finally:
            stop.set()
    log.info("worker on %s stopped", QUEUE_NAME)


def work_through_redis_outages(app, burst: bool, stopping: threading.Event) -> None:
    """Run the RQ worker; when Redis goes away, wait for it and start again.

    A stop (SIGTERM, Ctrl-C) ends the loop even when it arrives while Redis is down:
    RQ's own shutdown then fails on its Redis calls, which must not read as an outage.
    """
    pause = 0.5
    while not stopping.is_set():
        worker = None
        try:
            # SimpleWorker runs jobs in this process: no fork per job, warm DB connections.
            worker = SimpleWorker([get_queue()], connection=get_redis(), maintenance_interval=30)
            worker.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in %.1f s", exc, pause)
            if worker is not None and getattr(worker, "pubsub_thread", None):
                worker.pubsub_thread.stop()  # the dead worker's listener would retry forever
        # RQ notes a stop request here (no public accessor); RQ also returns on some Redis errors.
        if burst or (worker is not None and worker._shutdown_requested_date is not None):
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        stopping.wait(pause)
        pause = min(pause * 2, 10)


if __name__ == "__main__":
    main()
