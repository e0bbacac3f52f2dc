"""Every model, re-exported so Alembic and the app see one metadata."""

from portal.models.account_change import AccountChange
from portal.models.alert import Alert, Severity
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
from portal.models.log_entry import LogEntry
from portal.models.message import Message, MessageEvent, MessageStatus
from portal.models.message_template import MessageTemplate, MessageTemplateVersion
from portal.models.resend import ResendItem, ResendRun
from portal.models.sandbox import (
    SandboxEmail,
    SandboxPaymentOrder,
    SandboxPaymentTransaction,
    SandboxRequest,
    SandboxSubscriber,
    SandboxSubscription,
)
from portal.models.statistics import (
    StatisticsDay,
    StatisticsDonationDay,
    StatisticsMessageDay,
    StatisticsRollup,
)
from portal.models.user import Role, User

__all__ = [
    "AccountChange",
    "Alert",
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
    "LogEntry",
    "Message",
    "MessageEvent",
    "MessageStatus",
    "MessageTemplate",
    "MessageTemplateVersion",
    "PaymentNotification",
    "Quota",
    "RecurringSubscription",
    "ResendItem",
    "ResendRun",
    "Role",
    "SandboxBitrixCall",
    "SandboxEmail",
    "SandboxPaymentOrder",
    "SandboxPaymentTransaction",
    "SandboxRequest",
    "SandboxSubscriber",
    "SandboxSubscription",
    "Severity",
    "StatisticsDay",
    "StatisticsDonationDay",
    "StatisticsMessageDay",
    "StatisticsRollup",
    "SubscriptionStatus",
    "UsageDay",
    "User",
]
