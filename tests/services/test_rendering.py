"""Letters are rendered in a sandbox: template injection fails safely."""

import pytest

from portal.services.rendering import RenderError, render_letter

ATTACKS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ 'x' * 10**9 }}",
    "{{ 9 ** 999999 }}",
    "{{ request }}",
    "{{ 1 / 0 }}",
    "{% for i in range(10**7) %}{% endfor %}",
    "{{ ''.format.__globals__ }}",
    "{{ user_name.__class__ }}",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_injection_attempts_are_refused(source):
    with pytest.raises(RenderError):
        render_letter("s", source, "", {"user_name": "Иван"})


def test_values_are_escaped_in_html_but_not_in_text():
    letter = render_letter("Для {{ n }}", "<p>{{ n }}</p>", "{{ n }}", {"n": "<b>Tom & Jerry</b>"})
    assert letter.html == "<p>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</p>"
    assert letter.text == "<b>Tom & Jerry</b>" and letter.subject == "Для <b>Tom & Jerry</b>"


def test_missing_variable_is_an_error_not_a_blank():
    with pytest.raises(RenderError, match="user_name"):
        render_letter("s", "Здравствуйте, {{ user_name }}!", "", {})


def test_subject_is_one_line():
    assert render_letter("Привет,\n  {{ n }}", "x", "", {"n": "Иван"}).subject == "Привет, Иван"
