"""Browser tests: Debian's Chromium driven by Playwright against the hub run as real processes."""

import shutil
from pathlib import Path

import pytest
import requests

from tests.processes import HubProcesses

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "e2e-correct-horse-battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright cannot download a browser here: use the system Chromium."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def hub(stack):
    """The hub as it runs in production: gunicorn, one worker.py, the sandbox providers."""
    processes = HubProcesses(stack, "hub_e2e")
    try:
        processes.create_user("e2e_admin", "ADMIN", PASSWORD)
        processes.create_user("e2e_partner", "PARTNER", PASSWORD)
        processes.create_user("e2e_moderator", "MODERATOR", PASSWORD)
        processes.start_web()
        processes.start_worker()
        yield processes
    finally:
        processes.stop()
        shutil.rmtree(processes.instance, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(hub) -> str:
    """Relative URLs in `page.goto` resolve against the hub (pytest-playwright reads this)."""
    return hub.base_url


@pytest.fixture(scope="session")
def partner_api(hub) -> requests.Session:
    """A partner system (Bitrix) calling the hub's API with its Bearer token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {hub.token('e2e_partner', PASSWORD)}"
    yield session
    session.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
