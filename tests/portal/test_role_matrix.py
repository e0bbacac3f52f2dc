"""Every portal page and API route × every role: allowed or refused, as this table says.

The table is written out here, not read from the code: a route added without an entry fails
the first test, and a role check that drifts from the table fails the others.
"""

import re

import pytest
import requests

from tests.conftest import PASSWORD, csrf_token_from

A, M, U, P = "ADMIN", "MODERATOR", "USER", "PARTNER"
ANY = {A, M, U, P}

API = {
    "api.account_get": ANY,
    "api.account_update": ANY,
    "api.auth_password": ANY,
    "api.donations_process": {P, A},
    "api.payments_create": {P, A},
    "api.email_send": {P, A},
    "api.email_subscribers": {P, A},
    "api.emails_send": {P, A},
    "api.message_get": {P, A, U},
    "api.subscriptions_create": {P, A},
    "api.subscriptions_open": {P, A},
    "api.subscriptions_get": {P, A},
    "api.subscriptions_cancel": {P, A},
    "api.subscriptions_delete": {P, A},
    "api.events_moderation_notice": {P, A},
    "api.events_closed": {P, A},
    "api.events_list": {M, A},
    "api.events_get": {M, A},
    "api.events_approve": {M, A},
    "api.events_reject": {M, A},
    "api.templates_list": {A},
    "api.templates_get": {A},
    "api.templates_update": {A},
    "api.templates_rollback": {A},
    "api.templates_test": {A},
    "api.retry_list": {A},
    "api.retry_send": {A},
    "api.retry_run": {A},
    "api.users_list": {A},
    "api.users_create": {A},
    "api.users_get": {A},
    "api.users_update": {A},
    "api.users_password_reset": {A},
    "api.users_token": {A},
    "api.statistics_summary": {A, U},
    "api.statistics_export_csv": {A, U},
    "api.logs_list": {A},
    "api.logs_export_csv": {A},
    "api.monitoring_services": {A},
    "api.monitoring_queues": {A},
    "api.monitoring_alerts": {A},
    "api.audit_actions": {A},
    "api.usage_statistics": ANY,
    "api.usage_report": ANY,
    "api.quotas_get": ANY,
    "api.quotas_put": {A},
}
PORTAL = {
    "dashboard.index": {A, U},
    "messages.message_list": {A, U},
    "messages.message_detail": {A, U},
    "payments.donation_list": {A, U},
    "payments.donation_detail": {A, U},
    "payments.subscription_list": {A, U},
    "payments.subscription_detail": {A, U},
    "payments.subscription_cancel": {A},
    "moderation.queue": {M, A},
    "moderation.detail": {M, A},
    "moderation.approve": {M, A},
    "moderation.reject": {M, A},
    "message_templates.template_list": {A},
    "message_templates.edit": {A},
    "message_templates.save": {A},
    "message_templates.preview": {A},
    "message_templates.compare": {A},
    "message_templates.rollback": {A},
    "message_templates.send_test": {A},
    "retry.failed_list": {A},
    "retry.send_selected": {A},
    "retry.send_all": {A},
    "retry.run_detail": {A},
    "sandbox.inbox_list": {A, U},
    "sandbox.inbox_email": {A, U},
    "sandbox.subscriptions_page": {A, U},
    "sandbox.subscriptions_charge": {A},
    "sandbox.bitrix_calls": {A, U},
    "users.user_list": {A},
    "users.user_create": {A},
    "users.user_detail": {A},
    "users.user_update": {A},
    "users.user_disable": {A},
    "users.user_enable": {A},
    "users.password_reset": {A},
    "users.token_issue": {A},
    "statistics.page": {A, U},
    "statistics.export_csv": {A, U},
    "api_docs.page": {A, M, U},
    "logs.log_list": {A},
    "logs.log_export": {A},
    "monitoring.overview": {A},
    "monitoring.acknowledge": {A},
    "monitoring.check_now": {A},
    "audit.action_list": {A},
    "audit.usage_page": {A},
    "audit.usage_report": {A},
    "audit.quota_list": {A},
    "audit.quota_set": {A},
    "audit.quota_delete": {A},
}
OPEN = {  # no role: anyone, a signed-in user of any portal role, or a donor's signed link
    "static",
    "system.health",
    "system.version",
    "auth.login",
    "auth.set_language",
    "auth.logout",
    "auth.account",
    "api.auth_token",
    "api.auth_verify",
    "api.openapi_json",
    "api_docs.documentation_file",
    "donor.manage",
    "donor.cancel",
    "donor.reactivate",
}


def routes(app, prefixes):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in prefixes:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def concrete(rule) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: "999999" if "int:" in m.group(0) else "nope-x", rule.rule)


def test_every_route_is_in_the_table(app):
    known = set(API) | set(PORTAL) | OPEN
    # Webhooks and the simulated providers check their callers' signatures and keys, not roles.
    blueprints = set(app.blueprints) - {"webhooks", "sandbox_providers"}
    missing = {rule.endpoint for rule, _ in routes(app, blueprints) if rule.endpoint not in known}
    assert missing == set()


@pytest.mark.parametrize("role", [A, M, U, P])
def test_api_routes_by_role(app, base_url, tokens, role):
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    for rule, method in routes(app, {"api"}):
        if rule.endpoint not in API:
            continue
        status = requests.request(
            method, base_url + concrete(rule), headers=headers, json={}, timeout=10
        ).status_code
        allowed = role in API[rule.endpoint]
        assert (status != 403) == allowed, (rule.endpoint, method, role, status)
        assert status != 401, (rule.endpoint, role)


@pytest.mark.parametrize("role", [A, M, U])
def test_portal_routes_by_role(app, auth, client, role):
    assert auth.login(role).status_code == 303
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    for rule, method in routes(app, {endpoint.split(".")[0] for endpoint in PORTAL}):
        if rule.endpoint not in PORTAL:
            continue
        data = {"csrf_token": token} if method == "POST" else None
        status = client.open(concrete(rule), method=method, data=data).status_code
        allowed = role in PORTAL[rule.endpoint]
        assert (status != 403) == allowed, (rule.endpoint, method, role, status)


def test_a_partner_cannot_use_the_portal(client, users):
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "username": users[P],
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert answer.status_code != 303 or "/login" in answer.headers.get("Location", "")
    assert client.get("/moderation/").status_code == 302
