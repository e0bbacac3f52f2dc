"""Old log rows are deleted by a periodic task after LOG_RETENTION_DAYS, in bounded chunks."""

from datetime import timedelta

from portal.jobs import logs as log_jobs
from portal.jobs.periodic import PERIODIC_TASKS
from tests.logs.conftest import add_log_rows


def test_only_rows_older_than_the_retention_are_deleted(app, component, in_app, logged_rows, monkeypatch):
    add_log_rows(
        app,
        component,
        [
            {"ago": timedelta(days=31), "message": "old 1"},
            {"ago": timedelta(days=40), "message": "old 2"},
            {"ago": timedelta(days=400), "message": "old 3"},
            {"ago": timedelta(days=29), "message": "kept, inside the retention"},
            {"ago": timedelta(minutes=1), "message": "kept, fresh"},
        ],
    )
    monkeypatch.setattr(log_jobs, "CHUNK", 2)  # three old rows: two chunks, each its own transaction
    result = in_app(log_jobs.prune_old_logs)
    assert result["log_entries_deleted"] >= 3
    assert [row.message for row in logged_rows(component=component)] == [
        "kept, inside the retention",
        "kept, fresh",
    ]


def test_the_retention_is_configurable(app, component, in_app, logged_rows, monkeypatch):
    add_log_rows(app, component, [{"ago": timedelta(days=3), "message": "three days old"}])
    monkeypatch.setitem(app.config, "LOG_RETENTION_DAYS", 2)
    in_app(log_jobs.prune_old_logs)
    assert logged_rows(component=component) == []


def test_pruning_is_a_periodic_task_on_its_own_interval(app):
    assert ("prune_logs", "LOG_PRUNE_INTERVAL_SECONDS", "portal.jobs.logs.prune_old_logs") in PERIODIC_TASKS
    assert app.config["LOG_PRUNE_INTERVAL_SECONDS"] == 3600.0 and app.config["LOG_RETENTION_DAYS"] == 30
