"""Keeping the application log in the database to its retention (LOG_RETENTION_DAYS)."""

import logging
from datetime import timedelta

from flask import current_app

from portal.extensions import db
from portal.jobs import app_job
from portal.models.base import utcnow
from portal.services.log_entries import delete_older_than

CHUNK = 5000
MAX_CHUNKS = 200  # a backlog larger than a million rows is finished by the next runs
log = logging.getLogger("mayak.logs")


@app_job
def prune_old_logs() -> dict:
    """Delete log rows older than the retention, a chunk per transaction (writers wait for none long)."""
    cutoff = utcnow() - timedelta(days=current_app.config["LOG_RETENTION_DAYS"])
    deleted = 0
    for _ in range(MAX_CHUNKS):
        count = delete_older_than(cutoff, CHUNK)
        db.session.commit()
        deleted += count
        if count < CHUNK:
            break
    if deleted:
        log.info(
            "deleted %d log rows older than %d days",
            deleted,
            current_app.config["LOG_RETENTION_DAYS"],
            extra={"context": {"deleted": deleted, "before": cutoff.isoformat(timespec="seconds")}},
        )
    return {"log_entries_deleted": deleted}
