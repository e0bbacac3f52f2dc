"""Roll the audit up into daily usage counters, and forget audit rows past their retention."""

from datetime import timedelta

from flask import current_app

from portal.extensions import db
from portal.jobs import app_job
from portal.services import audit_taxonomy as taxonomy
from portal.services.usage import prune_audit, roll_up_usage


@app_job
def roll_up_recent_usage() -> dict:
    """Recount the last three local days (timezones run up to UTC+14) for everyone."""
    today = taxonomy.local_day(14)
    rows = roll_up_usage([today - timedelta(days=n) for n in range(3)])
    pruned = prune_audit(current_app.config["AUDIT_RETENTION_DAYS"])
    db.session.commit()
    return {"usage_rows": rows, "audit_pruned": pruned}
