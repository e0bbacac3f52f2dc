"""Letters rendered from admin-edited templates in a sandboxed Jinja environment."""

import operator
import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

MAX_TEMPLATE_CHARS = 200_000
MAX_OUTPUT_CHARS = 1_000_000
MAX_POWER = 100


class RenderError(Exception):
    """The template or its variables cannot produce a letter."""


class _LetterEnvironment(ImmutableSandboxedEnvironment):
    # Multiplication and powers are the cheap ways to make a huge string or number.
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**" and (not isinstance(right, int) or abs(right) > MAX_POWER):
            raise SecurityError("power too large")
        if operator_name == "*":
            for side, other in ((left, right), (right, left)):
                if isinstance(side, str | list | tuple) and isinstance(other, int):
                    if len(side) * abs(other) > MAX_OUTPUT_CHARS:
                        raise SecurityError("result too large")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)


_html_env = _LetterEnvironment(autoescape=True, undefined=StrictUndefined)
_text_env = _LetterEnvironment(autoescape=False, undefined=StrictUndefined)
_ENVIRONMENTS = {"html": _html_env, "text": _text_env}
for _env in _ENVIRONMENTS.values():
    # A letter needs its variables and range(); cycler, joiner, lipsum, namespace and dict are
    # the usual first step of a template-injection chain.
    _env.globals = {"range": _env.globals["range"]}
ALLOWED_GLOBALS = frozenset({"range"})
# UnisenderGo's "simple" engine: {{name}}, a name of Latin letters, digits, _ and -.
PLACEHOLDER = re.compile(r"\{\{([A-Za-z][A-Za-z0-9_-]*)\}\}")


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=512)
def _compiled(kind: str, source: str):
    return _ENVIRONMENTS[kind].from_string(source)


def _render(kind: str, source: str, variables: dict) -> str:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise RenderError("шаблон слишком большой")
    try:
        output = _compiled(kind, source).render(**variables)
    except SecurityError as exc:
        raise RenderError(f"шаблон делает недопустимое: {exc}") from exc
    except TemplateError as exc:
        raise RenderError(f"ошибка в шаблоне: {exc}") from exc
    except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
        # e.g. range() over the sandbox's limit, 1/0, an int() of a word
        raise RenderError(f"шаблон не удалось вычислить: {exc}") from exc
    if len(output) > MAX_OUTPUT_CHARS:
        raise RenderError("письмо получилось слишком большим")
    return output


def source_problems(kind: str, source: str, declared: set[str]) -> list[str]:
    """Why a template must not be saved (empty when it may): syntax, undeclared names, unsafe parts.

    Checked on the source, so a forbidden construct is refused even inside a branch that the
    sample values never take; rendering stays sandboxed anyway.
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        return [f"шаблон длиннее {MAX_TEMPLATE_CHARS} символов"]
    try:
        tree = _ENVIRONMENTS[kind].parse(source)
    except TemplateSyntaxError as exc:
        return [f"ошибка синтаксиса в строке {exc.lineno}: {exc.message}"]
    problems = [_unsafe_node(node) for node in tree.find_all(nodes.Node)]
    problems = list(dict.fromkeys(p for p in problems if p))
    undeclared = meta.find_undeclared_variables(tree) - declared - ALLOWED_GLOBALS
    problems += [f"переменная «{name}» не объявлена" for name in sorted(undeclared)]
    return problems


def _unsafe_node(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return f"обращение к служебному атрибуту «{node.attr}» запрещено"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        if isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            return f"обращение к служебному атрибуту «{node.arg.value}» запрещено"
    if isinstance(node, nodes.Filter) and node.name == "attr":
        return "фильтр attr запрещён"
    if isinstance(node, nodes.Name) and node.name == "self":
        return "обращение к self запрещено"
    if isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
        return "письмо не может подключать другие шаблоны (extends, include, import)"
    return None


def render_letter(subject: str, html: str, text: str, variables: dict) -> RenderedLetter:
    """Render the three parts of a letter; variables must be plain values."""
    return RenderedLetter(
        subject=" ".join(_render("text", subject, variables).split()),
        html=_render("html", html, variables),
        text=_render("text", text, variables) if text else "",
    )


def substitute(text: str, substitutions: dict[str, str]) -> str:
    """What the provider does with a letter and one recipient's substitutions: one pass."""
    return PLACEHOLDER.sub(lambda m: substitutions.get(m.group(1), m.group(0)), text)


def shared_letter(
    subject: str, html: str, text: str, variables: dict, letter: RenderedLetter
) -> tuple[RenderedLetter, dict[str, str]] | None:
    """The letter with provider placeholders for the variables, and this recipient's values.

    Many recipients then share one provider call. It is used only when substituting the
    values gives back exactly `letter` (the fully rendered, escaped one): a template that
    branches on or transforms a variable, or a value that itself looks like a placeholder,
    gets None and is sent alone.
    """
    names = [k for k in variables if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k)]
    if len(names) != len(variables) or any("{{" in str(v) for v in variables.values()):
        return None
    plain = {k: "{{v_" + k + "}}" for k in names}
    try:
        skeleton = RenderedLetter(
            subject=" ".join(_render("text", subject, plain).split()),
            html=_render("html", html, {k: Markup("{{h_" + k + "}}") for k in names}),
            text=_render("text", text, plain) if text else "",
        )
    except RenderError:
        return None
    substitutions = {}
    for name, value in variables.items():
        substitutions[f"v_{name}"] = str(value)
        substitutions[f"h_{name}"] = str(escape(value))
    rebuilt = RenderedLetter(
        subject=substitute(skeleton.subject, substitutions),
        html=substitute(skeleton.html, substitutions),
        text=substitute(skeleton.text, substitutions),
    )
    if rebuilt != letter:
        return None
    used = "".join((skeleton.subject, skeleton.html, skeleton.text))
    return skeleton, {k: v for k, v in substitutions.items() if "{{" + k + "}}" in used}
