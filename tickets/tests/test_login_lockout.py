"""Brute force on the dashboard login and the token endpoint is locked out."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def fail_login(client: Client, username: str) -> int:
    return client.post(LOGIN, {"username": username, "password": "wrong guess"}).status_code


def test_the_dashboard_login_locks_out_after_repeated_failures(settings, staff_agent):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail_login(client, staff_agent.username) == 200  # the form again, with its error
    assert fail_login(client, staff_agent.username) == 429
    # Locked: even the right password is refused until the lockout ends.
    response = client.post(LOGIN, {"username": staff_agent.username, "password": "correct horse battery"})
    assert response.status_code == 429


def test_a_success_before_the_limit_resets_the_count(settings, staff_agent):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail_login(client, staff_agent.username)
    response = client.post(LOGIN, {"username": staff_agent.username, "password": "correct horse battery"})
    assert response.status_code == 302
    client.post("/logout/")
    assert fail_login(client, staff_agent.username) == 200


def test_other_accounts_are_not_locked(settings, staff_agent, non_staff_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, non_staff_user.username)
    response = client.post(LOGIN, {"username": staff_agent.username, "password": "correct horse battery"})
    assert response.status_code == 302


def test_the_token_endpoint_locks_out_too(settings, anonymous_client, staff_agent):
    body = {"username": staff_agent.username, "password": "wrong guess"}
    codes = [
        anonymous_client.post("/api/auth/token/", body, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert codes[: settings.AXES_FAILURE_LIMIT - 1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    good = {"username": staff_agent.username, "password": "correct horse battery"}
    assert anonymous_client.post("/api/auth/token/", good, format="json").status_code == 429


def test_a_locked_out_login_says_when_to_try_again(settings, staff_agent):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, staff_agent.username)

    response = client.post(LOGIN, {"username": staff_agent.username, "password": "wrong guess"})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert response["Content-Type"].startswith("text/html")
    assert "Too many failed logins. Try again in 15 minutes." in response.content.decode()


def test_a_locked_out_token_request_gets_json_and_retry_after(settings, anonymous_client, staff_agent):
    body = {"username": staff_agent.username, "password": "wrong guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anonymous_client.post("/api/auth/token/", body, format="json")

    response = anonymous_client.post("/api/auth/token/", body, format="json")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert response.json() == {"detail": "Too many failed logins. Try again in 15 minutes."}
