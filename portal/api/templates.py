"""ФТ-018 as JSON: letter templates, their versions, rollback and a test letter (ADMIN)."""

from flask import g, jsonify

from portal.api import bp
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import MessageTemplate, Role
from portal.services import template_editing as editing
from portal.services.messages import TemplateNotFound, dispatch_after_commit, find_template

EDITABLE = {"subject", "body_html", "body_text", "variables", "sample_values", "base_version", "note"}


def _template(template_id: str) -> MessageTemplate:
    try:
        return find_template(template_id)
    except TemplateNotFound:
        raise ApiError(404, f"шаблон {template_id} не найден") from None


@bp.get("/templates")
@token_required(Role.ADMIN)
def templates_list():
    templates = db.session.execute(db.select(MessageTemplate).order_by(MessageTemplate.id)).scalars()
    return jsonify({"items": [editing.template_to_dict(t) for t in templates]})


@bp.get("/templates/<template_id>")
@token_required(Role.ADMIN)
def templates_get(template_id: str):
    template = _template(template_id)
    body = editing.template_to_dict(template, with_body=True)
    body["versions"] = [editing.version_to_dict(version) for version in editing.versions_of(template)]
    return jsonify(body)


@bp.put("/templates/<template_id>")
@token_required(Role.ADMIN)
def templates_update(template_id: str):
    """Save a new version: subject, body_html, variables (required), body_text, sample_values.

    The body is checked before the template is looked up: a malformed request is a 400 whatever
    the id (as the events' decisions do)."""
    data = v.json_object()
    v.reject_unknown(data, EDITABLE)
    variables = data.get("variables")
    if not isinstance(variables, list) or not all(isinstance(name, str) for name in variables):
        raise ApiError(400, "поле variables: список имён переменных", field="variables")
    samples = data.get("sample_values", {})
    if not isinstance(samples, dict) or not all(
        isinstance(value, str | int | float | bool) for value in samples.values()
    ):
        raise ApiError(400, "поле sample_values: объект имя → простое значение", field="sample_values")
    subject = v.string(data, "subject", max_len=editing.MAX_SUBJECT)
    body_html = v.string(data, "body_html", max_len=200_000)
    body_text = v.string(data, "body_text", min_len=0, max_len=200_000, required=False, nullable=True)
    base_version = None
    if data.get("base_version") is not None:
        base_version = v.integer(data, "base_version", lo=1, hi=1_000_000)
    note = v.string(data, "note", max_len=256, required=False, nullable=True) or ""
    template = _template(template_id)
    if "sample_values" not in data:
        samples = template.sample_values or {}
    draft = editing.Draft(
        subject=subject,
        body_html=body_html,
        body_text=body_text or "",
        variables=variables,
        sample_values={k: val for k, val in samples.items() if k in variables},
    )
    try:
        version = editing.save_version(template, draft, g.api_user.id, base_version, note=note)
    except editing.TemplateRefused as exc:
        raise ApiError(422, f"шаблон не сохранён: {exc}", details={"problems": exc.problems}) from None
    except editing.VersionConflict as exc:
        raise ApiError(409, f"шаблон уже изменён: текущая версия {exc.current.version}") from None
    db.session.commit()
    return jsonify({**editing.template_to_dict(template, with_body=True), "saved_version": version.version})


@bp.post("/templates/<template_id>/rollback")
@token_required(Role.ADMIN)
def templates_rollback(template_id: str):
    data = v.json_object()
    v.reject_unknown(data, {"version"})
    number = v.integer(data, "version", lo=1, hi=1_000_000)
    template = _template(template_id)
    try:
        version = editing.roll_back(template, number, g.api_user.id)
    except LookupError:
        raise ApiError(404, f"версии {number} у шаблона нет", field="version") from None
    except editing.TemplateRefused as exc:
        raise ApiError(422, f"версию {number} нельзя восстановить: {exc}", field="version") from None
    except editing.VersionConflict as exc:
        raise ApiError(409, f"шаблон уже изменён: текущая версия {exc.current.version}") from None
    db.session.commit()
    return jsonify({**editing.template_to_dict(template, with_body=True), "saved_version": version.version})


@bp.post("/templates/<template_id>/test")
@token_required(Role.ADMIN)
def templates_test(template_id: str):
    """Send the saved template, filled with its example values, to `email`."""
    data = v.json_object()
    v.reject_unknown(data, {"email"})
    address = v.email(data, "email")
    template = _template(template_id)
    message = editing.send_test(template, address, g.api_user.id)
    dispatch_after_commit([message])
    db.session.commit()
    return jsonify({"message_id": message.id, "recipient": address, "status": message.status}), 202
