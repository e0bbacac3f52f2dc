"""Log rows of a component of their own, so a test sees only the rows it wrote."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.logging_setup import flush_log_rows
from portal.models import LogEntry


def add_log_rows(app, component: str, rows: list[dict]) -> None:
    """Insert rows as the log writer would: each {"ago": timedelta, "level", "message", ...}."""
    now = datetime.now(UTC)
    with app.app_context():
        for row in rows:
            fields = {"level": "INFO", "message": "", **row}
            ago = fields.pop("ago", timedelta(0))
            db.session.add(LogEntry(created_at=now - ago, component=component, **fields))
        db.session.commit()


@pytest.fixture
def component() -> str:
    return f"mayak.test_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def logged_rows(app):
    """The rows this process logged so far for `app`, once the writer has put them in."""

    def find(**criteria) -> list[LogEntry]:
        assert flush_log_rows(app, timeout=10), "the log writer did not flush in time"
        with app.app_context():
            query = db.select(LogEntry).filter_by(**criteria).order_by(LogEntry.id)
            rows = list(db.session.execute(query).scalars())
            db.session.expunge_all()  # readable after the rollback
            db.session.rollback()
            return rows

    return find
