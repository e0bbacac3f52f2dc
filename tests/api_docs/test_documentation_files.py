"""GET /docs/{filename} (seed 002): the HTML files of docs/, nothing else, errors in the seed's shape."""

import http.client
import json
import re
from urllib.parse import urlsplit

import pytest
import requests

from portal.api_docs.document import openapi_document


@pytest.mark.parametrize("name", ["api_ru.html", "api_en.html"])
def test_a_documentation_file_is_served_as_html(base_url, name):
    answer = requests.get(f"{base_url}/docs/{name}", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "/api/v1/auth/token" in answer.text
    assert "<script" not in answer.text  # the CSP would block it anyway


@pytest.mark.parametrize(
    "path",
    [
        "/docs/..%2F..%2Fportal%2Fconfig.py",
        "/docs/..%2FREADME.md",
        "/docs/%2Fetc%2Fpasswd",
        "/docs/..%5C..%5Cwsgi.py",
        "/docs/../wsgi.py.html",
        "/docs/subdir%2F..%2Fapi_ru.html",
        "/docs/api_ru.html%00.txt",
    ],
)
def test_path_traversal_is_refused(base_url, path):
    # http.client sends the path as written: a browser or requests would resolve the dots first.
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=10)
    connection.request("GET", path)
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    assert answer.status == 404, text
    assert "create_app" not in text and "root:" not in text
    if not path.startswith("/docs/%2F"):  # an empty first segment is no file name: the plain 404
        assert json.loads(text)["detail"]["tracedata"]["service"] == "MAYAK"


def test_an_unknown_file_is_a_404_in_the_seed_format(base_url):
    answer = requests.get(f"{base_url}/docs/file_de.html", timeout=10)
    assert answer.status_code == 404
    body = answer.json()
    assert body["resource_key"] == "file_de.html"
    assert "file_de.html" in body["message"]
    assert set(body["detail"]["tracedata"]) >= {"request_code", "service", "operation", "time"}
    assert body["detail"]["tracedata"]["request_code"] == answer.headers["X-Request-ID"]


@pytest.mark.parametrize(("name", "status"), [("a.htm", 400), ("x" * 124 + ".html", 400), ("ab.htm", 404)])
def test_the_name_length_is_checked(base_url, name, status):
    answer = requests.get(f"{base_url}/docs/{name}", timeout=10)
    assert answer.status_code == status
    assert answer.json()["resource_key"] == name[:128]


@pytest.mark.parametrize("name", ["api_ru.html", "api_en.html"])
def test_the_files_mention_only_operations_that_exist(base_url, name):
    """They are written by hand: a renamed or removed endpoint must not live on in them."""
    html = requests.get(f"{base_url}/docs/{name}", timeout=10).text
    paths = openapi_document()["paths"]
    mentioned = set(re.findall(r"<code>(GET|POST|PUT|PATCH|DELETE) (/[^<\s]+)</code>", html))
    assert len(mentioned) >= 20
    for method, path in mentioned:
        assert method.lower() in paths.get(path, {}), (method, path)
