"""The audit of actions (seed 002): writing one row per call cheaply, and searching them."""

import logging
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import psycopg
from flask import current_app
from sqlalchemy import func, insert

from portal.background import BatchingThread
from portal.extensions import db
from portal.models import AuditAction
from portal.services import audit_taxonomy as taxonomy

log = logging.getLogger("mayak.audit")

POD = socket.gethostname()[:64]
COLUMNS = (
    "time",
    "day",
    "source",
    "user_id",
    "username",
    "company",
    "service",
    "process_type",
    "operation",
    "method",
    "path",
    "request_code",
    "status",
    "http_status",
    "duration_ms",
    "request_points",
    "replayed",
    "message",
    "pod",
)
_PG_COPY = f"COPY audit_action ({', '.join(COLUMNS)}) FROM STDIN"
SORT_FIELDS = {
    "time": AuditAction.time,
    "username": AuditAction.username,
    "company": AuditAction.company,
    "service": AuditAction.service,
    "operation": AuditAction.operation,
    "process_type": AuditAction.process_type,
    "status": AuditAction.status,
    "http_status": AuditAction.http_status,
    "duration_ms": AuditAction.duration_ms,
    "request_points": AuditAction.request_points,
}


def record(values: dict) -> None:
    """Write one audit row; a failure is logged, never raised.

    On PostgreSQL the row joins this process's AuditWriter, which COPYs what gathered every
    WRITE_INTERVAL seconds from a background thread: the request pays for a list append, not a
    round trip (a process killed outright loses at most that interval's rows). SQLite, the
    embedded single-writer set-up, gets one INSERT at once.
    """
    values = {name: values.get(name) for name in COLUMNS} | {"pod": POD}
    values["time"] = values["time"].astimezone(UTC).replace(tzinfo=None)
    for name, limit in (("path", 512), ("operation", 256), ("message", 512), ("request_code", 64)):
        if values[name] and len(values[name]) > limit:
            values[name] = values[name][:limit]
    try:
        if db.engine.dialect.name == "postgresql":
            writer().add(tuple(values[name] for name in COLUMNS))
            return
        # SQLite has one writer: a second connection would wait for this request's own
        # session, which holds the write lock until teardown. What the request left
        # uncommitted would be rolled back at teardown anyway.
        db.session.rollback()
        db.session.execute(insert(AuditAction.__table__), values)
        db.session.commit()
    except Exception:  # the audit must never break the answer it records
        db.session.rollback()
        log.exception("could not record an audit row for %s %s", values["method"], values["path"])


def writer() -> "AuditWriter":
    return AuditWriter.of_current_app()


def flush_pending(timeout: float = 5.0) -> None:
    """Wait until this process's audit rows are written (before reading the audit)."""
    found = current_app.extensions.get(f"mayak_{AuditWriter.NAME}")
    if found is not None:
        found.flush(timeout)


class AuditWriter(BatchingThread):
    """Gathers a process's audit rows and COPYs them to PostgreSQL from a background thread."""

    NAME = "audit-writer"
    WRITE_INTERVAL = 0.2
    MAX_PENDING = 100_000  # if PostgreSQL is away this long, drop rather than eat the memory

    def __init__(self, app):
        # a process stopping writes what it gathered
        super().__init__(app, pause=self.WRITE_INTERVAL, flush_at_exit=2.0)

    def append(self, row: tuple) -> None:
        if len(self.pending) >= self.MAX_PENDING:
            del self.pending[: len(self.pending) // 10]
            log.warning("audit rows dropped: PostgreSQL has not taken them for a while")
        self.pending.append(row)

    def work(self, rows: list[tuple]) -> None:
        self._copy(rows)

    @staticmethod
    def _copy(rows: list[tuple]) -> None:
        pooled = db.engine.raw_connection()
        try:
            connection = pooled.dbapi_connection
            connection.autocommit = True
            try:
                with connection.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
                    for row in rows:
                        copy.write_row(row)
            finally:
                connection.autocommit = False
        except psycopg.OperationalError:
            pooled.invalidate()
            raise
        finally:
            pooled.close()


# ---- searching ----------------------------------------------------------------------------


@dataclass
class AuditQuery:
    """Seed 002's filters for the audit of actions; `start`/`end` inclusive."""

    start: datetime
    end: datetime
    service: str = ""
    operation: str = ""
    process_type: str = ""
    status: str = ""
    username: str = ""
    source: str = ""
    sort_field: str = "time"
    sort_direction: str = "ASC"

    def window(self):
        return (AuditAction.time >= self.start, AuditAction.time <= self.end)

    def conditions(self) -> list:
        conditions = list(self.window())
        for name in ("service", "operation", "process_type", "status", "username", "source"):
            value = getattr(self, name)
            if value:
                conditions.append(getattr(AuditAction, name) == value)
        return conditions

    def order(self):
        column = SORT_FIELDS[self.sort_field]
        if self.sort_direction == "DESC":
            return (column.desc(), AuditAction.id.desc())
        return (column.asc(), AuditAction.id.asc())


def default_window(offset_hours: int) -> tuple[datetime, datetime]:
    """Seed 002: from the start of the current day (the user's timezone) until now."""
    now = datetime.now(UTC)
    today = taxonomy.local_day(offset_hours, now)
    return datetime.combine(today, time.min, taxonomy.user_zone(offset_hours)), now


def day_window(day_from: date | None, day_to: date | None, offset_hours: int):
    """Whole days (inclusive) in a timezone as a start/end pair, each side defaulted as above."""
    start, end = default_window(offset_hours)
    zone = taxonomy.user_zone(offset_hours)
    if day_from:
        start = datetime.combine(day_from, time.min, zone)
    if day_to:
        end = datetime.combine(day_to + timedelta(days=1), time.min, zone) - timedelta(microseconds=1)
    return start, end


def counters(query: AuditQuery) -> dict:
    """overall: every action in the period; filter: those matching the filters too."""
    overall = db.session.execute(db.select(func.count()).where(*query.window())).scalar_one()
    matching = db.session.execute(db.select(func.count()).where(*query.conditions())).scalar_one()
    return {"overall": {"total": overall}, "filter": {"total": matching}}


def actions(query: AuditQuery, offset: int, limit: int) -> list[AuditAction]:
    statement = (
        db.select(AuditAction).where(*query.conditions()).order_by(*query.order()).offset(offset).limit(limit)
    )
    return list(db.session.execute(statement).scalars())


def search_page(query: AuditQuery, page: int, per_page: int):
    statement = db.select(AuditAction).where(*query.conditions()).order_by(*query.order())
    return db.paginate(statement, page=max(page, 1), per_page=per_page, error_out=False)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _duration(ms: int) -> str:
    return f"PT{ms / 1000:.3f}S"


def action_to_dict(action: AuditAction) -> dict:
    """An audit row in seed 002's audit_action shape (one request per process here)."""
    ok = action.http_status < 400
    trace = {
        "process_code": action.request_code,
        "request_code": action.request_code,
        "username": action.username,
        "company": action.company,
        "service": action.service,
        "operation": action.operation,
        "env": current_app.config["ENV_NAME"],
        "pod": action.pod,
        "time": _iso(action.time),
    }
    return {
        "id": action.id,
        "process_code": action.request_code,
        "process_type": action.process_type,
        "username": action.username,
        "company": action.company,
        "service": action.service,
        "time": _iso(action.time),
        "source": action.source,
        "method": action.method,
        "path": action.path,
        "http_status": action.http_status,
        "message": action.message,
        "requests": [trace],
        "statistics": {
            "request_points_count": action.request_points,
            "result_elements_count": action.request_points if ok else 0,
            "calculation_info": {
                "status": action.status,
                "calculation_time": _duration(action.duration_ms),
            },
        },
        "input_file_exists": False,
        "output_file_exists": False,
    }


# ---- the portal's filters -----------------------------------------------------------------

SOURCES = ("api", "portal")


@dataclass
class AuditFilter:
    """The audit page's filters, all in the URL; dates are whole local days."""

    date_from: str = ""
    date_to: str = ""
    username: str = ""
    service: str = ""
    process_type: str = ""
    status: str = ""
    source: str = ""
    operation: str = ""
    sort: str = "time"
    dir: str = "desc"

    @classmethod
    def from_args(cls, args) -> "AuditFilter":
        raw = cls(**{name: args.get(name, "").strip()[:256] for name in cls.__dataclass_fields__})
        raw.date_from, raw.date_to = _iso_day(raw.date_from), _iso_day(raw.date_to)
        raw.service = raw.service if raw.service in taxonomy.SERVICES else ""
        raw.process_type = raw.process_type if raw.process_type in taxonomy.PROCESS_TYPES else ""
        raw.status = raw.status if raw.status in taxonomy.STATUSES else ""
        raw.source = raw.source if raw.source in SOURCES else ""
        raw.sort = raw.sort if raw.sort in SORT_FIELDS else "time"
        raw.dir = raw.dir if raw.dir in ("asc", "desc") else "desc"
        return raw

    def query_args(self) -> dict:
        defaults = AuditFilter()
        return {
            k: getattr(self, k) for k in self.__dataclass_fields__ if getattr(self, k) != getattr(defaults, k)
        }

    def sorted_by(self, field: str) -> dict:
        """The URL arguments that sort by `field` (flipping the direction if it is the current one)."""
        direction = "asc" if self.sort == field and self.dir == "desc" else "desc"
        return {**self.query_args(), "sort": field, "dir": direction}

    def query(self, offset_hours: int) -> AuditQuery:
        start, end = day_window(_day(self.date_from), _day(self.date_to), offset_hours)
        if not self.date_to:
            end = datetime.now(UTC)
        return AuditQuery(
            start=start,
            end=end,
            service=self.service,
            operation=self.operation,
            process_type=self.process_type,
            status=self.status,
            username=self.username,
            source=self.source,
            sort_field=self.sort,
            sort_direction=self.dir.upper(),
        )


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso_day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat() if value else ""
    except ValueError:
        return ""
