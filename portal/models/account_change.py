"""What an administrator changed on an account, who and when: the account's own history."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class AccountChange(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))  # created, edited, roles, disabled, enabled, …
    # A name, not a key: the history outlives a renamed or removed administrator.
    actor: Mapped[str | None] = mapped_column(String(256))
    detail: Mapped[str | None] = mapped_column(Text)  # never a password or a token
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
