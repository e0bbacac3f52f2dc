"""Addresses in triggers: plain ones take a fast check that must agree with email_validator."""

import pytest
from email_validator import EmailNotValidError, validate_email

from portal.api.validation import _plain_email
from tests.flows.test_registration import registration

ADDRESSES = [
    "Ivan.Petrov+news@Example.ORG",
    "a@b.co",
    "a_b-c@sub-dom.example.org",
    "x@invalid.sandbox.example.org",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    "a@example",
    "a@localhost",
    "a@foo.test",
    "a@foo.onion",
    "a@xn--80ak6aa92e.com",
    "a@ab--c.com",
    "a@-x.org",
    "a@x-.org",
    "a@1.2.3.4",
    "a@example.123",
    "a" * 65 + "@example.org",
    "a@" + "b" * 64 + ".org",
    "a@" + ("b" * 60 + ".") * 4 + "org",
    "иван@пример.рф",
    "a b@example.org",
    '"a"@example.org',
]


def library(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_fast_check_never_disagrees_with_the_library(address):
    fast = _plain_email(address)
    assert fast is None or fast == library(address)


def test_common_addresses_take_the_fast_check():
    for address in ADDRESSES[:4]:
        assert _plain_email(address) == library(address) is not None


def test_the_api_normalises_and_refuses_as_the_library_does(api):
    accepted = api.post("/api/v1/emails/send", registration("Olga.K@Mail.Example.ORG", agree=False))
    assert accepted.status_code == 202
    assert accepted.json()["messages"][0]["recipient"] == "Olga.K@mail.example.org"
    for address in ("olga..k@example.org", "olga@localhost", "olga@example"):
        refused = api.post("/api/v1/emails/send", registration(address, agree=False))
        assert refused.status_code == 400 and refused.json()["field"] == "user_email", address
