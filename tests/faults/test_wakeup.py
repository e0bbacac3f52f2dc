"""Requests wake the dispatcher themselves: letters go out at once, not when the sweeper passes."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import unique_email
from tests.flows.test_registration import registration

pytestmark = pytest.mark.slow

LETTERS = 40


def test_letters_are_delivered_without_the_sweeper(start_hub):
    hub = start_hub("wakeup", SWEEP_INTERVAL_SECONDS=3600, STALE_AFTER_SECONDS=3600)
    url = f"{hub.processes.base_url}/api/v1/emails/send"
    headers = {"Authorization": f"Bearer {hub.token}"}

    def submit(_) -> int:
        letter = registration(unique_email("wake"), agree=False)
        response = requests.post(url, json=letter, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["messages"][0]["id"]

    with ThreadPoolExecutor(8) as pool:  # concurrent requests, across both web processes
        message_ids = list(pool.map(submit, range(LETTERS)))
    hub.wait_delivered(message_ids, timeout=30)
