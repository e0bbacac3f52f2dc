"""Jinja filters for the portal: local times and status names."""

from decimal import Decimal, InvalidOperation

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.services.donations import rubles
from portal.services.message_log import local_zone
from portal.services.subscriptions import FREQUENCY_NAMES

STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Handed to provider"),
    "delivered": _l("Delivered"),
    "opened": _l("Opened"),
    "clicked": _l("Clicked"),
    "soft_bounced": _l("Soft bounce"),
    "hard_bounced": _l("Bounced"),
    "spam": _l("Marked as spam"),
    "unsubscribed": _l("Unsubscribed"),
    "failed": _l("Failed"),
    "in_progress": _l("In progress"),
    "problems": _l("Problems"),
    "pending": _l("Pending"),
    "done": _l("Done"),
    "completed": _l("Paid"),
    "awaiting_payment": _l("Awaiting first payment"),
    "activating": _l("Being created"),
    "active": _l("Active"),
    "past_due": _l("Charge failed"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Ended after failed charges"),
    "expired": _l("Expired"),
}
EVENT_STATUS_LABELS = {
    "pending_moderation": _l("Waiting for moderation"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
    "closed": _l("Closed"),
}
EVENT_ACTIONS = {
    "received": _l("received from Bitrix"),
    "updated": _l("updated by Bitrix"),
    "resubmitted": _l("sent for moderation again"),
    "notice": _l("notice from Bitrix (state kept)"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "bitrix_sent": _l("Bitrix told"),
    "bitrix_failed": _l("Bitrix refused"),
    "closed": _l("closed"),
    "donors_queued": _l("all donors' letters written"),
}
TEMPLATE_PARTS = {
    "subject": _l("Subject"),
    "body_html": _l("HTML body"),
    "body_text": _l("Text body"),
    "variables": _l("Variables"),
    "preview": _l("Rendering with the example values"),
}
KIND_LABELS = {
    "one_off": _l("One-off"),
    "first_payment": _l("Subscription, first payment"),
    "recurring": _l("Subscription charge"),
}
STATUS_TONE = {
    "queued": "wait",
    "sending": "wait",
    "sent": "info",
    "delivered": "ok",
    "opened": "ok",
    "clicked": "ok",
    "soft_bounced": "warn",
    "hard_bounced": "bad",
    "spam": "bad",
    "unsubscribed": "warn",
    "failed": "bad",
    "pending": "wait",
    "done": "ok",
    "completed": "ok",
    "awaiting_payment": "wait",
    "activating": "wait",
    "active": "ok",
    "past_due": "warn",
    "cancelled": "info",
    "rejected": "bad",
    "expired": "info",
    "pending_moderation": "wait",
    "published": "ok",
    "closed": "info",
}


def init_app(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value, fmt="%d.%m.%Y %H:%M:%S"):
        return value.astimezone(local_zone()).strftime(fmt) if value else "—"

    @app.template_filter("rubles")
    def rubles_filter(amount, currency="RUB"):
        """An amount (Decimal, or a notification's string) as «1 500 ₽»; anything else as it is."""
        try:
            return rubles(Decimal(str(amount)), currency or "RUB")
        except (InvalidOperation, ValueError):
            return amount if amount not in (None, "") else "—"

    @app.template_filter("frequency")
    def frequency(value):
        return FREQUENCY_NAMES.get(value, value)

    @app.template_filter("status_label")
    def status_label(value):
        return STATUS_LABELS.get(value, value)

    @app.template_filter("event_status")
    def event_status(value):
        return EVENT_STATUS_LABELS.get(value, value)

    @app.template_filter("event_action")
    def event_action(value):
        return EVENT_ACTIONS.get(value, value)

    @app.template_filter("kind_label")
    def kind_label(value):
        return KIND_LABELS.get(value, value)

    @app.template_filter("template_part")
    def template_part(value):
        return TEMPLATE_PARTS.get(value, value)

    @app.template_filter("status_tone")
    def status_tone(value):
        return STATUS_TONE.get(value, "info")
