from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from portal.models import Role
from portal.services import accounts, tokens

WORD = r"\A\w+\Z"
# Presets of the token form; "custom" takes the seconds typed next to it.
TTL_PRESETS = [
    SelectChoice("86400", _l("1 day")),
    SelectChoice("604800", _l("7 days")),
    SelectChoice("2592000", _l("30 days")),
    SelectChoice("7776000", _l("90 days")),
    SelectChoice("31556926", _l("1 year")),
    SelectChoice("custom", _l("Other, in seconds")),
]


def _blank_to_none(value):
    return value.strip() or None if isinstance(value, str) else value


class RoleBoxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _at_most_two(form, field):
    if len(field.data or []) > accounts.MAX_ROLES:
        raise ValidationError(_l("At most two roles."))


class AccountForm(FlaskForm):
    """The fields an administrator edits on any account."""

    roles = RoleBoxes(
        _l("Roles"),
        choices=[SelectChoice(r.value, r.value) for r in Role],
        validators=[_at_most_two],
        validate_choice=True,
    )
    specification = StringField(
        _l("Description (full name)"),
        filters=[_blank_to_none],
        validators=[Optional(), Length(2, 256, message=_l("From 2 to 256 characters."))],
    )
    email = StringField(
        _l("Email"),
        filters=[_blank_to_none],
        validators=[
            Optional(),
            Length(max=256, message=_l("From 5 to 256 characters.")),  # shorter fails the next check
            Email(message=_l("Not an email address."), check_deliverability=False),
        ],
    )
    phone = StringField(
        _l("Phone"),
        filters=[_blank_to_none],
        validators=[
            Optional(),
            Length(5, 32, message=_l("From 5 to 32 characters.")),
            Regexp(r"\A" + accounts.PHONE_PATTERN + r"\Z", message=_l("Digits, spaces, +, (, ) and - only.")),
        ],
    )
    company_key = StringField(
        _l("Company key"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(message=_l("Enter the company key.")),
            Length(3, 256, message=_l("From 3 to 256 characters.")),
            Regexp(WORD, message=_l("Letters, digits and _ only.")),
        ],
    )
    timezone = SelectField(
        _l("Time zone (for statistics)"),
        coerce=int,
        choices=[SelectChoice(h, f"UTC{h:+d}" if h else "UTC") for h in range(-12, 13)],
        default=3,
    )

    def profile(self) -> dict:
        return {
            "specification": self.specification.data,
            "email": self.email.data,
            "phone": self.phone.data,
            "company_key": self.company_key.data,
            "timezone": self.timezone.data,
        }


class CreateAccountForm(AccountForm):
    username = StringField(
        _l("Username"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(message=_l("Enter the username.")),
            Length(2, 256, message=_l("From 2 to 256 characters.")),
            Regexp(WORD, message=_l("Letters, digits and _ only.")),
        ],
    )
    password_mode = RadioField(
        _l("Password"),
        choices=[
            SelectChoice("generate", _l("Generate one (shown once)")),
            SelectChoice("typed", _l("Type it twice")),
        ],
        default="generate",
    )
    password = PasswordField(_l("Password"))
    password_repeat = PasswordField(_l("Password again"))

    def validate_password(self, field):
        if self.password_mode.data != "typed":
            return
        if not 10 <= len(field.data or "") <= 256:
            raise ValidationError(_l("From 10 to 256 characters."))

    def validate_password_repeat(self, field):
        if self.password_mode.data == "typed" and field.data != self.password.data:
            raise ValidationError(_l("The two passwords differ."))

    def chosen_password(self) -> str | None:
        return self.password.data if self.password_mode.data == "typed" else None


class TokenForm(FlaskForm):
    ttl = SelectField(_l("Valid for"), choices=TTL_PRESETS, default="2592000")
    ttl_seconds = IntegerField(
        _l("Seconds (for “Other”)"),
        validators=[
            Optional(),
            NumberRange(
                tokens.MIN_TTL,
                tokens.MAX_TTL,
                message=_l("From %(lo)s to %(hi)s seconds.", lo=tokens.MIN_TTL, hi=tokens.MAX_TTL),
            ),
        ],
    )

    def validate_ttl_seconds(self, field):
        if self.ttl.data == "custom" and field.data is None:
            raise ValidationError(_l("Enter the number of seconds."))

    def seconds(self) -> int:
        return self.ttl_seconds.data if self.ttl.data == "custom" else int(self.ttl.data)
