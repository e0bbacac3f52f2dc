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

SIDE_EFFECT_FREE_PATH_VALUES = {"event_id": "no-such-event", "identifier": "sub-none", "message_id": "999999"}


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
