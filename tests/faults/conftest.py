"""Fault tests: the hub as real processes, with workers killed and Redis restarted under load."""

import shutil
import uuid
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from portal.models import Message, SandboxEmail
from tests.processes import HubProcesses
from tests.stack import wait_until

PASSWORD = "faults-correct-horse-battery"
SANDBOX_KEY = "sandbox-unisendergo-key"  # UNISENDERGO_API_KEY's default in sandbox mode
MAX_RECIPIENTS_PER_CALL = 1000  # POST /api/v1/email/send


class Hub:
    """A running hub seen from outside: its partner API, its sandbox counters, its database."""

    def __init__(self, processes: HubProcesses):
        self.processes = processes
        self.http = requests.Session()
        self.engine = sa.create_engine(processes.env["DATABASE_URL"], pool_pre_ping=True)
        self.token: str | None = None

    def sign_in_partner(self) -> None:
        self.processes.create_user("fault_partner", "PARTNER", PASSWORD)
        self.token = self.processes.token("fault_partner", PASSWORD)

    def submit_letters(self, count: int, tag: str, names: int | None = None) -> list[int]:
        """Queue `count` letters, each to its own address, greeting one of `names` names (all differ).

        The body upper-cases the name, so a letter cannot share a provider call through
        substitutions: only letters with the same text share one, and a run of many distinct
        names makes many calls for a fault to land between.
        """
        names = names or count
        run = uuid.uuid4().hex[:8]
        recipients = [
            {
                "email": f"{tag}-{run}-{i}@example.org",
                "vars": {"user_name": f"Получатель {i % names}", "registration_date": "2026-11-20"},
            }
            for i in range(count)
        ]
        ids = []
        for start in range(0, count, MAX_RECIPIENTS_PER_CALL):
            response = self.http.post(
                f"{self.processes.base_url}/api/v1/email/send",
                json={
                    "template_id": "registration",
                    "recipients": recipients[start : start + MAX_RECIPIENTS_PER_CALL],
                    "body": "<p>{{ user_name|upper }}, здравствуйте!</p>",
                },
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=60,
            )
            assert response.status_code == 202, response.text
            ids += [m["id"] for m in response.json()["messages"]]
        assert len(set(ids)) == count
        return ids

    def sandbox_stats(self) -> dict:
        response = self.http.get(
            f"{self.processes.base_url}/sandbox/control/stats",
            headers={"X-API-KEY": SANDBOX_KEY},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["unisendergo"]

    def health(self) -> float:
        try:
            return requests.get(f"{self.processes.base_url}/health", timeout=5).json()["health"]
        except (requests.RequestException, ValueError):
            return 0.0

    def statuses(self, message_ids: list[int]) -> Counter:
        """How many of these messages are in each status, read from the hub's database."""
        query = (
            sa.select(Message.status, sa.func.count())
            .where(Message.id.in_(message_ids))
            .group_by(Message.status)
        )
        with self.engine.connect() as conn:
            return Counter(dict(conn.execute(query).all()))

    def wait_delivered(self, message_ids: list[int], timeout: float) -> None:
        def all_delivered() -> bool:
            return self.statuses(message_ids)["delivered"] == len(message_ids)

        try:
            wait_until(all_delivered, timeout=timeout, interval=0.5, what="every message to be delivered")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; statuses now: {dict(self.statuses(message_ids))}") from None

    def sandbox_letters_per_message(self) -> Counter:
        """Every letter the simulated UnisenderGo recorded, counted per hub message id."""
        with self.engine.connect() as conn:
            metas = conn.execute(sa.select(SandboxEmail.meta)).scalars().all()
        return Counter(int(meta["message_id"]) for meta in metas)

    def close(self) -> None:
        self.http.close()
        self.engine.dispose()


@pytest.fixture
def start_hub(stack):
    """Start a hub (its own database and Redis db); every one is stopped after the test."""
    started: list[Hub] = []

    def start(name: str, workers: int = 1, **options) -> Hub:
        processes = HubProcesses(stack, f"{name}_{uuid.uuid4().hex[:8]}", **options)
        hub = Hub(processes)
        started.append(hub)
        processes.start_web()
        hub.sign_in_partner()
        for _ in range(workers):
            processes.start_worker()
        return hub

    yield start
    for hub in started:
        hub.processes.stop()
        hub.close()
        shutil.rmtree(hub.processes.instance, ignore_errors=True)


def assert_each_recorded_once(hub: Hub, message_ids: list[int]) -> dict:
    """The sandbox holds exactly one letter per message: nothing lost, nothing sent twice."""
    per_message = hub.sandbox_letters_per_message()
    stats = hub.sandbox_stats()
    note = f"sandbox stats {stats}"
    twice = {m: n for m, n in per_message.items() if n > 1}
    missing = set(message_ids) - set(per_message)
    assert not twice, f"letters recorded more than once: {dict(list(twice.items())[:10])}; {note}"
    assert not missing, f"{len(missing)} messages never reached the sandbox; {note}"
    assert set(per_message) == set(message_ids), f"letters for unknown messages; {note}"
    assert stats["emails"] == len(message_ids), note
    return stats
