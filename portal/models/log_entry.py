"""One record of the application's log (НФТ-5.1), written by portal/logging_setup.py."""

import json
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.extensions import db
from portal.models.base import UTCDateTime


class ReadableJSON(TypeDecorator):
    """A JSON object kept as its text with the letters unescaped.

    The logs page searches the context as text; SQLAlchemy's JSON type writes Cyrillic as
    \\uXXXX escapes, which a search for «Праздник» would never match.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, default=str)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return {"text": value}


class LogEntry(db.Model):
    __table_args__ = (
        Index("ix_log_entry_created_at_id", "created_at", "id"),
        Index("ix_log_entry_component_created_at", "component", "created_at"),
        Index("ix_log_entry_level_created_at", "level", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[str] = mapped_column(String(10))  # DEBUG, INFO, WARNING, ERROR, CRITICAL
    component: Mapped[str] = mapped_column(String(128))  # the logger's name, e.g. mayak.payments
    message: Mapped[str] = mapped_column(Text)
    context: Mapped[dict | None] = mapped_column(ReadableJSON)
    # The request's X-Request-ID, or the RQ job's id for a record logged by a job.
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    exception: Mapped[str | None] = mapped_column(Text)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "time": self.created_at.isoformat(timespec="milliseconds"),
            "level": self.level,
            "component": self.component,
            "message": self.message,
            "context": self.context,
            "request_id": self.request_id,
            "exception": self.exception,
        }
