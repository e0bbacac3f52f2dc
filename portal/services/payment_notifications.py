"""CloudPayments notifications: stored once on arrival, then applied by a worker.

The webhook's only write is the notification itself (INSERT … ON CONFLICT DO NOTHING on its
dedupe key), so CloudPayments gets its {"code": 0} at once and a repeat, however concurrent,
stores nothing. A worker then applies the stored notifications, oldest first and each once, to a
donation or a subscription (a savepoint each, a transaction per batch), and records what it did.
"""

import logging
from datetime import UTC

from psycopg.types.json import Json
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from portal.database import execute_autocommitted, insert_ignoring_conflicts, transaction_open
from portal.extensions import db
from portal.models import PaymentNotification
from portal.models.base import utcnow
from portal.queueing import kick_after_commit, kick_soon
from portal.services import donations, subscriptions

log = logging.getLogger("mayak.payments")


def dedupe_key(kind: str, fields: dict) -> str:
    if kind == "recurrent":
        parts = ("Id", "Status", "SuccessfulTransactionsNumber", "FailedTransactionsNumber")
        return "recurrent:" + ":".join(str(fields.get(p, "")) for p in parts)
    return f"{kind}:{fields['TransactionId']}"


_COLUMNS = ("kind", "dedupe_key", "transaction_id", "invoice_id", "subscription_id", "payload", "received_at")
_INSERT = (
    f"INSERT INTO payment_notification ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
)


def receive(kind: str, fields: dict) -> bool:
    """Store a verified notification (committed) and wake the worker; False for a repeat."""
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key(kind, fields),
        "transaction_id": fields.get("TransactionId"),
        "invoice_id": fields.get("InvoiceId") or None,
        "subscription_id": str(fields.get("SubscriptionId") or fields.get("Id") or "") or None,
        "payload": fields,
        "received_at": utcnow(),
    }
    if db.engine.dialect.name == "postgresql" and not transaction_open():
        row = [values[name] for name in _COLUMNS]
        row[_COLUMNS.index("payload")] = Json(fields)
        row[_COLUMNS.index("received_at")] = values["received_at"].astimezone(UTC).replace(tzinfo=None)
        new = execute_autocommitted(_INSERT, row) is not None
        if new:
            kick_soon("payments")
        return new
    statement = insert_ignoring_conflicts(PaymentNotification, values).returning(
        PaymentNotification.__table__.c.id
    )
    new = db.session.execute(statement).first() is not None
    if new:
        kick_after_commit(db.session, "payments")
    db.session.commit()
    return new


def apply_batch(limit: int = 100) -> int:
    """Apply up to `limit` notifications not applied yet, oldest first, in the caller's transaction.

    The rows are locked (SKIP LOCKED: workers take different ones) until the caller commits;
    each is applied in a savepoint. A bug in a handler is recorded as that notification's
    outcome instead of blocking every later one; a database error rolls the batch back.
    """
    batch = db.session.execute(
        db.select(PaymentNotification)
        .where(PaymentNotification.applied_at.is_(None))
        .order_by(PaymentNotification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars()
    applied = 0
    for notification in batch:
        handler = {"pay": _pay, "fail": _fail, "recurrent": subscriptions.apply_recurrent}[notification.kind]
        try:
            with db.session.begin_nested():
                outcome = handler(dict(notification.payload))
        except (DataError, IntegrityError) as exc:  # this notification's data: its savepoint is undone
            log.error(
                "CloudPayments %s notification %s refused by the database: %s",
                notification.kind,
                notification.id,
                exc,
            )
            outcome = f"ошибка данных: {exc.orig.__class__.__name__ if exc.orig else exc}"
        except SQLAlchemyError:
            raise  # the database itself is the problem: leave the batch for the next try
        except Exception as exc:
            log.exception(
                "CloudPayments %s notification %s could not be applied", notification.kind, notification.id
            )
            outcome = f"ошибка обработки: {exc.__class__.__name__}: {exc}"
        notification.outcome = outcome[:256]
        notification.applied_at = utcnow()
        applied += 1
    return applied


def _pay(fields: dict) -> str:
    if fields.get("SubscriptionId"):  # a charge CloudPayments made for a subscription
        return subscriptions.charge_succeeded(fields)
    return donations.apply_pay(fields, on_first_payment=subscriptions.first_payment_made)


def _fail(fields: dict) -> str:
    if fields.get("SubscriptionId"):
        return subscriptions.charge_failed(fields)
    return donations.apply_fail(fields)
