"""With DEBUG off (as this test run is, and production): HTTPS only, HSTS, secure and
HTTP-only cookies, and cross-origin calls only from CORS_ALLOWED_ORIGINS."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tickets.tests.api_helpers import URL, client_for

pytestmark = pytest.mark.django_db

ALLOWED = "https://admin.fractionax.example"
OTHER = "https://evil.example"
PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture(autouse=True)
def production_defaults(settings):
    assert settings.DEBUG is False  # what follows are the defaults DEBUG off gives


# --- CORS ---


def preflight(origin: str):
    return APIClient().options(
        URL,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_cross_origin_calls_are_refused_unless_origins_are_configured():
    assert "Access-Control-Allow-Origin" not in preflight(ALLOWED).headers
    assert "Access-Control-Allow-Origin" not in APIClient().get("/api/webhooks/test", HTTP_ORIGIN=ALLOWED).headers


def test_a_preflight_from_an_allowed_origin_is_answered_for_it_alone(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]

    allowed = preflight(ALLOWED)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert {"authorization", "content-type"} <= set(allowed.headers["Access-Control-Allow-Headers"].split(", "))
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]

    refused = preflight(OTHER)
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Methods" not in refused.headers


def test_a_call_from_an_allowed_origin_may_be_read_from_another_may_not(settings, staff_agent):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]
    client = client_for(staff_agent)

    allowed = client.get(URL, HTTP_ORIGIN=ALLOWED)
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Credentials" not in allowed.headers  # tokens, not cookies, cross origin

    other = client.get(URL, HTTP_ORIGIN=OTHER)
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Origin" not in client.get(URL, HTTP_ORIGIN="http://admin.fractionax.example").headers


# --- HTTPS ---


def test_plain_http_is_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True  # production's default; the test run turns it off

    response = Client().get("/login/?next=/dashboard/")

    assert response.status_code == 301
    assert response.url == "https://testserver/login/?next=/dashboard/"


def test_https_responses_carry_hsts_and_the_other_security_headers():
    response = Client().get("/login/", secure=True)

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_behind_a_tls_proxy_the_forwarded_scheme_counts_as_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_PROXY=true

    response = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


def test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only(staff_agent):
    client = Client()
    page = client.get("/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    login = client.post("/login/", {"username": staff_agent.username, "password": PASSWORD}, secure=True)
    assert login.status_code == 302
    session = login.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
