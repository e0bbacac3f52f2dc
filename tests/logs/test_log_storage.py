"""НФТ-5.1: what the hub logs lands in the database with its request (or job) id and its context,
and logging never waits for, nor breaks on, a database that cannot take the rows."""

import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import requests
from rq import Queue
from sqlalchemy import create_engine

from portal.logging_setup import JSONFormatter, LogWriter
from portal.queueing import QUEUE_NAME
from tests.logs.conftest import add_log_rows


def test_a_request_log_is_stored_with_its_request_id_and_context(base_url, logged_rows):
    request_id = f"req-{uuid.uuid4().hex}"
    response = requests.post(
        f"{base_url}/webhooks/cloudpayments/pay",
        data={"InvoiceId": "forged", "Amount": "100"},
        headers={"X-Request-ID": request_id, "Content-HMAC": "forged"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == request_id

    [row] = logged_rows(request_id=request_id)
    assert row.level == "WARNING"
    assert row.component == "mayak.webhooks"
    assert row.message == "CloudPayments pay notification with a bad or missing signature rejected"
    assert row.context["kind"] == "pay"
    assert row.context["body_bytes"] == len("InvoiceId=forged&Amount=100")


def test_a_job_log_is_stored_with_the_job_id(app, component, drain, logged_rows, redis_conn):
    add_log_rows(app, component, [{"ago": timedelta(days=45), "message": "too old to keep"}])
    job = Queue(QUEUE_NAME, connection=redis_conn).enqueue("portal.jobs.logs.prune_old_logs")
    drain()

    [row] = logged_rows(request_id=job.id)
    assert row.component == "mayak.logs"
    assert row.message.startswith("deleted ") and "older than 30 days" in row.message
    assert row.context["deleted"] >= 1
    assert logged_rows(component=component) == []


def test_context_is_on_stdout_too_with_credentials_masked():
    record = logging.LogRecord(
        "mayak.test", logging.INFO, __file__, 1, "token issued to %s", ("bitrix",), None
    )
    record.context = {"username": "bitrix", "access_token": "eyJ-secret", "nested": {"Password": "hunter2"}}
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "token issued to bitrix"
    assert line["context"] == {"username": "bitrix", "access_token": "***", "nested": {"Password": "***"}}


def test_stored_context_has_credentials_masked_and_cyrillic_readable(app, component, logged_rows):
    log = logging.getLogger(component)
    with app.app_context():
        log.info("Событие «Праздник» получено", extra={"context": {"event": "Праздник", "api_key": "k-123"}})
    [row] = logged_rows(component=component)
    assert row.context == {"event": "Праздник", "api_key": "***"}
    assert row.message == "Событие «Праздник» получено"


def test_an_exception_is_stored_with_its_traceback(app, component, logged_rows):
    log = logging.getLogger(component)
    with app.app_context():
        try:
            {}["missing"]
        except KeyError:
            log.exception("the lookup failed")
    [row] = logged_rows(component=component)
    assert row.level == "ERROR"
    assert "Traceback" in row.exception and "KeyError: 'missing'" in row.exception


def test_records_below_the_database_level_are_not_stored(app, component, logged_rows):
    log = logging.getLogger(component)
    with app.app_context():
        log.debug("chatter nobody asked to keep")
        log.info("kept")
    assert [row.message for row in logged_rows(component=component)] == ["kept"]


class TinyWriter(LogWriter):
    CAPACITY = 5
    PAUSE_AFTER_FAILURE = 0.05
    COMPLAIN_EVERY = 3600.0


def test_a_database_that_cannot_take_rows_drops_them_without_waiting(app, tmp_path):
    writer = TinyWriter(app)
    writer.engine = create_engine(f"sqlite:///{tmp_path}/no-such-dir/log.db")
    row = {"created_at": None, "level": "INFO", "component": "mayak.test", "message": "lost"}
    started = time.monotonic()
    for _ in range(200):
        writer.submit(dict(row))
    assert time.monotonic() - started < 0.5  # the caller never waits for the database
    assert writer.flush(timeout=10)
    assert writer.written == 0 and writer.dropped == 200


def test_what_the_writer_thread_logs_is_never_written(app, component, logged_rows):
    """A failing insert that logged would queue a row for the same failing insert, forever."""
    from portal.logging_setup import _in_writer

    def as_the_writer():
        _in_writer.active = True
        with app.app_context():
            logging.getLogger(component).error("insert failed")

    thread = threading.Thread(target=as_the_writer)
    thread.start()
    thread.join()
    with app.app_context():
        logging.getLogger(component).error("an ordinary record")
    assert [row.message for row in logged_rows(component=component)] == ["an ordinary record"]
