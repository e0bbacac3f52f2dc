"""A worker killed with SIGKILL mid-delivery: another worker finishes, and nobody gets a letter twice."""

import time

import pytest

from tests.faults.conftest import assert_each_recorded_once
from tests.stack import wait_until

pytestmark = pytest.mark.slow

LETTERS = 500
KILL_AFTER = 50  # letters the sandbox has recorded


def test_letters_survive_a_worker_killed_mid_delivery(start_hub):
    hub = start_hub("worker_killed")
    [worker] = hub.processes.workers
    message_ids = hub.submit_letters(LETTERS, "killed")

    def mid_job() -> bool:
        # Every letter is its own provider call: with 10 or more still 'sending', the worker
        # has calls to go when the kill lands.
        return hub.sandbox_stats()["emails"] >= KILL_AFTER and hub.statuses(message_ids)["sending"] >= 10

    wait_until(mid_job, timeout=60, interval=0.01, what="the worker to be in the middle of a job")
    hub.processes.kill_worker(worker)
    stranded = hub.statuses(message_ids)
    recorded = hub.sandbox_stats()["emails"]
    assert stranded["sending"] > 0 and recorded < LETTERS, f"not killed mid-delivery: {dict(stranded)}"
    hub.processes.start_worker()
    started = time.monotonic()

    hub.wait_delivered(message_ids, timeout=120)
    stats = assert_each_recorded_once(hub, message_ids)
    print(
        f"\nworker killed after {recorded} letters; statuses then: {dict(stranded)}; "
        f"all delivered {time.monotonic() - started:.1f} s after the new worker started; "
        f"sandbox: {stats['requests']} requests, {stats['emails']} emails, "
        f"{stats['duplicate_idempotence_keys']} duplicate idempotence keys"
    )
