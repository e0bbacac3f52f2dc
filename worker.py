"""An RQ worker for the hub: run as many of these as you like, on any machine.

    python worker.py            # works until stopped (SIGTERM finishes the current job)
    python worker.py --burst    # drains the queue and exits

Each worker also runs RQ's scheduler (retries and delayed letters) and, every
SWEEP_INTERVAL_SECONDS, the sweeper that re-enqueues work a lost job left behind; a Redis
lock lets one worker at a time sweep.
"""

import argparse
import logging
import threading
import time

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
            work_through_redis_outages(app, burst=args.burst)
        finally:
            stop.set()
    log.info("worker on %s stopped", QUEUE_NAME)


def work_through_redis_outages(app, burst: bool) -> None:
    """Run the RQ worker; when Redis goes away, wait for it and start again."""
    pause = 0.5
    while True:
        try:
            # SimpleWorker runs jobs in this process: no fork per job, warm DB connections.
            worker = SimpleWorker([get_queue()], connection=get_redis(), maintenance_interval=30)
            worker.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
            return
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in %.1f s", exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, 10)


if __name__ == "__main__":
    main()
