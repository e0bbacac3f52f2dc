"""What the document says about a request is what the API enforces: a field it calls required is
refused when missing, an unknown field is refused, a string over its maxLength is refused, and
the documented example itself passes validation. Real answers match the documented schemas."""

import copy
import re

import pytest
import requests
from openapi_schema_validator import OAS31Validator

from portal.api_docs.document import openapi_document
from tests.api_docs.test_openapi_document import documented_operations

# Path values that name nothing: a request that passes validation ends in a 404 and changes nothing.
SIDE_EFFECT_FREE_PATH_VALUES = {
    "event_id": "no-such-event",
    "identifier": "sub-none",
    "message_id": "999999",
    "template_id": "999999",
    "username": "no_such_user",
    "run_id": "999999",
}


def schema_validator(schema: dict) -> OAS31Validator:
    return OAS31Validator({**schema, "components": openapi_document()["components"]})


def resolved(schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi_document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def json_body_cases():
    """(path, method, operation, body schema, example) for each /api/v1 JSON object body with an
    example (webhooks have their providers' envelopes and are checked by signature first)."""
    for (path, method), operation in sorted(documented_operations().items()):
        if not path.startswith("/api/v1/"):
            continue
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content or not isinstance(content.get("example"), dict):
            continue
        schema = content["schema"]
        if "discriminator" in schema:  # a discriminated body: the branch the example is
            schema = next(
                s for s in schema["oneOf"] if s["properties"]["kind"]["const"] == content["example"]["kind"]
            )
        yield pytest.param(path, method, operation, schema, content["example"], id=f"{method} {path}")


def call(base_url, tokens, path, method, operation, body):
    roles = operation["x-roles"]
    headers = {}
    if roles:
        role = "PARTNER" if roles == ["ANY"] or "PARTNER" in roles else roles[0]
        headers["Authorization"] = f"Bearer {tokens[role]}"
    for name, value in SIDE_EFFECT_FREE_PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"give the path parameter of {path} a value in SIDE_EFFECT_FREE_PATH_VALUES"
    return requests.request(method, base_url + path, json=body, headers=headers, timeout=10)


@pytest.mark.parametrize(("path", "method", "operation", "schema", "example"), list(json_body_cases()))
def test_the_example_matches_its_own_schema(path, method, operation, schema, example):
    errors = [e.message for e in schema_validator(schema).iter_errors(example)]
    assert errors == []


@pytest.mark.parametrize(("path", "method", "operation", "schema", "example"), list(json_body_cases()))
def test_a_required_field_is_refused_when_missing(base_url, tokens, path, method, operation, schema, example):
    for name in schema.get("required", []):
        if name == "kind":
            continue  # the discriminator itself: tested below with an unknown kind
        body = {k: v for k, v in example.items() if k != name}
        answer = call(base_url, tokens, path, method, operation, body)
        assert answer.status_code == 400, (name, answer.text)
        assert answer.json()["field"] == name


@pytest.mark.parametrize(("path", "method", "operation", "schema", "example"), list(json_body_cases()))
def test_an_unknown_field_is_refused(base_url, tokens, path, method, operation, schema, example):
    if schema.get("additionalProperties") is not False:
        pytest.skip("the body accepts any field")
    answer = call(base_url, tokens, path, method, operation, {**example, "not_in_the_document": 1})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "not_in_the_document"


def filler(field: dict) -> str:
    """A character the field's pattern accepts."""
    pattern = field.get("pattern")
    return next(c for c in "x1" if pattern is None or re.fullmatch(pattern, c))


@pytest.mark.parametrize(("path", "method", "operation", "schema", "example"), list(json_body_cases()))
def test_string_lengths_are_the_documented_ones(base_url, tokens, path, method, operation, schema, example):
    """maxLength + 1 is refused naming the field; maxLength itself passes that field's check."""
    for name, field in schema["properties"].items():
        if name not in example or "maxLength" not in field or "format" in field:
            continue
        body = copy.deepcopy(example)
        body[name] = filler(field) * (field["maxLength"] + 1)
        answer = call(base_url, tokens, path, method, operation, body)
        assert answer.status_code == 400, (name, answer.text)
        assert answer.json()["field"] == name
        body[name] = filler(field) * field["maxLength"]
        answer = call(base_url, tokens, path, method, operation, body)
        assert answer.status_code != 400 or answer.json().get("field") != name, (name, answer.text)


def test_an_unknown_trigger_kind_is_refused(api):
    answer = api.post("/api/v1/emails/send", json={"kind": "no_such_kind"})
    assert answer.status_code == 400 and answer.json()["field"] == "kind"


def test_integer_limits_are_the_documented_ones(api, users):
    from tests.conftest import PASSWORD

    body = openapi_document()["paths"]["/api/v1/auth/token"]["post"]["requestBody"]
    ttl = body["content"]["application/json"]["schema"]["properties"]["ttl_seconds"]
    credentials = {"username": users["PARTNER"], "password": PASSWORD}
    for value, status in ((ttl["minimum"] - 1, 400), (ttl["minimum"], 200), (ttl["maximum"], 200)):
        answer = api.post("/api/v1/auth/token", json={**credentials, "ttl_seconds": value}, as_role=None)
        assert answer.status_code == status, (value, answer.text)
    answer = api.post(
        "/api/v1/auth/token", json={**credentials, "ttl_seconds": ttl["maximum"] + 1}, as_role=None
    )
    assert answer.status_code == 400 and answer.json()["field"] == "ttl_seconds"

    parameters = openapi_document()["paths"]["/api/v1/events"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")["schema"]
    assert api.get(f"/api/v1/events?limit={limit['maximum']}", as_role="MODERATOR").status_code == 200
    assert api.get(f"/api/v1/events?limit={limit['maximum'] + 1}", as_role="MODERATOR").status_code == 400


def response_schema(path: str, method: str, status: int) -> dict:
    answer = openapi_document()["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        answer = openapi_document()["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/api/v1/account", "PARTNER", 200),
        ("/api/v1/events", "MODERATOR", 200),
        ("/health", None, 200),
        ("/version", None, 200),
        ("/api/v1/events/no-such-event", "MODERATOR", 404),
        ("/api/v1/account", None, 401),
        ("/api/v1/events", "PARTNER", 403),
    ],
)
def test_real_answers_match_the_documented_schemas(api, path, role, status):
    answer = api.get(path, as_role=role)
    assert answer.status_code == status, answer.text
    errors = [
        e.message
        for e in schema_validator(
            response_schema(path.replace("no-such-event", "{event_id}"), "get", status)
        ).iter_errors(answer.json())
    ]
    assert errors == []


def test_a_validation_error_matches_the_error_schema(api):
    answer = api.post("/api/v1/email/subscribers", json={"list_id": "1", "source": "site"})
    assert answer.status_code == 400
    assert (
        list(schema_validator(resolved({"$ref": "#/components/schemas/Error"})).iter_errors(answer.json()))
        == []
    )
    assert answer.json()["field"] == "user_email"


def test_a_trigger_answer_matches_its_schema(api):
    from tests.conftest import unique_email

    example = openapi_document()["paths"]["/api/v1/emails/send"]["post"]["requestBody"]["content"]
    body = {**example["application/json"]["example"], "user_email": unique_email("openapi")}
    answer = api.post("/api/v1/emails/send", json=body)
    assert answer.status_code == 202, answer.text
    assert (
        list(schema_validator(response_schema("/api/v1/emails/send", "post", 202)).iter_errors(answer.json()))
        == []
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/webhooks/cloudpayments/pay", "TransactionId=1&Amount=100"),
        (
            "/webhooks/unisendergo/status",
            '{"auth": "0123456789abcdef0123456789abcdef", "events_by_user": []}',
        ),
    ],
)
def test_an_unsigned_webhook_gets_the_documented_refusal(base_url, path, body):
    template = path.replace("/pay", "/{name}")
    answer = requests.post(
        base_url + path, data=body, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert answer.status_code == 401
    assert list(schema_validator(response_schema(template, "post", 401)).iter_errors(answer.json())) == []


def assert_matches(answer, path: str, method: str, status: int) -> None:
    assert answer.status_code == status, answer.text
    schema = response_schema(path, method, status)
    assert [e.message for e in schema_validator(schema).iter_errors(answer.json())] == []


@pytest.mark.parametrize(
    ("url", "path", "role", "status"),
    [
        ("/api/v1/templates", "/api/v1/templates", "ADMIN", 200),
        ("/api/v1/templates", "/api/v1/templates", "USER", 403),
        ("/api/v1/templates/registration", "/api/v1/templates/{template_id}", "ADMIN", 200),
        ("/api/v1/templates/no_such_code", "/api/v1/templates/{template_id}", "ADMIN", 404),
        ("/api/v1/retry/list", "/api/v1/retry/list", "ADMIN", 200),
        ("/api/v1/retry/list?limit=501", "/api/v1/retry/list", "ADMIN", 400),
        ("/api/v1/retry/list?status=delivered", "/api/v1/retry/list", "ADMIN", 400),
        ("/api/v1/retry/list?page=%C2%B2", "/api/v1/retry/list", "ADMIN", 400),  # "²": a digit to isdigit()
        ("/api/v1/retry/runs/999999", "/api/v1/retry/runs/{run_id}", "ADMIN", 404),
        ("/api/v1/statistics/summary", "/api/v1/statistics/summary", "USER", 200),
        ("/api/v1/statistics/summary?date_to=2026-13-01", "/api/v1/statistics/summary", "ADMIN", 400),
        ("/api/v1/users?role=PARTNER&enabled=true", "/api/v1/users", "ADMIN", 200),
        ("/api/v1/users?limit=1001", "/api/v1/users", "ADMIN", 400),
        ("/api/v1/users?offset=%C2%B2", "/api/v1/users", "ADMIN", 400),
        ("/api/v1/users/t_partner", "/api/v1/users/{username}", "ADMIN", 200),
        ("/api/v1/users/no_such_user", "/api/v1/users/{username}", "ADMIN", 404),
    ],
)
def test_real_answers_of_the_administration_areas_match(api, url, path, role, status):
    assert_matches(api.get(url, as_role=role), path, "get", status)


def test_a_statistics_export_is_the_documented_csv(api):
    answer = api.get("/api/v1/statistics/export/csv?date_from=2026-11-01&date_to=2026-11-02", as_role="USER")
    assert answer.status_code == 200
    documented = openapi_document()["paths"]["/api/v1/statistics/export/csv"]["get"]["responses"]["200"]
    assert answer.headers["Content-Type"].split(";")[0] in documented["content"]
    assert "statistics-summary-2026-11-01-2026-11-02.csv" in answer.headers["Content-Disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf") and answer.text.count("\r\n") == 3  # header + 2 days


def test_template_answers_match_and_a_refusal_changes_nothing(api):
    template = "/api/v1/templates/{template_id}"
    before = api.get("/api/v1/templates/registration", as_role="ADMIN").json()
    draft = {k: before[k] for k in ("subject", "body_html", "body_text", "variables")}
    refused = api.request(
        "PUT",
        "/api/v1/templates/registration",
        json={**draft, "body_html": "<p>{{ undeclared_amount }}</p>"},
        as_role="ADMIN",
    )
    assert_matches(refused, template, "put", 422)
    stale = api.request(
        "PUT", "/api/v1/templates/registration", json={**draft, "base_version": 999_999}, as_role="ADMIN"
    )
    assert_matches(stale, template, "put", 409)
    assert api.get("/api/v1/templates/registration", as_role="ADMIN").json()["version"] == before["version"]
    missing_version = api.post(
        "/api/v1/templates/registration/rollback", {"version": 999_999}, as_role="ADMIN"
    )
    assert_matches(missing_version, template + "/rollback", "post", 404)
    sent = api.post("/api/v1/templates/registration/test", {"email": "openapi@example.org"}, as_role="ADMIN")
    assert_matches(sent, template + "/test", "post", 202)


def test_retry_and_user_answers_match(api):
    from tests.conftest import unique_email

    run = api.post("/api/v1/retry/send", {"unsend_email_id": [999_999_999]}, as_role="ADMIN")
    assert_matches(run, "/api/v1/retry/send", "post", 200)
    assert run.json()["items"] == [{"unsend_email_id": 999_999_999, "refusal": "письма с таким номером нет"}]
    assert_matches(
        api.get(f"/api/v1/retry/runs/{run.json()['run_id']}", as_role="ADMIN"),
        "/api/v1/retry/runs/{run_id}",
        "get",
        200,
    )

    name = unique_email("openapi").split("@")[0].replace("-", "_").replace(".", "_")
    created = api.post(
        "/api/v1/users", {"username": name, "roles": ["PARTNER"], "company_key": "acme"}, as_role="ADMIN"
    )
    assert_matches(created, "/api/v1/users", "post", 201)
    assert len(created.json()["password"]) >= 10
    taken = api.post(
        "/api/v1/users", {"username": name, "roles": ["USER"], "company_key": "acme"}, as_role="ADMIN"
    )
    assert_matches(taken, "/api/v1/users", "post", 409)
    user = "/api/v1/users/{username}"
    changed = api.request("PATCH", f"/api/v1/users/{name}", json={"timezone": 3}, as_role="ADMIN")
    assert_matches(changed, user, "patch", 200)
    assert_matches(api.post(f"/api/v1/users/{name}/tokens", as_role="ADMIN"), user + "/tokens", "post", 201)
    assert_matches(
        api.post(f"/api/v1/users/{name}/password-reset", as_role="ADMIN"),
        user + "/password-reset",
        "post",
        200,
    )
    disabled = api.request("PATCH", f"/api/v1/users/{name}", json={"enabled": False}, as_role="ADMIN")
    assert_matches(disabled, user, "patch", 200)
    assert_matches(
        api.post(f"/api/v1/users/{name}/tokens", {"ttl_seconds": 60}, as_role="ADMIN"),
        user + "/tokens",
        "post",
        409,
    )
