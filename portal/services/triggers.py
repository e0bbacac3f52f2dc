"""Bitrix triggers of seed 000: each stores what it must and queues its letters."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from portal.models import ContactSubscription, Message
from portal.models.base import utcnow
from portal.services.contacts import queue_subscription
from portal.services.messages import (
    dispatch_after_commit,
    kick_dispatch_at,
    queue_message,
    queue_message_now,
    template_ref,
)

MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def russian_date(value: datetime) -> str:
    """23 ноября 2026"""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def day_and_month(value: datetime) -> str:
    """5 декабря"""
    return f"{value.day} {MONTHS[value.month - 1]}"


@dataclass
class TriggerResult:
    messages: list[Message] = field(default_factory=list)
    subscriptions: list[ContactSubscription] = field(default_factory=list)
    template_code: str | None = None


def register_user(
    *,
    user_email: str,
    user_name: str,
    agree_newsletter: bool,
    registration_date: datetime,
    created_by_id: int | None,
) -> TriggerResult:
    """ФТ-022: the thank-you letter, and the newsletter list if the user agreed.

    The caller commits; a lone letter (no newsletter) is already committed, as its own unit.
    """
    template = template_ref("registration")
    result = TriggerResult(template_code=template.code)
    variables = {"user_name": user_name, "registration_date": russian_date(registration_date)}
    options = {"kind": "registration", "created_by_id": created_by_id}
    if not agree_newsletter:
        result.messages.append(queue_message_now(template, user_email, variables, **options))
        return result
    result.messages.append(queue_message(template, user_email, variables, **options))
    result.subscriptions.append(
        queue_subscription(
            user_email,
            current_app.config["UNISENDER_LIST_ID"],
            "registration",
            name=user_name,
            subscribed_at=registration_date,
            created_by_id=created_by_id,
        )
    )
    dispatch_after_commit(result.messages)
    return result


def remind(
    *,
    kind: str,
    user_email: str,
    variables: dict,
    send_at: datetime | None,
    created_by_id: int | None,
) -> TriggerResult:
    """ФТ-021 / ФТ-023: one reminder letter, now or at `send_at`.

    A letter for later waits in the outbox (queued, not due) and an RQ scheduled job wakes the
    dispatcher at its time; if that job is lost, the sweeper finds the letter once it is due.
    The caller commits (a letter for now is committed already).
    """
    template = template_ref(kind)
    result = TriggerResult(template_code=template.code)
    options = {"kind": kind, "created_by_id": created_by_id}
    if send_at is None or send_at <= utcnow():
        result.messages.append(queue_message_now(template, user_email, variables, **options))
        return result
    result.messages.append(queue_message(template, user_email, variables, next_attempt_at=send_at, **options))
    kick_dispatch_at(send_at)
    return result
