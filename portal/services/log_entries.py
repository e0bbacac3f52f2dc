"""Reading the application log kept in the database (НФТ-5.1): filters, pages, export, pruning."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, text

from portal.extensions import db
from portal.models import LogEntry
from portal.services.message_log import UrlFilter, valid_date, within_dates

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PER_PAGE = 50
EXPORT_CHUNK = 1000
CSV_HEADER = ("time", "level", "component", "message", "context", "request_id", "exception")


def levels_from(level: str) -> tuple[str, ...]:
    """A level and every level above it: WARNING shows warnings, errors and critical records."""
    return LEVELS[LEVELS.index(level) :]


@dataclass
class LogFilter(UrlFilter):
    date_from: str = ""
    date_to: str = ""
    level: str = ""
    component: str = ""
    search_text: str = ""
    request_id: str = ""

    @classmethod
    def from_args(cls, args) -> "LogFilter":
        """The filters of a portal URL; a value that makes no sense is dropped, not refused."""
        raw = cls.raw(args)
        raw.level = raw.level.upper() if raw.level.upper() in LEVELS else ""
        raw.date_from, raw.date_to = valid_date(raw.date_from), valid_date(raw.date_to)
        raw.component, raw.request_id = raw.component[:128], raw.request_id[:64]
        return raw

    @property
    def dates_reversed(self) -> bool:
        return bool(self.date_from and self.date_to and self.date_to < self.date_from)

    def conditions(self) -> list:
        found = within_dates(LogEntry.created_at, self.date_from, self.date_to)
        if self.level:
            found.append(LogEntry.level.in_(levels_from(self.level)))
        if self.component:
            found.append(LogEntry.component == self.component)
        if self.request_id:
            found.append(LogEntry.request_id == self.request_id)
        if self.search_text:
            found.append(
                or_(
                    *(
                        column.icontains(self.search_text, autoescape=True)
                        for column in (LogEntry.message, LogEntry.context, LogEntry.exception)
                    )
                )
            )
        return found

    def statement(self):
        newest_first = (LogEntry.created_at.desc(), LogEntry.id.desc())
        return db.select(LogEntry).where(*self.conditions()).order_by(*newest_first)


def search(flt: LogFilter, page: int, per_page: int = PER_PAGE):
    return db.paginate(flt.statement(), page=max(page, 1), per_page=per_page, error_out=False)


def export_rows(flt: LogFilter, chunk: int = EXPORT_CHUNK) -> Iterator[tuple]:
    """Every matching row as a CSV_HEADER tuple, newest first, read `chunk` rows at a time.

    Each chunk is its own short read (keyset-paged on time and id), so memory stays flat and a
    long download never holds a transaction open: on SQLite every transaction takes the write
    lock (portal/database.py), and a slow reader would stall every writer for its whole length.
    """
    columns = (
        LogEntry.id,
        LogEntry.created_at,
        LogEntry.level,
        LogEntry.component,
        LogEntry.message,
        LogEntry.context,
        LogEntry.request_id,
        LogEntry.exception,
    )
    conditions = flt.conditions()
    after: tuple[datetime, int] | None = None
    while True:
        query = db.select(*columns).where(*conditions)
        if after is not None:
            moment, last_id = after
            query = query.where(
                or_(LogEntry.created_at < moment, and_(LogEntry.created_at == moment, LogEntry.id < last_id))
            )
        query = query.order_by(LogEntry.created_at.desc(), LogEntry.id.desc()).limit(chunk)
        with db.engine.connect() as connection:
            rows = connection.execute(query).all()
        for row in rows:
            yield (
                row.created_at,
                row.level,
                row.component,
                row.message,
                _context_text(row.context),
                row.request_id,
                row.exception,
            )
        if len(rows) < chunk:
            return
        after = (rows[-1].created_at, rows[-1].id)


def _context_text(context) -> str:
    return json.dumps(context, ensure_ascii=False, default=str) if context else ""


def known_components(limit: int = 200) -> list[str]:
    """The distinct components in the log, read as index seeks (one per name), not a scan."""
    rows = db.session.execute(
        text(
            "WITH RECURSIVE names(name) AS ("
            " SELECT MIN(component) FROM log_entry"
            " UNION ALL"
            " SELECT (SELECT MIN(component) FROM log_entry WHERE component > names.name)"
            " FROM names WHERE names.name IS NOT NULL"
            ") SELECT name FROM names WHERE name IS NOT NULL LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [name for (name,) in rows]


def delete_older_than(cutoff: datetime, limit: int) -> int:
    """Delete at most `limit` rows logged before `cutoff`, the oldest first; how many went."""
    query = db.select(LogEntry.id).where(LogEntry.created_at < cutoff).order_by(LogEntry.created_at)
    ids = db.session.execute(query.limit(limit)).scalars().all()
    if ids:
        db.session.execute(
            delete(LogEntry).where(LogEntry.id.in_(ids)).execution_options(synchronize_session=False)
        )
    return len(ids)
