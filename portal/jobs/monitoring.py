"""The alert rules, run on a timer by one worker at a time (portal/jobs/periodic.py)."""

from portal.extensions import db
from portal.jobs import app_job
from portal.services import alerts


@app_job
def evaluate_alerts() -> dict:
    """Raise, refresh and resolve alerts from what the rules find now."""
    outcome = alerts.evaluate()
    db.session.commit()
    return {"raised": outcome["raised"], "resolved": outcome["resolved"]}
