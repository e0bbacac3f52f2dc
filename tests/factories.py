"""Small builders of test data."""

from portal.extensions import db
from portal.models import Message, MessageEvent, MessageTemplate
from tests.conftest import unique_email


def make_message(in_app, *, status: str = "sent", recipient: str | None = None) -> int:
    """A registration letter already handed to the provider; returns its id."""

    def build():
        template = db.session.execute(db.select(MessageTemplate).filter_by(code="registration")).scalar_one()
        message = Message(
            kind="registration",
            template=template,
            recipient=recipient or unique_email("factory"),
            variables={"user_name": "Тест", "registration_date": "1 января 2026"},
            status=status,
        )
        db.session.add(message)
        db.session.flush()
        db.session.add(MessageEvent(message_id=message.id, status=status))
        db.session.commit()
        return message.id

    return in_app(build)
