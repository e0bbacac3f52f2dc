"""ФТ-019: letters that failed, found by filter, resent as new letters through the normal pipeline.

A resend never touches the failed letter's own history: it marks it `resent_at` (with a
conditional UPDATE, so two admins resending at once resend it once) and queues a copy that
points back at it. A letter that was delivered, is still on its way, or was already resent is
refused with the reason.
"""

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from portal.extensions import db
from portal.models import Message, MessageStatus, MessageTemplate, ResendItem, ResendRun
from portal.models.base import utcnow
from portal.queueing import enqueue_after_commit, kick_after_commit
from portal.services.message_log import UrlFilter, valid_date, within_dates

RESENDABLE = (MessageStatus.FAILED, MessageStatus.SOFT_BOUNCED, MessageStatus.HARD_BOUNCED)
CHUNK = 500
MAX_IDS = 1000
RESEND_JOB = "portal.jobs.resend.resend_matching"
COPIED = (
    "channel",
    "kind",
    "reference",
    "template_id",
    "recipient",
    "variables",
    "subject_override",
    "body_override",
)


@dataclass
class FailedFilter(UrlFilter):
    status: str = MessageStatus.FAILED
    template: str = ""
    channel: str = ""
    date_from: str = ""
    date_to: str = ""
    error: str = ""
    q: str = ""  # part of the recipient's address

    @classmethod
    def from_args(cls, args) -> "FailedFilter":
        raw = cls.raw(args)
        raw.status = raw.status if raw.status in RESENDABLE else MessageStatus.FAILED
        raw.channel = raw.channel if raw.channel in ("email", "sms") else ""
        raw.date_from, raw.date_to = valid_date(raw.date_from), valid_date(raw.date_to)
        return raw

    def conditions(self) -> list:
        conditions = [Message.status == self.status, Message.resent_at.is_(None)]
        conditions += within_dates(Message.created_at, self.date_from, self.date_to)
        if self.channel:
            conditions.append(Message.channel == self.channel)
        if self.template:
            codes = select(MessageTemplate.id).where(MessageTemplate.code == self.template)
            conditions.append(Message.template_id.in_(codes))
        if self.error:
            conditions.append(Message.last_error.ilike(f"%{self.error}%"))
        if self.q:
            conditions.append(Message.recipient.ilike(f"%{self.q}%"))
        return conditions

    def statement(self):
        return db.select(Message).where(*self.conditions()).order_by(Message.id.desc())

    def count(self) -> int:
        return db.session.execute(db.select(db.func.count(Message.id)).where(*self.conditions())).scalar()


def start_for_ids(ids: list[int], author_id: int | None) -> ResendRun:
    """Resend the chosen letters now (at most MAX_IDS); the caller commits."""
    unique = list(dict.fromkeys(ids))[:MAX_IDS]
    run = ResendRun(created_by_id=author_id, total=len(unique), state="done")
    db.session.add(run)
    db.session.flush()
    resend_chunk(run, unique)
    return run


def start_for_filter(flt: FailedFilter, author_id: int | None) -> ResendRun:
    """Resend every letter matching the filter, in chunks, from a job; the caller commits."""
    run = ResendRun(created_by_id=author_id, total=flt.count(), filter=flt.query_args(), state="running")
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit(db.session, RESEND_JOB, run.id)
    return run


def resend_chunk(run: ResendRun, ids: list[int]) -> None:
    """Resend what may be resent of `ids`, record the outcome of each in the run."""
    now = utcnow()
    claimed = set(
        db.session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.status.in_(RESENDABLE), Message.resent_at.is_(None))
            .values(resent_at=now)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    items = []
    if claimed:
        table = Message.__table__
        originals = db.session.execute(
            select(table.c.id, *(table.c[name] for name in COPIED)).where(table.c.id.in_(claimed))
        ).mappings()
        rows = [
            {
                **{name: original[name] for name in COPIED},
                "resent_from_id": original["id"],
                "created_by_id": run.created_by_id,
                "status": MessageStatus.QUEUED,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for original in originals
        ]
        statement = insert(table).returning(table.c.id, table.c.resent_from_id, sort_by_parameter_order=True)
        for new_id, original_id in db.session.execute(statement, rows).all():
            items.append(
                {"run_id": run.id, "original_id": original_id, "message_id": new_id, "refusal": None}
            )
        kick_after_commit(db.session)
    refused = [i for i in ids if i not in claimed]
    items += [
        {"run_id": run.id, "original_id": message_id, "message_id": None, "refusal": reason}
        for message_id, reason in refusals(refused).items()
    ]
    if items:
        db.session.execute(insert(ResendItem.__table__), items)
    run.processed += len(ids)
    run.resent += len(claimed)
    run.refused += len(refused)
    run.total = max(run.total, run.processed)


def refusals(ids: list[int]) -> dict[int, str]:
    """Why each of these letters cannot be resent."""
    if not ids:
        return {}
    found = {
        row.id: row
        for row in db.session.execute(
            select(Message.id, Message.status, Message.resent_at).where(Message.id.in_(ids))
        )
    }
    reasons = {}
    for message_id in ids:
        row = found.get(message_id)
        if row is None:
            reasons[message_id] = "письма с таким номером нет"
        elif row.resent_at is not None:
            reasons[message_id] = "уже переотправлено"
        else:
            reasons[message_id] = f"письмо не в статусе ошибки (статус {row.status})"
    return reasons


def continue_run(run_id: int) -> bool:
    """Resend the next chunk of a filter run; True while more remain. The caller commits."""
    run = db.session.execute(
        select(ResendRun)
        .where(ResendRun.id == run_id)
        .with_for_update(of=ResendRun)  # not the joined author's row (an outer join)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if run is None or run.state != "running":
        return False
    flt = FailedFilter.from_args(run.filter or {})
    ids = (
        db.session.execute(
            select(Message.id)
            .where(*flt.conditions(), Message.id > run.cursor)
            .order_by(Message.id)
            .limit(CHUNK)
        )
        .scalars()
        .all()
    )
    if not ids:
        run.state = "done"
        return False
    resend_chunk(run, ids)
    run.cursor = ids[-1]
    return True


def outcome_counts(run: ResendRun) -> dict[str, int]:
    """The resent letters of a run by their current status."""
    query = (
        select(Message.status, db.func.count())
        .join(ResendItem, ResendItem.message_id == Message.id)
        .where(ResendItem.run_id == run.id)
        .group_by(Message.status)
    )
    return dict(db.session.execute(query).all())


def run_to_dict(run: ResendRun) -> dict:
    return {
        "run_id": run.id,
        "state": run.state,
        "total": run.total,
        "processed": run.processed,
        "resent": run.resent,
        "refused": run.refused,
        "by_status": outcome_counts(run),
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by.username if run.created_by else None,
        "filter": run.filter,
    }


def item_to_dict(item: ResendItem) -> dict:
    data = {"unsend_email_id": item.original_id, "refusal": item.refusal}
    if item.message_id:
        data.update(
            new_message_id=item.message_id, status=item.message.status, last_error=item.message.last_error
        )
    return data
