"""An oversized body is refused before anything reads it, with a 413 naming the limit."""

import pytest

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
