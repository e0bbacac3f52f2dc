"""Reading a message with its history: partners see the messages their calls created."""

from flask import g, jsonify

from portal.api import bp
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import Message, Role
from portal.services.messages import message_to_dict


@bp.get("/messages/<int:message_id>")
@token_required(Role.PARTNER, Role.ADMIN, Role.USER)
def message_get(message_id: int):
    message = db.session.get(Message, message_id)
    visible = message is not None and (
        g.api_user.has_role(Role.ADMIN, Role.USER) or message.created_by_id == g.api_user.id
    )
    if not visible:
        raise ApiError(404, f"сообщение {message_id} не найдено")
    return jsonify(message_to_dict(message, with_history=True))
