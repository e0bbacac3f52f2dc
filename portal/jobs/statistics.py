"""The periodic statistics rollup: the days touched since the last run, recomputed."""

from portal.extensions import db
from portal.jobs import app_job
from portal.statistics.rollup import rollup


@app_job
def roll_up_statistics() -> dict:
    done = rollup()
    db.session.commit()
    return {kind: len(days) for kind, days in done.items()}
