"""Every model, re-exported so Alembic and the app see one metadata."""

from portal.models.api_request_key import ApiRequestKey
from portal.models.audit import AuditAction, Quota, UsageDay
from portal.models.batch import DeliveryBatch
from portal.models.contact import ContactSubscription
from portal.models.donation import (
    Donation,
    DonationKind,
    DonationStatus,
    PaymentNotification,
    RecurringSubscription,
    SubscriptionStatus,
)
from portal.models.event import Event, EventHistory, EventStatus, SandboxBitrixCall
from portal.models.message import Message, MessageEvent, MessageStatus
from portal.models.message_template import MessageTemplate
from portal.models.sandbox import (
    SandboxEmail,
    SandboxPaymentOrder,
    SandboxPaymentTransaction,
    SandboxRequest,
    SandboxSubscriber,
    SandboxSubscription,
)
from portal.models.user import Role, User

__all__ = [
    "ApiRequestKey",
    "AuditAction",
    "ContactSubscription",
    "DeliveryBatch",
    "Donation",
    "DonationKind",
    "DonationStatus",
    "Event",
    "EventHistory",
    "EventStatus",
    "Message",
    "MessageEvent",
    "MessageStatus",
    "MessageTemplate",
    "PaymentNotification",
    "Quota",
    "RecurringSubscription",
    "Role",
    "SandboxBitrixCall",
    "SandboxEmail",
    "SandboxPaymentOrder",
    "SandboxPaymentTransaction",
    "SandboxRequest",
    "SandboxSubscriber",
    "SandboxSubscription",
    "SubscriptionStatus",
    "UsageDay",
    "User",
]
