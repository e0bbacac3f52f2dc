"""ФТ-018: admins edit letter templates; every save is a version, any version can come back."""

import difflib
import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import update

from portal.extensions import db
from portal.models import MessageTemplate, MessageTemplateVersion
from portal.models.base import utcnow
from portal.services.messages import queue_message, template_ref
from portal.services.process_cache import forget
from portal.services.rendering import RenderedLetter, RenderError, render_letter, source_problems

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_VARIABLES = 50
MAX_SUBJECT = 512
MAX_SAMPLE = 2000
TEST_KIND = "template_test"


@dataclass
class Draft:
    """A template as the editor holds it: what a save would store."""

    subject: str
    body_html: str
    body_text: str
    variables: list[str]
    sample_values: dict = field(default_factory=dict)

    @classmethod
    def of(cls, source: MessageTemplate | MessageTemplateVersion) -> "Draft":
        return cls(
            source.subject,
            source.body_html,
            source.body_text or "",
            list(source.variables),
            dict(source.sample_values or {}),
        )

    def samples(self) -> dict:
        """A value for every declared variable: the example given, else «name»."""
        return {name: self.sample_values.get(name, f"«{name}»") for name in self.variables}


class TemplateRefused(ValueError):
    """The draft cannot be saved; `problems` maps a part of the template to what is wrong."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__("; ".join(f"{part}: {', '.join(p)}" for part, p in problems.items()))
        self.problems = problems


class VersionConflict(Exception):
    """Someone saved the template after the editor opened it."""

    def __init__(self, current: MessageTemplate):
        super().__init__(current.version)
        self.current = current


def parse_variables(text: str) -> tuple[list[str], dict]:
    """The editor's "name = example" lines as declared names and their example values."""
    names, samples = [], {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, has_sample, sample = line.partition("=")
        name = name.strip()
        names.append(name)
        if has_sample and sample.strip():
            samples[name] = _sample_value(sample.strip())
    return names, samples


def _sample_value(text: str):
    """Whole numbers and true/false as such, so a template may count or branch on them."""
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def variables_text(draft: Draft) -> str:
    def shown(value) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    return "\n".join(
        f"{name} = {shown(draft.sample_values[name])}" if name in draft.sample_values else name
        for name in draft.variables
    )


def problems_of(draft: Draft) -> dict[str, list[str]]:
    """Everything that stops the draft from being saved, by part; empty when it may be saved."""
    return checked(draft)[1]


def checked(draft: Draft) -> tuple[RenderedLetter | None, dict[str, list[str]]]:
    """The draft's letter with its example values (None if it cannot be made), and its problems."""
    problems: dict[str, list[str]] = {}
    variable_problems = []
    for name in draft.variables:
        if not VARIABLE_NAME.fullmatch(name):
            variable_problems.append(f"«{name}» — не имя переменной (латиница, цифры, _)")
    if len(set(draft.variables)) != len(draft.variables):
        variable_problems.append("переменная объявлена дважды")
    if len(draft.variables) > MAX_VARIABLES:
        variable_problems.append(f"не больше {MAX_VARIABLES} переменных")
    if any(len(str(v)) > MAX_SAMPLE for v in draft.sample_values.values()):
        variable_problems.append(f"пример значения длиннее {MAX_SAMPLE} символов")
    if variable_problems:
        problems["variables"] = variable_problems
    if not draft.subject.strip():
        problems["subject"] = ["тема не может быть пустой"]
    elif len(draft.subject) > MAX_SUBJECT:
        problems["subject"] = [f"тема длиннее {MAX_SUBJECT} символов"]
    if not draft.body_html.strip():
        problems["body_html"] = ["HTML-версия письма не может быть пустой"]
    declared = set(draft.variables)
    for part, kind in (("subject", "text"), ("body_html", "html"), ("body_text", "text")):
        if part not in problems:
            found = source_problems(kind, getattr(draft, part), declared)
            if found:
                problems[part] = found
    letter = None
    if not problems:
        try:
            letter = preview(draft)
        except RenderError as exc:
            problems["preview"] = [str(exc)]
    return letter, problems


def preview(draft: Draft) -> RenderedLetter:
    """The letter the draft makes with its example values (rendered in the sandbox)."""
    return render_letter(draft.subject, draft.body_html, draft.body_text, draft.samples())


def save_version(
    template: MessageTemplate, draft: Draft, author_id: int | None, base_version: int | None, note: str = ""
) -> MessageTemplateVersion:
    """Store the draft as the template's next version; the caller commits.

    `base_version` is the version the editor started from: if someone saved since, the
    save is refused instead of silently undoing their change.
    """
    problems = problems_of(draft)
    if problems:
        raise TemplateRefused(problems)
    expected = template.version if base_version is None else base_version
    now = utcnow()
    content = asdict(draft)
    claimed = db.session.execute(
        update(MessageTemplate)
        .where(MessageTemplate.id == template.id, MessageTemplate.version == expected)
        .values(version=expected + 1, updated_by_id=author_id, updated_at=now, **content)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.refresh(template)
        raise VersionConflict(template)
    version = MessageTemplateVersion(
        template_id=template.id,
        version=expected + 1,
        note=note[:256] or None,
        author_id=author_id,
        created_at=now,
        **content,
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(template)
    # This process queues with the new declared variables at once; others within
    # TEMPLATE_CACHE_SECONDS. Letters are always rendered from the saved template.
    forget("templates", lambda key: key in (template.id, str(template.id), template.code))
    return version


def roll_back(
    template: MessageTemplate, version_number: int, author_id: int | None
) -> MessageTemplateVersion:
    """A new version with the content of an old one (history is never rewritten)."""
    old = find_version(template, version_number)
    return save_version(
        template, Draft.of(old), author_id, template.version, note=f"откат к версии {version_number}"
    )


def find_version(template: MessageTemplate, version_number: int) -> MessageTemplateVersion:
    version = db.session.execute(
        db.select(MessageTemplateVersion).filter_by(template_id=template.id, version=version_number)
    ).scalar_one_or_none()
    if version is None:
        raise LookupError(version_number)
    return version


def versions_of(template: MessageTemplate) -> list[MessageTemplateVersion]:
    query = (
        db.select(MessageTemplateVersion)
        .filter_by(template_id=template.id)
        .order_by(MessageTemplateVersion.version.desc())
    )
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    text: str


def compare(old: Draft, new: Draft) -> dict[str, list[DiffLine]]:
    """What changed between two versions, part by part (parts that did not change are left out)."""
    parts = {
        "subject": (old.subject, new.subject),
        "body_html": (old.body_html, new.body_html),
        "body_text": (old.body_text, new.body_text),
        "variables": (variables_text(old), variables_text(new)),
    }
    result = {}
    for part, (before, after) in parts.items():
        if before == after:
            continue
        lines = []
        diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2)
        for line in list(diff)[2:]:
            if line.startswith("@@"):
                lines.append(DiffLine("gap", "…"))
            elif line.startswith("+"):
                lines.append(DiffLine("added", line[1:]))
            elif line.startswith("-"):
                lines.append(DiffLine("removed", line[1:]))
            else:
                lines.append(DiffLine("same", line[1:]))
        result[part] = lines
    return result


def send_test(template: MessageTemplate, address: str, author_id: int | None):
    """Queue the saved template, filled with its example values, to `address`; the caller commits.

    It goes through the normal pipeline (outbox, worker, provider) and so shows in the
    message log like any letter.
    """
    return queue_message(
        template_ref(template.id),
        address,
        Draft.of(template).samples(),
        kind=TEST_KIND,
        created_by_id=author_id,
        reference=f"template:{template.id}",
    )


def template_to_dict(template: MessageTemplate, with_body: bool = False) -> dict:
    data = {
        "template_id": template.id,
        "code": template.code,
        "name": template.name,
        "trigger": template.trigger,
        "channel": template.channel,
        "version": template.version,
        "updated_at": template.updated_at.isoformat(),
        "updated_by": template.updated_by.username if template.updated_by else None,
    }
    if with_body:
        data.update(
            subject=template.subject,
            body_html=template.body_html,
            body_text=template.body_text,
            variables=list(template.variables),
            sample_values=dict(template.sample_values or {}),
        )
    return data


def version_to_dict(version: MessageTemplateVersion) -> dict:
    return {
        "version": version.version,
        "author": version.author.username if version.author else None,
        "created_at": version.created_at.isoformat(),
        "note": version.note,
    }
