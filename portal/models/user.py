"""Staff users and machine clients (partners)."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    """Roles of seed 002; PARTNER is a machine client that never uses the portal."""

    ADMIN = "ADMIN"
    MODERATOR = "MODERATOR"
    USER = "USER"
    PARTNER = "PARTNER"


PORTAL_ROLES = frozenset({Role.ADMIN, Role.MODERATOR, Role.USER})


class User(UserMixin, db.Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(256), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    roles_csv: Mapped[str] = mapped_column("roles", String(64), default="")
    specification: Mapped[str | None] = mapped_column(String(256))
    email: Mapped[str | None] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(32))
    company_key: Mapped[str] = mapped_column(String(256), default="mayak")
    timezone: Mapped[int] = mapped_column(Integer, default=3)
    attributes: Mapped[list] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change: every token and session issued before stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    creation_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edit_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def roles(self) -> list[str]:
        return [r for r in self.roles_csv.split(",") if r]

    @roles.setter
    def roles(self, values) -> None:
        self.roles_csv = ",".join(sorted({Role(v).value for v in values}))

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def can_use_portal(self) -> bool:
        return self.enabled and any(r in PORTAL_ROLES for r in self.roles)

    def get_id(self) -> str:
        # The version makes Flask-Login drop sessions opened before a password change.
        return f"{self.id}:{self.token_version}"
