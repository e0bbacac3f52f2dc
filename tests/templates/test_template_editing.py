"""ФТ-018: templates edited with a live preview, refused when unsafe, versioned, rolled back, tested."""

import uuid

import pytest

from portal.extensions import db
from portal.models import MessageTemplate, MessageTemplateVersion, SandboxEmail
from tests.conftest import csrf_token_from, text_of, unique_email

SSTI = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ user_name.__class__.__init__.__globals__ }}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ user_name|attr('__class__') }}",
    "{{ user_name['__class__'] }}",
    "{% if false %}{{ user_name.__class__.__base__ }}{% endif %}",
    "{% include 'base.html' %}",
    "{{ request.environ }}",
    "{{ namespace.__init__ }}",
]


@pytest.fixture
def template(in_app):
    """A template of this test's own (the seeded ones belong to the flows other tests check)."""

    def make():
        row = MessageTemplate(
            code=f"t_{uuid.uuid4().hex[:10]}",
            name="Тестовое письмо",
            trigger="тест",
            subject="Привет, {{ user_name }}",
            body_html="<p>Здравствуйте, {{ user_name }}!</p>",
            body_text="Здравствуйте, {{ user_name }}!",
            variables=["user_name"],
            sample_values={"user_name": "Анна"},
        )
        db.session.add(row)
        db.session.flush()
        db.session.add(
            MessageTemplateVersion(
                template_id=row.id,
                version=1,
                subject=row.subject,
                body_html=row.body_html,
                body_text=row.body_text,
                variables=row.variables,
                sample_values=row.sample_values,
            )
        )
        db.session.commit()
        return row.id

    return in_app(make)


def edit(api, template_id, as_role="ADMIN", **changes):
    body = {
        "subject": "Привет, {{ user_name }}",
        "body_html": "<p>Здравствуйте, {{ user_name }}!</p>",
        "body_text": "Здравствуйте, {{ user_name }}!",
        "variables": ["user_name"],
        **changes,
    }
    return api.request("PUT", f"/api/v1/templates/{template_id}", json=body, as_role=as_role)


def stored(in_app, template_id):
    return in_app(
        lambda: (lambda t: (t.version, t.subject, t.body_html))(db.session.get(MessageTemplate, template_id))
    )


def test_templates_are_listed_and_a_save_is_a_new_version_with_its_author(api, template, users):
    listed = api.get("/api/v1/templates", as_role="ADMIN").json()["items"]
    assert {"registration", "event_approved"} <= {t["code"] for t in listed}
    mine = next(t for t in listed if t["template_id"] == template)
    assert mine["channel"] == "email" and mine["version"] == 1 and mine["trigger"] == "тест"

    saved = edit(api, template, subject="Спасибо, {{ user_name }}", note="теплее")
    assert saved.status_code == 200, saved.text
    assert saved.json()["saved_version"] == 2 and saved.json()["updated_by"] == users["ADMIN"]
    detail = api.get(f"/api/v1/templates/{template}", as_role="ADMIN").json()
    assert detail["subject"] == "Спасибо, {{ user_name }}" and detail["variables"] == ["user_name"]
    assert [(v["version"], v["author"], v["note"]) for v in detail["versions"]] == [
        (2, users["ADMIN"], "теплее"),
        (1, None, None),
    ]
    for role in ("USER", "MODERATOR", "PARTNER"):
        assert api.get(f"/api/v1/templates/{template}", as_role=role).status_code == 403
        assert edit(api, template, as_role=role).status_code == 403


@pytest.mark.parametrize(
    ("changes", "part", "words"),
    [
        ({"body_html": "<p>{{ user_name }} {{ amount }}</p>"}, "body_html", "«amount» не объявлена"),
        ({"subject": "Привет, {{ user_name "}, "subject", "ошибка синтаксиса"),
        ({"body_text": "{% for x in %}"}, "body_text", "ошибка синтаксиса в строке 1"),
        ({"variables": ["user name"]}, "variables", "не имя переменной"),
        ({"subject": "   "}, "subject", "тема не может быть пустой"),
        ({"body_html": "{{ 'x' * 10**9 }}"}, "preview", "недопустимое"),
    ],
)
def test_a_broken_template_is_refused_with_the_reason_and_nothing_changes(
    api, in_app, template, changes, part, words
):
    response = edit(api, template, **changes)
    assert response.status_code == 422, response.text
    body = response.json()
    assert words in " ".join(body["problems"][part]) and "tracedata" in body
    assert stored(in_app, template)[0] == 1


@pytest.mark.parametrize("source", SSTI)
def test_template_injection_is_refused_at_save_time(api, in_app, template, source):
    response = edit(api, template, body_html=f"<p>{source}</p>")
    assert response.status_code == 422, response.text
    assert stored(in_app, template) == (1, "Привет, {{ user_name }}", "<p>Здравствуйте, {{ user_name }}!</p>")


def test_a_stale_editor_cannot_undo_someone_elses_save(api, template):
    assert edit(api, template, subject="Первая правка {{ user_name }}", base_version=1).status_code == 200
    late = edit(api, template, subject="Вторая правка {{ user_name }}", base_version=1)
    assert late.status_code == 409 and "текущая версия 2" in late.json()["message"]


def test_rollback_restores_an_old_version_as_a_new_one(api, in_app, template):
    edit(api, template, subject="Новая тема {{ user_name }}")
    restored = api.post(f"/api/v1/templates/{template}/rollback", {"version": 1}, as_role="ADMIN")
    assert restored.status_code == 200 and restored.json()["saved_version"] == 3
    assert stored(in_app, template)[:2] == (3, "Привет, {{ user_name }}")
    assert (
        api.post(f"/api/v1/templates/{template}/rollback", {"version": 9}, as_role="ADMIN").status_code == 404
    )


def test_a_test_letter_goes_through_the_pipeline_with_the_example_values(api, drain, in_app, template):
    edit(api, template, subject="Проверка для {{ user_name }}")
    address = unique_email("tpl-test")
    sent = api.post(f"/api/v1/templates/{template}/test", {"email": address}, as_role="ADMIN")
    assert sent.status_code == 202, sent.text
    drain()
    subject, html = in_app(
        lambda: (lambda e: (e.subject, e.html))(SandboxEmail.query.filter_by(email=address).one())
    )
    assert subject == "Проверка для Анна" and "Здравствуйте, Анна!" in html
    state = api.get(f"/api/v1/messages/{sent.json()['message_id']}", as_role="ADMIN").json()
    assert state["status"] == "delivered" and state["kind"] == "template_test"
    bad = api.post(f"/api/v1/templates/{template}/test", {"email": "not-an-address"}, as_role="ADMIN")
    assert bad.status_code == 400 and bad.json()["field"] == "email"


def test_the_editor_previews_as_you_type_and_saves_through_the_form(auth, client, in_app, template):
    auth.login("ADMIN")
    page = client.get(f"/templates/{template}").get_data(as_text=True)
    assert "Привет, Анна" in text_of(page) and "user_name = Анна" in page
    form = {
        "csrf_token": csrf_token_from(page),
        "subject": "Итоги для {{ user_name }}",
        "body_html": "<p>{{ user_name }}, спасибо!</p>",
        "body_text": "",
        "variables": "user_name = Борис",
        "base_version": "1",
    }
    preview = client.post(f"/templates/{template}/preview", data=form, headers={"HX-Request": "true"})
    fragment = preview.get_data(as_text=True)
    assert "<html" not in fragment and "Итоги для Борис" in fragment and "Борис, спасибо!" in fragment
    unsafe = client.post(
        f"/templates/{template}/preview", data={**form, "body_html": "{{ user_name.__class__ }}"}
    ).get_data(as_text=True)
    assert "служебному атрибуту «__class__»" in unsafe and "нельзя сохранить" in text_of(unsafe)

    assert client.post(f"/templates/{template}", data={**form, "csrf_token": ""}).status_code == 400
    refused = client.post(f"/templates/{template}", data={**form, "body_html": "{{ secret }}"})
    assert refused.status_code == 422 and "«secret» не объявлена" in refused.get_data(as_text=True)
    saved = client.post(f"/templates/{template}", data=form)
    assert saved.status_code == 303 and stored(in_app, template)[:2] == (2, "Итоги для {{ user_name }}")
    page = client.get(f"/templates/{template}").get_data(as_text=True)
    assert "Сохранено как версия 2" in text_of(page)

    changes = text_of(client.get(f"/templates/{template}/compare?a=1&b=2").get_data(as_text=True))
    assert "− Привет, {{ user_name }}" in changes and "+ Итоги для {{ user_name }}" in changes
    confirm = client.get(f"/templates/{template}/rollback/1").get_data(as_text=True)
    assert "Восстановить версию 1?" in text_of(confirm)
    assert (
        client.post(
            f"/templates/{template}/rollback/1", data={"csrf_token": csrf_token_from(confirm)}
        ).status_code
        == 303
    )
    assert stored(in_app, template)[:2] == (3, "Привет, {{ user_name }}")
