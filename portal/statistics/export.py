"""The statistics as CSV: the summary day by day, or every letter of the range, streamed.

The letters are read in pages by id (keyset), each page in its own short transaction: memory
stays flat however many there are, no snapshot is held open for the whole download, and on
SQLite (whose transactions take the write lock) the workers are never kept waiting for long.
"""

from collections.abc import Iterator

from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Message, MessageTemplate
from portal.services.message_log import local_zone
from portal.statistics.rollup import day_bounds
from portal.statistics.summary import DateRange, summary
from portal.template_filters import STATUS_LABELS

PAGE = 5000


def filename(kind: str, period: DateRange) -> str:
    return f"statistics-{kind}-{period.date_from.isoformat()}-{period.date_to.isoformat()}.csv"


def summary_header() -> list[str]:
    return [
        _("Date"),
        _("Letters"),
        _("Handed to provider"),
        _("Delivered"),
        _("Opened"),
        _("Clicked"),
        _("Bounced"),
        _("Failed"),
        _("Donations"),
        _("Donations, ₽"),
        _("New subscriptions"),
        _("Cancelled subscriptions"),
        _("Failed charges"),
        _("Events received"),
        _("Events approved"),
        _("Events rejected"),
        _("Events closed"),
    ]


def summary_rows(period: DateRange) -> Iterator[list]:
    """One row per day, from the same daily rows as the page."""
    for day in summary(period)["days"]:
        steps = day["letters_steps"]
        yield [
            day["date"],
            day["letters_total"],
            *(steps[step] for step in ("sent", "delivered", "opened", "clicked", "bounced", "failed")),
            day["donations"]["count"],
            day["donations"]["sum"].replace(".", ","),  # Excel in a Russian locale reads 1500,50
            day["subscriptions_new"],
            day["subscriptions_cancelled"],
            day["failed_charges"],
            day["events_received"],
            day["events_approved"],
            day["events_rejected"],
            day["events_closed"],
        ]


def messages_header() -> list[str]:
    return [
        _("Message"),
        _("Created"),
        _("Template code"),
        _("Template"),
        _("Channel"),
        _("Recipient"),
        _("Subject"),
        _("Status"),
        _("Status code"),
        _("Attempts"),
        _("Last change"),
        _("Error"),
        _("About"),
    ]


COLUMNS = (
    Message.id,
    Message.created_at,
    Message.template_id,
    Message.channel,
    Message.recipient,
    Message.rendered_subject,
    Message.subject_override,
    Message.status,
    Message.attempts,
    Message.updated_at,
    Message.last_error,
    Message.reference,
)


def message_rows(period: DateRange) -> Iterator[list]:
    """Every letter created in the range, oldest first, read PAGE at a time."""
    zone = local_zone()
    start, _ignored = day_bounds(period.date_from)
    _ignored, end = day_bounds(period.date_to)
    templates = {t.id: (t.code, t.name) for t in db.session.execute(db.select(MessageTemplate)).scalars()}
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    after = 0
    while True:
        page = db.session.execute(
            db.select(*COLUMNS)
            .where(Message.created_at >= start, Message.created_at < end, Message.id > after)
            .order_by(Message.id)
            .limit(PAGE)
        ).all()
        db.session.rollback()  # ends the page's transaction: nothing is held between pages
        for row in page:
            code, name = templates.get(row.template_id, ("", f"#{row.template_id}"))
            yield [
                row.id,
                row.created_at.astimezone(zone).replace(tzinfo=None),
                code,
                name,
                row.channel,
                row.recipient,
                row.rendered_subject or row.subject_override or "",
                labels.get(row.status, row.status),
                row.status,
                row.attempts,
                row.updated_at.astimezone(zone).replace(tzinfo=None) if row.updated_at else None,
                row.last_error,
                row.reference,
            ]
        if len(page) < PAGE:
            return
        after = page[-1].id
