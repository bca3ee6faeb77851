"""Password guessing is stopped everywhere: the portal, the admin (the all-providers operator
included) and the API's token login lock an account and a client address after a few failures,
a forged X-Forwarded-For buys nothing, the lockout says how long, and reset e-mails are limited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory
from vehicles.selectors import ALL_PROVIDERS_GROUP

pytestmark = pytest.mark.django_db

PASSWORD = "launchbook-test"


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.LAUNCHBOOK_LOGIN_FAILURE_LIMIT = 5
    settings.AXES_FAILURE_LIMIT = 5
    settings.LAUNCHBOOK_LOGIN_COOLOFF_MINUTES = 15


def portal_login(client, username, password, **extra):
    return client.post("/portal/login/", {"username": username, "password": password}, **extra)


def admin_login(client, username, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def api_login(client, username, password, **extra):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def all_providers_operator():
    operator = UserFactory(username="operator", is_staff=True)
    operator.groups.add(Group.objects.get_or_create(name=ALL_PROVIDERS_GROUP)[0])
    return operator


def test_thirty_wrong_passwords_then_the_right_one_is_refused_in_the_portal():
    UserFactory(username="gom")
    client = Client()
    for _ in range(30):
        assert portal_login(client, "gom", "wrong-guess").status_code in (200, 429)
    answer = portal_login(client, "gom", PASSWORD)
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes" in answer.content.decode()


def test_thirty_wrong_passwords_then_the_right_one_is_refused_in_the_admin_for_the_all_providers_operator():
    all_providers_operator()
    client = Client()
    for _ in range(30):
        admin_login(client, "operator", "wrong-guess")
    answer = admin_login(client, "operator", PASSWORD)
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the sign-in page
    assert "Try again in 15 minutes" in answer.content.decode()


def test_thirty_wrong_passwords_then_the_right_one_is_refused_by_the_api_with_how_long(settings):
    # The per-address rate limit is generous here: the lockout, not the rate, must refuse.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth": "1000/minute",
        },
    }
    UserFactory(username="gom")
    client = APIClient()
    for _ in range(30):
        api_login(client, "gom", "wrong-guess")
    answer = api_login(client, "gom", PASSWORD)
    assert answer.status_code == 429
    body = answer.json()
    assert "token" not in body
    assert "Try again in 15 minutes" in body["detail"] and body["retry_after_seconds"] == 900
    assert answer["Retry-After"] == "900"


def test_the_account_is_locked_from_every_address_and_every_front_end():
    """Per account: guessing from many addresses (a botnet) still locks the account."""
    UserFactory(username="gom")
    for n in range(6):
        portal_login(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "gom", "wrong-guess")
    assert portal_login(Client(REMOTE_ADDR="203.0.113.9"), "gom", PASSWORD).status_code == 429
    assert api_login(APIClient(REMOTE_ADDR="203.0.113.10"), "gom", PASSWORD).status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them():
    """Per client address: spraying one password over many accounts locks the address."""
    UserFactory(username="victim")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(6):
        portal_login(client, f"someone-{n}", "wrong-guess")
    assert portal_login(client, "victim", PASSWORD).status_code == 429
    # Another address can still sign the victim in: the account itself had no failure.
    other = Client(REMOTE_ADDR="203.0.113.5")
    assert portal_login(other, "victim", PASSWORD).status_code == 302


def test_rotating_x_forwarded_for_does_not_help_by_default():
    UserFactory(username="gom")
    client = Client()
    for n in range(30):
        portal_login(client, f"user-{n}", "wrong-guess", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1")
    UserFactory(username="bystander")
    answer = portal_login(client, "bystander", PASSWORD, HTTP_X_FORWARDED_FOR="10.99.0.1")
    assert answer.status_code == 429


def test_rotating_x_forwarded_for_does_not_defeat_the_api_rate_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "3/minute"},
    }
    client = APIClient()
    codes = [
        api_login(client, f"x{n}", "y", HTTP_X_FORWARDED_FOR=f"10.1.{n}.1").status_code for n in range(4)
    ]
    assert codes[-1] == 429


def test_with_one_trusted_proxy_the_address_it_saw_is_counted_not_what_the_client_wrote(settings):
    settings.LAUNCHBOOK_TRUSTED_PROXIES = 1
    UserFactory(username="victim")
    proxy = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the load balancer
    for n in range(6):
        # The attacker forges a left-hand entry; the proxy appends the address it really saw.
        portal_login(proxy, f"someone-{n}", "wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.7")
    locked = portal_login(proxy, "victim", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out with the attacker.
    fine = portal_login(proxy, "victim", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert fine.status_code == 302


def test_a_few_mistakes_do_not_lock_anyone_out():
    UserFactory(username="gom")
    client = Client()
    for _ in range(3):
        answer = portal_login(client, "gom", "typo")
        assert answer.status_code == 200 and "correct username and password" in answer.content.decode()
    assert portal_login(client, "gom", PASSWORD).status_code == 302


def test_password_reset_mails_are_limited_per_address_and_the_refusal_says_how_long(settings):
    settings.LAUNCHBOOK_PASSWORD_RESET_LIMIT = 3
    UserFactory(username="gom", email="ops@gomspace.example")
    client = Client()
    codes = [
        client.post("/portal/password-reset/", {"email": "ops@gomspace.example"}).status_code
        for _ in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    refused = client.post("/portal/password-reset/", {"email": "ops@gomspace.example"})
    assert "Try again in 1 hour" in refused.content.decode()


def test_password_reset_mails_are_limited_per_client_address_across_addresses(settings):
    settings.LAUNCHBOOK_PASSWORD_RESET_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.8")
    codes = [
        client.post(
            "/portal/password-reset/",
            {"email": f"someone-{n}@example.test"},
            HTTP_X_FORWARDED_FOR=f"10.2.{n}.1",
        ).status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
