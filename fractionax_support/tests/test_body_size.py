"""An oversized body is refused before anything reads it, with a 413 naming the limit."""

import asyncio
import json

import pytest
from django.core.asgi import get_asgi_application

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


async def _post_chunked(path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """A POST whose body comes in chunks with no Content-Length, as a server hands a
    `Transfer-Encoding: chunked` request to the ASGI application."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    chunks = [body[start : start + 65536] for start in range(0, len(body), 65536)]
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays connected until the answer is sent
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        sent.append(message)

    await get_asgi_application()(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    content = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], headers, content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/webhooks/helpscout", "/api/webhooks/slack"])
async def test_an_oversized_body_without_a_length_gets_413_too(path):
    status, headers, content = await _post_chunked(path, TOO_BIG.encode())
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert "at most 1048576" in json.loads(content)["detail"]


def test_too_many_form_fields_get_a_400_naming_the_limit(client, settings):
    fields = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post("/api/auth/token/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many form fields: at most 1000 accepted."}
