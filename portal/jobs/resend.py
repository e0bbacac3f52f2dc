"""ФТ-019: resending every failed letter matching a filter, a chunk per transaction."""

from portal.extensions import db
from portal.jobs import app_job
from portal.services.resending import continue_run


@app_job
def resend_matching(run_id: int) -> None:
    """Walk the run's filter to the end; a second job or a restart carries on from the cursor."""
    while True:
        more = continue_run(run_id)
        db.session.commit()
        if not more:
            return
