"""Helpers shared by the benchmarks: gunicorn, process CPU and memory, result tables."""

import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.processes import gunicorn_command  # noqa: E402
from tests.stack import wait_until  # noqa: E402


def start_gunicorn(app_spec: str, port: int, env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(
        gunicorn_command(app_spec, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app_spec} exited with {process.returncode}")
        try:
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_until(healthy, timeout=30, what=f"gunicorn {app_spec}")
    return process


def stop_process(process: subprocess.Popen | None, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def tear_down(stack, workdir: Path, hub=None, db=None, sampler=None, profiler=None) -> None:
    """Stop what a benchmark started, whichever parts it got to before it ended or failed."""
    if sampler:
        sampler.stop()
    if profiler:
        profiler.stop()
    if db:
        db.close()
    if hub:
        hub.stop()
        shutil.rmtree(hub.instance, ignore_errors=True)
    stack.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants (empty if it is gone)."""
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class CpuMeter:
    """CPU seconds (user + system) spent by named groups of processes between start() and stop()."""

    def __init__(self, groups: dict):
        self.groups = groups  # name -> callable returning a list of psutil.Process
        self.before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    @staticmethod
    def _times(processes) -> dict[int, float]:
        result = {}
        for process in processes:
            try:
                t = process.cpu_times()
                result[process.pid] = t.user + t.system
            except psutil.Error:
                pass
        return result

    def start(self) -> None:
        self.before = {name: self._times(find()) for name, find in self.groups.items()}
        self.t0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        self.elapsed = time.monotonic() - self.t0
        for name, find in self.groups.items():
            after = self._times(find())
            before = self.before.get(name, {})
            self.used[name] = sum(max(0.0, v - before.get(pid, 0.0)) for pid, v in after.items())
        return self.used


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def table(headers: list[str], rows: list[list], aligns: str | None = None) -> str:
    """A plain-text table; numbers right-aligned, text left-aligned."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    aligns = aligns or "l" + "r" * (len(headers) - 1)

    def line(values):
        return "  ".join(
            v.ljust(w) if a == "l" else v.rjust(w) for v, w, a in zip(values, widths, aligns, strict=True)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


class Profiler:
    """Optional py-spy sampling of some processes (--py-spy PATH); prints where they spend the GIL.

    py-spy is not a dependency of the hub: install it in a throw-away virtualenv
    (python3 -m venv /tmp/spy && /tmp/spy/bin/pip install py-spy) and pass its path.
    """

    def __init__(self, binary: str | None, workdir: Path, wall: bool = False):
        self.binary = binary
        self.workdir = workdir
        self.wall = wall  # all samples, waiting included (--idle), instead of GIL-holding ones only
        self.spies: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, label: str, pids: list[int]) -> None:
        if not self.binary:
            return
        for pid in pids:
            out = self.workdir / f"spy-{label}-{pid}.txt"
            mode = "--idle" if self.wall else "--gil"
            argv = [self.binary, "record", "--pid", str(pid), "--rate", "100", mode, "--nonblocking"]
            spy = subprocess.Popen(
                [*argv, "--format", "raw", "--output", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.spies.append((label, spy, out))

    def stop(self) -> None:
        import signal

        for _, spy, _ in self.spies:
            if spy.poll() is None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for _, spy, _ in self.spies:
            try:
                spy.wait(30)
            except subprocess.TimeoutExpired:
                spy.kill()

    def report(self, top: int = 25) -> str:
        """Per label: the hub's own functions (portal/, worker.py) by share of the samples.

        GIL mode: share of all samples holding the GIL (CPU spent in Python). Wall mode: share
        of the samples taken inside a job (workers) or a request (web), waiting included.
        """
        import collections
        import re

        root = re.compile(r"^(app_job\.<locals>\.run|Flask\.wsgi_app) ")
        lines = []
        for label in dict.fromkeys(label for label, _, _ in self.spies):
            inclusive, total = collections.Counter(), 0
            for own_label, _, out in self.spies:
                if own_label != label or not out.exists():
                    continue
                for row in out.read_text(errors="replace").splitlines():
                    stack, _, count = row.rpartition(" ")
                    if not count.isdigit():
                        continue
                    frames = {re.sub(r":\d+\)$", ")", f) for f in stack.split(";")}
                    if self.wall and not any(root.match(f) for f in frames):
                        continue  # an idle thread: RQ waiting for a job, gunicorn waiting for a request
                    total += int(count)
                    for frame in frames:
                        inclusive[frame] += int(count)
            if not total:
                continue
            kind = (
                "wall-clock samples inside jobs/requests (waiting included)"
                if self.wall
                else "samples holding the GIL"
            )
            lines.append(f"py-spy, {label}: {total:,} {kind}; hub functions, inclusive share:")
            own = [(f, n) for f, n in inclusive.most_common() if "(portal/" in f or "(worker.py" in f]
            lines.extend(f"  {100 * n / total:5.1f}%  {f}" for f, n in own[:top])
        return "\n".join(lines)
