"""ФТ-018 in the portal: letter templates, their live preview, versions, rollback and test letters."""

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import Message, MessageTemplate, Role
from portal.security import roles_required
from portal.services import template_editing as editing
from portal.services.messages import dispatch_after_commit
from portal.services.rendering import RenderError

bp = Blueprint("message_templates", __name__)


def _template(template_id: int) -> MessageTemplate:
    return db.get_or_404(MessageTemplate, template_id)


def _draft_from_form() -> editing.Draft:
    names, samples = editing.parse_variables(request.form.get("variables", ""))
    return editing.Draft(
        subject=request.form.get("subject", ""),
        body_html=request.form.get("body_html", ""),
        body_text=request.form.get("body_text", ""),
        variables=names,
        sample_values=samples,
    )


@bp.get("/")
@roles_required(Role.ADMIN)
def template_list():
    templates = db.session.execute(db.select(MessageTemplate).order_by(MessageTemplate.name)).scalars().all()
    return render_template("message_templates/list.html", templates=templates)


@bp.get("/<int:template_id>")
@roles_required(Role.ADMIN)
def edit(template_id: int):
    template = _template(template_id)
    draft = editing.Draft.of(template)
    return _editor(template, draft, base_version=template.version)


def _editor(template, draft, base_version, problems=None, status=200):
    try:
        letter, preview_error = editing.preview(draft), None
    except RenderError as exc:
        letter, preview_error = None, str(exc)
    body = render_template(
        "message_templates/edit.html",
        template=template,
        draft=draft,
        variables_text=editing.variables_text(draft),
        base_version=base_version,
        problems=problems or {},
        letter=letter,
        preview_error=preview_error,
        versions=editing.versions_of(template),
        tests=_recent_tests(template),
    )
    return body, status


def _recent_tests(template) -> list[Message]:
    query = (
        db.select(Message)
        .filter_by(reference=f"template:{template.id}", kind=editing.TEST_KIND)
        .order_by(Message.id.desc())
        .limit(5)
    )
    return list(db.session.execute(query).scalars())


@bp.post("/<int:template_id>")
@roles_required(Role.ADMIN)
def save(template_id: int):
    template = _template(template_id)
    draft = _draft_from_form()
    base_version = request.form.get("base_version", type=int)
    try:
        version = editing.save_version(
            template, draft, current_user.id, base_version, note=request.form.get("note", "").strip()
        )
    except editing.TemplateRefused as exc:
        db.session.rollback()
        return _editor(template, draft, base_version, problems=exc.problems, status=422)
    except editing.VersionConflict as exc:
        db.session.rollback()
        who = exc.current.updated_by.username if exc.current.updated_by else "—"
        problems = {
            "conflict": [
                _(
                    "%(who)s saved version %(v)s while you were editing. Your text is still here: "
                    "compare it with theirs, then save again.",
                    who=who,
                    v=exc.current.version,
                )
            ]
        }
        return _editor(template, draft, exc.current.version, problems=problems, status=409)
    db.session.commit()
    flash(_("Saved as version %(v)s. New letters use it.", v=version.version), "success")
    return redirect_after_post(url_for("message_templates.edit", template_id=template.id))


@bp.post("/<int:template_id>/preview")
@roles_required(Role.ADMIN)
def preview(template_id: int):
    """The live preview: the form as typed, rendered with the example values; nothing saved."""
    template = _template(template_id)
    draft = _draft_from_form()
    letter, problems = editing.checked(draft)
    return render_template(
        "message_templates/_preview.html", template=template, letter=letter, problems=problems
    )


@bp.get("/<int:template_id>/compare")
@roles_required(Role.ADMIN)
def compare(template_id: int):
    template = _template(template_id)
    newer = request.args.get("b", template.version, type=int)
    older = request.args.get("a", max(newer - 1, 1), type=int)
    try:
        old, new = editing.find_version(template, older), editing.find_version(template, newer)
    except LookupError:
        abort(404)
    return render_template(
        "message_templates/compare.html",
        template=template,
        old=old,
        new=new,
        changes=editing.compare(editing.Draft.of(old), editing.Draft.of(new)),
        versions=editing.versions_of(template),
    )


@bp.route("/<int:template_id>/rollback/<int:version>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rollback(template_id: int, version: int):
    template = _template(template_id)
    try:
        old = editing.find_version(template, version)
    except LookupError:
        abort(404)
    if request.method == "GET":
        changes = editing.compare(editing.Draft.of(template), editing.Draft.of(old))
        return render_template("message_templates/rollback.html", template=template, old=old, changes=changes)
    try:
        saved = editing.roll_back(template, version, current_user.id)
    except editing.TemplateRefused as exc:
        db.session.rollback()
        flash(_("Version %(v)s cannot be restored: %(why)s", v=version, why=str(exc)), "error")
        return redirect_after_post(url_for("message_templates.edit", template_id=template.id))
    except editing.VersionConflict:
        db.session.rollback()
        flash(_("Someone saved the template meanwhile; look at it again."), "error")
        return redirect_after_post(url_for("message_templates.edit", template_id=template.id))
    db.session.commit()
    flash(_("Version %(old)s restored as version %(new)s.", old=version, new=saved.version), "success")
    return redirect_after_post(url_for("message_templates.edit", template_id=template.id))


@bp.post("/<int:template_id>/test")
@roles_required(Role.ADMIN)
def send_test(template_id: int):
    template = _template(template_id)
    try:
        address = validate_email(
            request.form.get("address", "").strip(), check_deliverability=False
        ).normalized
    except EmailNotValidError:
        flash(_("Enter a valid email address for the test letter."), "error")
        return redirect_after_post(url_for("message_templates.edit", template_id=template.id) + "#test")
    message = editing.send_test(template, address, current_user.id)
    dispatch_after_commit([message])
    db.session.commit()
    flash(
        _("Test letter #%(id)s queued to %(address)s; its status is below.", id=message.id, address=address),
        "success",
    )
    return redirect_after_post(url_for("message_templates.edit", template_id=template.id) + "#test")
