"""The hub as real processes (gunicorn, worker.py) for browser, fault and benchmark runs."""

import os
import signal
import subprocess
import sys
import tempfile
from itertools import count
from pathlib import Path

import requests

from tests.stack import RedisServer, Stack, free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
_redis_db = count(1)


def gunicorn_command(app_spec: str, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """How the hub is served here (and any baseline app it is compared with)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        app_spec,
    ]


class HubProcesses:
    """One hub installation: its own database, Redis database, web server and workers."""

    def __init__(self, stack: Stack, name: str, *, redis: RedisServer | None = None, **settings):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.instance = Path(tempfile.mkdtemp(prefix="mayak-hub-"))
        redis_url = redis.url(0) if redis else stack.redis.url(next(_redis_db) % 16)
        self.env = {
            **os.environ,
            "MAYAK_ENV": "development",
            "MAYAK_INSTANCE": str(self.instance),
            "DATABASE_URL": stack.database_url(name),
            "REDIS_URL": redis_url,
            "PUBLIC_BASE_URL": self.base_url,
            "SECRET_KEY": "process-test-secret-key-0123456789abcdef",
            "SANDBOX": "1",
            "LOG_LEVEL": "WARNING",
            "PROVIDER_TIMEOUT_SECONDS": "3",
            "DELIVERY_RETRY_BASE_SECONDS": "0.2",
            "DELIVERY_RETRY_CAP_SECONDS": "2",
            "SWEEP_INTERVAL_SECONDS": "1",
            "STALE_AFTER_SECONDS": "3",
            "BATCH_LEASE_SECONDS": "5",
            "STATISTICS_ROLLUP_INTERVAL_SECONDS": "1",
            **{k: str(v) for k, v in settings.items()},
        }
        self.web = None
        self.workers: list[subprocess.Popen] = []
        self._flask("db", "upgrade")

    def _flask(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def create_user(self, username: str, role: str, password: str) -> None:
        self._flask("user", "create", username, "--role", role, "--password-stdin", stdin=password + "\n")

    def token(self, username: str, password: str) -> str:
        response = requests.post(
            f"{self.base_url}/api/v1/auth/token", json={"username": username, "password": password}
        )
        response.raise_for_status()
        return response.json()

    def start_web(self, workers: int = 2, threads: int = 4) -> None:
        self.web = subprocess.Popen(
            gunicorn_command("wsgi:app", self.port, workers, threads),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._healthy, timeout=30, what="the web server")

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """kill -9: no cleanup, no warm shutdown, the job it held is simply abandoned."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        self.workers.remove(worker)

    def stop(self) -> None:
        for process in [*self.workers, self.web]:
            if process and process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.web]:
            if process:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.workers, self.web = [], None
