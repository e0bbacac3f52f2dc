"""Work the workers do on a timer. Each task runs on one worker at a time (a Redis lock).

Add a task here as (name, the config key of its interval in seconds, its function's path);
the function takes no arguments, runs in an app context and may return what it did.
"""

from importlib import import_module

from flask import current_app

from portal.queueing import get_redis

PERIODIC_TASKS: tuple[tuple[str, str, str], ...] = (
    ("sweep", "SWEEP_INTERVAL_SECONDS", "portal.jobs.sweeper.sweep"),
    ("statistics", "STATISTICS_ROLLUP_INTERVAL_SECONDS", "portal.jobs.statistics.roll_up_statistics"),
    ("prune_logs", "LOG_PRUNE_INTERVAL_SECONDS", "portal.jobs.logs.prune_old_logs"),
    ("monitoring", "MONITORING_INTERVAL_SECONDS", "portal.jobs.monitoring.evaluate_alerts"),
    ("usage", "USAGE_ROLLUP_INTERVAL_SECONDS", "portal.jobs.usage.roll_up_recent_usage"),
)


def interval_of(name: str) -> float:
    key = next(k for n, k, _ in PERIODIC_TASKS if n == name)
    return float(current_app.config[key])


def run_if_ours(name: str):
    """Run the task unless another worker ran it within its interval; (ran, result)."""
    _, key, path = next(t for t in PERIODIC_TASKS if t[0] == name)
    seconds = max(int(current_app.config[key]), 1)
    if not get_redis().set(f"mayak:periodic:{name}", 1, nx=True, ex=seconds):
        return False, None
    module, _, attribute = path.rpartition(".")
    return True, getattr(import_module(module), attribute)()
