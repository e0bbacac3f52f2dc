"""The hub's universal operations: POST /email/send and POST /email/subscribers."""

from flask import g, jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.api.idempotency import idempotent
from portal.extensions import db
from portal.models import Role
from portal.services.contacts import queue_subscription, subscription_to_dict
from portal.services.messages import (
    TemplateNotFound,
    dispatch_after_commit,
    message_to_dict,
    missing_variables,
    queue_messages,
    template_ref,
)

MAX_RECIPIENTS = 1000


def _recipients(data: dict) -> list[tuple[str, dict]]:
    """(email, per-recipient vars) from recipient_email or a recipients list."""
    if ("recipient_email" in data) == ("recipients" in data):
        raise ApiError(
            400, "нужно ровно одно из полей recipient_email или recipients", field="recipient_email"
        )
    if "recipient_email" in data:
        return [(v.email(data, "recipient_email"), {})]
    items = data["recipients"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_RECIPIENTS:
        raise ApiError(400, f"поле recipients: массив из 1…{MAX_RECIPIENTS} получателей", field="recipients")
    result = []
    for index, item in enumerate(items):
        name = f"recipients[{index}]"
        if isinstance(item, str):
            result.append((v.normalized_email(item, name), {}))
        elif isinstance(item, dict):
            v.reject_unknown(item, {"email", "vars"})
            address = v.string(item, "email", max_len=256)
            result.append((v.normalized_email(address, f"{name}.email"), v.string_dict(item, "vars")))
        else:
            raise ApiError(400, f"поле {name}: адрес или объект {{email, vars}}", field=name)
    return result


@bp.post("/email/send")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def email_send():
    """Queue a letter from a stored template to one or many recipients."""
    data = v.json_object()
    v.reject_unknown(data, {"template_id", "recipient_email", "recipients", "vars", "subject", "body"})
    template_id = data.get("template_id")
    if not isinstance(template_id, int | str) or isinstance(template_id, bool) or template_id == "":
        raise ApiError(400, "поле template_id: обязательное поле (id или код шаблона)", field="template_id")
    try:
        template = template_ref(template_id)
    except TemplateNotFound:
        raise ApiError(404, f"поле template_id: шаблон {template_id!r} не найден", field="template_id")
    shared = v.string_dict(data, "vars")
    subject = v.string(data, "subject", max_len=512, required=False)
    body = v.string(data, "body", max_len=500_000, required=False)
    recipients = _recipients(data)
    for index, (_, own) in enumerate(recipients):
        missing = missing_variables(template, {**shared, **own})
        if missing:
            field = "vars" if "recipient_email" in data else f"recipients[{index}].vars"
            raise ApiError(
                400, f"поле {field}: не хватает переменных шаблона: {', '.join(missing)}", field=field
            )
    messages = queue_messages(
        template,
        [(address, {**shared, **own}) for address, own in recipients],
        kind="api",
        created_by_id=g.api_user.id,
        subject_override=subject,
        body_override=body,
    )
    dispatch_after_commit(messages)
    body = {"messages": [message_to_dict(m, template_code=template.code) for m in messages]}
    db.session.commit()
    return jsonify(body), 202


@bp.post("/email/subscribers")
@token_required(Role.PARTNER, Role.ADMIN)
@idempotent
def email_subscribers():
    """Add an address to a Unisender list."""
    data = v.json_object()
    v.reject_unknown(data, {"user_email", "list_id", "source", "timestamp", "user_name"})
    list_id = data.get("list_id")
    if isinstance(list_id, int) and not isinstance(list_id, bool):
        list_id = str(list_id)
    list_id = v.string({"list_id": list_id}, "list_id", max_len=64, pattern=r"[0-9A-Za-z_\-]+")
    subscription = queue_subscription(
        v.email(data, "user_email"),
        list_id,
        v.string(data, "source", max_len=64, pattern=r"[a-z_]+"),
        name=v.string(data, "user_name", required=False),
        subscribed_at=v.timestamp(data, "timestamp", required=False),
        created_by_id=g.api_user.id,
    )
    body = subscription_to_dict(subscription)
    db.session.commit()
    return jsonify(body), 202
