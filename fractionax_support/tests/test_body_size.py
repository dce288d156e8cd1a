"""An oversized body is refused before anything reads it, with a 413 naming the limit."""

import json

import pytest

from .asgi_requests import asgi_request

pytestmark = pytest.mark.django_db

TOO_BIG = '{"subject": "' + "x" * 1_100_000 + '"}'


@pytest.mark.parametrize(
    "path", ["/api/admin/support-tickets", "/api/webhooks/slack", "/api/webhooks/helpscout", "/api/auth/token/"]
)
def test_an_oversized_body_gets_413_with_the_limit(client, path):
    response = client.post(path, TOO_BIG, content_type="application/json")
    assert response.status_code == 413
    assert "at most 1048576" in response.json()["detail"]


def test_a_body_within_the_limit_is_handled_as_usual(staff_client):
    response = staff_client.post("/api/admin/support-tickets", {"subject": "x" * 201}, format="json")
    assert response.status_code == 400
    assert "subject" in response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/webhooks/helpscout", "/api/webhooks/slack"])
async def test_an_oversized_body_without_a_length_gets_413_too(path):
    body = TOO_BIG.encode()
    answer = await asgi_request(
        "POST",
        path,
        headers=[(b"content-type", b"application/json")],
        chunks=[body[start : start + 65536] for start in range(0, len(body), 65536)],
    )
    assert answer.status == 413
    assert answer.headers["content-type"] == "application/json"
    assert "at most 1048576" in json.loads(answer.body)["detail"]


def test_too_many_form_fields_get_a_400_naming_the_limit(client, settings):
    fields = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post("/api/auth/token/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many form fields: at most 1000 accepted."}
