"""Usage statistics per API user, day, service and process type (seed 002), and its XLSX report.

The daily counters (UsageDay) are rolled up from the audit: per user-local day,
processes — calls answered successfully; points — the items those calls carried (what the daily
quota counts); unique_points — the same without idempotent replays; elements — the items of
every call, refused ones included (the load the user offered).
"""

import io
from datetime import UTC, date, datetime, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import and_, case, func

from portal.extensions import db
from portal.models import AuditAction, UsageDay
from portal.models.base import utcnow
from portal.services import audit_taxonomy as taxonomy

MAX_DAYS = 3653
FIELDS = ("unique_points_per_day", "points_per_day", "elements_per_day", "processes_per_day")
COLUMNS_RU = (
    "Дата",
    "Пользователь",
    "Сервис",
    "Тип процесса",
    "Уникальных единиц за день",
    "Единиц за день",
    "Элементов за день",
    "Процессов за день",
)


def roll_up_usage(days: list[date], user_id: int | None = None) -> int:
    """Recount the usage rows of these days (of one user, or everyone) from the audit."""
    ok = AuditAction.http_status < 400
    fresh = and_(ok, AuditAction.replayed.is_(False))
    totals = (
        db.select(
            AuditAction.user_id,
            AuditAction.day,
            AuditAction.service,
            AuditAction.process_type,
            func.sum(case((ok, 1), else_=0)),
            func.sum(case((ok, AuditAction.request_points), else_=0)),
            func.sum(case((fresh, AuditAction.request_points), else_=0)),
            func.sum(AuditAction.request_points),
        )
        .where(AuditAction.day.in_(days), AuditAction.source == "api", AuditAction.user_id.is_not(None))
        .group_by(AuditAction.user_id, AuditAction.day, AuditAction.service, AuditAction.process_type)
    )
    stale = db.delete(UsageDay).where(UsageDay.day.in_(days))
    if user_id is not None:
        totals = totals.where(AuditAction.user_id == user_id)
        stale = stale.where(UsageDay.user_id == user_id)
    rows = db.session.execute(totals).all()
    db.session.execute(stale)
    now = utcnow()
    db.session.add_all(
        UsageDay(
            user_id=uid,
            day=day,
            service=service,
            process_type=process_type,
            processes=int(processes or 0),
            points=int(points or 0),
            unique_points=int(unique or 0),
            elements=int(elements or 0),
            rolled_up_at=now,
        )
        for uid, day, service, process_type, processes, points, unique, elements in rows
    )
    db.session.flush()
    return len(rows)


def default_period(offset_hours: int, day_from: date | None, day_to: date | None) -> tuple[date, date]:
    """Seed 002: from the first of the current month to today, `to` exclusive."""
    today = taxonomy.local_day(offset_hours)
    return day_from or today.replace(day=1), day_to or today


def usage_rows(user_id: int, day_from: date, day_to: date, service: str = "", process_type: str = ""):
    """The user's daily counters for day_from <= day < day_to, freshly rolled up where still moving."""
    today = taxonomy.local_day(14)  # the latest local day anywhere
    moving = [
        d for d in (today - timedelta(days=2), today - timedelta(days=1), today) if day_from <= d < day_to
    ]
    if moving:
        roll_up_usage(moving, user_id)
    query = (
        db.select(UsageDay)
        .where(UsageDay.user_id == user_id, UsageDay.day >= day_from, UsageDay.day < day_to)
        .order_by(UsageDay.day, UsageDay.service, UsageDay.process_type)
    )
    if service:
        query = query.where(UsageDay.service == service)
    if process_type:
        query = query.where(UsageDay.process_type == process_type)
    return list(db.session.execute(query).scalars())


def counts_of(row: UsageDay) -> dict:
    return {
        "unique_points_per_day": row.unique_points,
        "points_per_day": row.points,
        "elements_per_day": row.elements,
        "processes_per_day": row.processes,
    }


def statistics_to_dict(username: str, rows: list[UsageDay]) -> dict:
    """Seed 002's shape: dates → services → processes, days without calls left out."""
    dates: dict[date, dict[str, list]] = {}
    for row in rows:
        services = dates.setdefault(row.day, {})
        services.setdefault(row.service, []).append({"process_type": row.process_type, **counts_of(row)})
    return {
        "username": username,
        "dates": [
            {
                "date": day.isoformat(),
                "services": [{"service": s, "processes": p} for s, p in services.items()],
            }
            for day, services in dates.items()
        ],
    }


def xlsx_report(username: str, rows: list[UsageDay], day_from: date, day_to: date) -> bytes:
    """The rows as an XLSX sheet: a header in Russian, dates as dates, counts as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    sheet.append(COLUMNS_RU)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        counts = counts_of(row)
        sheet.append([row.day, username, row.service, row.process_type, *(counts[f] for f in FIELDS)])
        sheet.cell(row=sheet.max_row, column=1).number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (12, 24, 16, 14, 16, 14, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.auto_filter.ref = f"A1:H{max(sheet.max_row, 1)}"
    book.properties.title = f"Статистика {username} {day_from.isoformat()}…{day_to.isoformat()}"
    book.properties.created = datetime.now(UTC).replace(tzinfo=None)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def prune_audit(retention_days: int) -> int:
    cutoff = utcnow() - timedelta(days=retention_days)
    return db.session.execute(db.delete(AuditAction).where(AuditAction.time < cutoff)).rowcount or 0
