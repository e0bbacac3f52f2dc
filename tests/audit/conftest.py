"""A fresh partner per test, so quotas and usage counted here are this test's own."""

import uuid

import pytest
import requests

from portal.extensions import db
from tests.conftest import PASSWORD


class Partner:
    def __init__(self, api, username: str, user_id: int, token: str):
        self.api, self.username, self.id, self.token = api, username, user_id, token

    def request(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.api.base_url + path, headers=headers, timeout=30, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


@pytest.fixture
def partner(app, api):
    """A new PARTNER account with a token, in UTC+3 (the default timezone)."""
    from portal.services.users import create_user

    name = f"p_{uuid.uuid4().hex[:10]}"
    with app.app_context():
        user = create_user(name, PASSWORD, ["PARTNER"], company_key="acme_fund")
        db.session.commit()
        user_id = user.id
    token = requests.post(f"{api.base_url}/api/v1/auth/token", json={"username": name, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return Partner(api, name, user_id, token.json())


@pytest.fixture
def set_quota(api):
    """Give a user quotas through the API as an ADMIN: {(service, type): (per request, per day, running)}."""

    def put(username: str, entries: dict):
        services: dict[str, list] = {}
        for (service, process_type), (per_request, per_day, running) in entries.items():
            services.setdefault(service, []).append(
                {
                    "process_type": process_type,
                    "points_per_request": per_request,
                    "points_per_day": per_day,
                    "max_concurrent_execution": running,
                }
            )
        body = {
            "username": username,
            "base": {"services": [{"service": s, "processes": p} for s, p in services.items()]},
        }
        response = api.request("PUT", "/api/v1/account/quotas", as_role="ADMIN", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return put
