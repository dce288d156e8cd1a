"""A fake Help Scout on loopback (pytest-httpserver) reached through HELPSCOUT_API_URL,
so the real client runs; webhook bodies are signed here like Help Scout signs them."""

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from pytest_httpserver import HTTPServer

from fractionax_support.celery import app as celery_app
from integrations.helpscout import signatures, tasks
from integrations.helpscout.client import HelpScoutClient

FIXTURES = Path(__file__).parent / "fixtures"
WEBHOOK_SECRET = "webhook-secret"
MAILBOX_ID = "85"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def conversation(*, threads: tuple[str, ...] | None = (), **changes: Any) -> dict[str, Any]:
    """The fixture conversation; `threads` names thread fixtures to add after the first
    message (None: a body without threads, as webhooks may send)."""
    data = load("conversation")
    if threads is None:
        del data["_embedded"]
    else:
        data["_embedded"]["threads"] += [load(f"thread_{name}") for name in threads]
        data["threads"] = len(data["_embedded"]["threads"])
    data.update(copy.deepcopy(changes))
    return data


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    previous = celery_app.conf.broker_url  # the in-process broker the root conftest set
    _use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    yield
    _use_broker(previous)


@pytest.fixture
def helpscout(settings: Any, httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """Help Scout configured against the fake; its token endpoint answers token-1."""
    settings.HELPSCOUT_APP_ID = "app-id"
    settings.HELPSCOUT_APP_SECRET = "app-secret"
    settings.HELPSCOUT_MAILBOX_ID = MAILBOX_ID
    settings.HELPSCOUT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.HELPSCOUT_API_URL = httpserver.url_for("/v2/")
    token_key = HelpScoutClient.from_settings()._token_cache_key()
    cache.delete(token_key)
    httpserver.expect_request("/v2/oauth2/token", method="POST").respond_with_json(load("token"))
    yield httpserver
    cache.delete(token_key)


@pytest.fixture
def requests_to(helpscout: HTTPServer) -> Callable[[str, str], list[Any]]:
    """The requests the fake received for a method and path."""

    def find(method: str, path: str) -> list[Any]:
        return [request for request, _ in helpscout.log if request.method == method and request.path == path]

    return find


@pytest.fixture
def post_webhook(client: Any) -> Callable[..., Any]:
    def post(event: str, body: bytes | dict[str, Any], *, signature: str | None = None) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post(
            "/api/webhooks/helpscout",
            data=raw,
            content_type="application/json",
            HTTP_X_HELPSCOUT_EVENT=event,
            HTTP_X_HELPSCOUT_SIGNATURE=signatures.sign(raw, WEBHOOK_SECRET) if signature is None else signature,
        )

    return post


@pytest.fixture
def webhook(post_webhook: Callable[..., Any]) -> Callable[[str, dict[str, Any]], Any]:
    """A signed delivery accepted by the view, then the task it queued, run here."""

    def deliver(event: str, body: dict[str, Any]) -> Any:
        response = post_webhook(event, body)
        assert response.status_code == 200, response.content
        if response.json()["status"] == "queued":
            tasks.helpscout_webhook(event, body)
        return response

    return deliver
