"""Redis dies and comes back mid-delivery: the sweeper re-sends what was lost, nothing goes twice."""

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import STACK_KIND
from tests.faults.conftest import assert_each_recorded_once
from tests.stack import RedisServer, wait_until

pytestmark = pytest.mark.slow

LETTERS = 200
DURING_OUTAGE = 20  # of LETTERS, submitted while Redis is down
OUTAGE_SECONDS = 1.5


@pytest.fixture
def own_redis():
    """A Redis server for this test alone, so stopping it disturbs no other hub."""
    # mkdtemp, not tmp_path: a unix socket path must stay under 107 bytes.
    workdir = Path(tempfile.mkdtemp(prefix="mayak-rr-"))
    server = RedisServer(STACK_KIND, workdir).start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def hub(own_redis, start_hub):
    """A hub on `own_redis`; listed after it, so the hub stops while its Redis is still up."""
    return start_hub("redis_restart", redis=own_redis)


def test_letters_survive_a_redis_restart(hub, own_redis):
    message_ids = hub.submit_letters(LETTERS - DURING_OUTAGE, "redis")
    wait_until(
        lambda: hub.sandbox_stats()["emails"] >= 20,
        timeout=60,
        interval=0.02,
        what="the worker to get going",
    )

    own_redis.stop()
    down_since = time.monotonic()
    assert hub.statuses(message_ids)["delivered"] < len(message_ids), "all done before Redis went down"
    # The API keeps taking letters without Redis: they wait in the database for the sweeper.
    message_ids += hub.submit_letters(DURING_OUTAGE, "outage")
    wait_until(
        lambda: hub.health() < 1 and time.monotonic() - down_since >= OUTAGE_SECONDS,
        timeout=30,
        interval=0.1,
        what="the hub to report Redis down",
    )
    own_redis.start()
    back_since = time.monotonic()

    hub.wait_delivered(message_ids, timeout=120)
    stats = assert_each_recorded_once(hub, message_ids)
    exited = [w.returncode for w in hub.processes.workers if w.poll() is not None]
    assert not exited, f"the worker exited (code {exited}) instead of waiting for Redis"
    print(
        f"\nRedis down for {back_since - down_since:.1f} s; all delivered "
        f"{time.monotonic() - back_since:.1f} s after it came back; "
        f"sandbox: {stats['requests']} requests, {stats['emails']} emails, "
        f"{stats['duplicate_idempotence_keys']} duplicate idempotence keys"
    )


def test_a_worker_stops_on_sigterm_while_redis_is_down(own_redis, start_hub):
    """A stop during an outage is a stop, not an outage to wait out."""
    hub = start_hub("redis_down_stop", redis=own_redis)
    [worker] = hub.processes.workers
    # A delivered letter proves the worker is inside RQ's loop, with RQ's signal handlers.
    hub.wait_delivered(hub.submit_letters(1, "warmup"), timeout=60)
    own_redis.stop()
    worker.terminate()  # while the worker is still waiting on its (now dead) connection
    wait_until(lambda: worker.poll() is not None, timeout=20, what="the worker to stop")
    own_redis.start()
