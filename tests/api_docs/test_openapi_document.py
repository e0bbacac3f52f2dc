"""The OpenAPI document describes exactly the JSON routes the app has, with their roles, and is
a valid OpenAPI 3.1 document."""

import re

import requests
from openapi_spec_validator import validate

from portal.api_docs.document import openapi_document

DOCUMENTED_BLUEPRINTS = {"api", "webhooks", "system"}
DOCUMENTED_ENDPOINTS = {"api_docs.documentation_file"}  # seed 002's GET /docs/{filename}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def openapi_path(rule: str) -> str:
    """/api/v1/messages/<int:message_id> → /api/v1/messages/{message_id}"""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def json_routes(app) -> dict[tuple[str, str], str]:
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in DOCUMENTED_BLUEPRINTS or rule.endpoint in DOCUMENTED_ENDPOINTS:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[(openapi_path(rule.rule), method.lower())] = rule.endpoint
    return routes


def documented_operations() -> dict[tuple[str, str], dict]:
    return {
        (path, method): operation
        for path, item in openapi_document()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_every_json_route_has_an_operation(app):
    missing = sorted(set(json_routes(app)) - set(documented_operations()))
    assert missing == [], f"routes without an operation in portal/api_docs/paths/: {missing}"


def test_every_operation_has_a_route(app):
    stale = sorted(set(documented_operations()) - set(json_routes(app)))
    assert stale == [], f"operations for routes that do not exist: {stale}"


def test_the_documented_roles_are_the_roles_the_code_checks(app):
    routes = json_routes(app)
    for key, operation in documented_operations().items():
        view = app.view_functions[routes[key]]
        assert set(operation["x-roles"]) == set(getattr(view, "required_roles", ())), key
        assert bool(operation["security"]) == bool(operation["x-roles"]) or key[0].startswith("/webhooks/")


def test_operation_ids_are_unique_and_every_operation_is_described():
    operations = documented_operations().values()
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    tags = {tag["name"] for tag in openapi_document()["tags"]}
    for operation in operations:
        assert operation["summary"] and operation["responses"]
        assert set(operation["tags"]) <= tags
        assert re.search("[а-я]", operation["summary"]), "summaries are in Russian"


def test_the_document_is_valid_openapi():
    validate(openapi_document())  # raises on any violation of the OpenAPI 3.1 schema


def test_the_app_serves_the_document_without_a_token(base_url):
    response = requests.get(f"{base_url}/api/v1/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    served = response.json()
    assert served["openapi"].startswith("3.1")
    assert "/api/v1/events/{event_id}/approve" in served["paths"]
    assert served == requests.get(f"{base_url}/api/v1/openapi.json", timeout=10).json()
    assert "test-secret-key" not in response.text
