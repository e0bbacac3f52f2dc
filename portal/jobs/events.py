"""Telling Bitrix what the moderators decided."""

from portal.extensions import db
from portal.jobs import app_job
from portal.queueing import enqueue_now
from portal.services import events


@app_job
def notify_bitrix(event_pk: int) -> None:
    retry_in = events.notify_bitrix(event_pk)
    db.session.commit()
    if retry_in is not None:
        enqueue_now(events.BITRIX_JOB, event_pk, delay=retry_in)


@app_job
def fan_out_closing(event_pk: int) -> int:
    """Write every donor's closing letter, a chunk per transaction; resumes where it stopped."""
    chunks = 0
    while True:
        more = events.fan_out_chunk(event_pk)
        db.session.commit()
        chunks += 1
        if not more:
            return chunks
