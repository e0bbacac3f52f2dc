"""Letters rendered from admin-edited templates in a sandboxed Jinja environment."""

import operator
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

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


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    html: str
    text: str


def _render(env, source: str, variables: dict) -> str:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise RenderError("шаблон слишком большой")
    try:
        output = env.from_string(source).render(**variables)
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


def render_letter(subject: str, html: str, text: str, variables: dict) -> RenderedLetter:
    """Render the three parts of a letter; variables must be plain values."""
    return RenderedLetter(
        subject=" ".join(_render(_text_env, subject, variables).split()),
        html=_render(_html_env, html, variables),
        text=_render(_text_env, text, variables) if text else "",
    )
