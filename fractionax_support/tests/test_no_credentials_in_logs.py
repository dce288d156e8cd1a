"""The production server command, with its access log on, is used with a JWT in URLs (the
WebSocket's `?token=` fallback, HTTP requests that carry one): nothing it prints contains
the token. And the subprotocol way, which keeps the token out of the URL, works through a
real server and a real WebSocket client as a browser would use it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tickets.tests.factories import StaffFactory

from .processes import app_server, database_url_for_tests

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    env = {
        "DEBUG": "false",
        "DATABASE_URL": database_url_for_tests(),
        "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
    }
    log = tmp_path / "server.log"
    with app_server(env, log_file=log, workers=request.param, log_level="info", access_log=True) as base:
        yield base, log


def test_a_token_in_urls_never_reaches_the_server_log(server):
    base, log = server
    token = str(RefreshToken.for_user(StaffFactory()).access_token)
    ws_base = base.replace("http://", "ws://")

    with connect(f"{ws_base}/ws/admin/?token={token}", open_timeout=30) as socket:
        socket.send('{"type": "join-admin"}')
        assert socket.recv(timeout=10) == '{"event": "joined"}'
    assert requests.get(f"{base}/api/admin/support-tickets?token={token}", timeout=30).status_code == 401
    assert requests.get(f"{base}/no-such-page/?page=2&access={token}", timeout=30).status_code == 404

    text = log.read_text()
    # The lines are there (the log was captured), with the values replaced.
    assert '"WebSocket /ws/admin/?token=[redacted]" [accepted]' in text, text
    assert '"GET /api/admin/support-tickets?token=[redacted] HTTP/1.1" 401' in text, text
    assert '"GET /no-such-page/?page=2&access=[redacted] HTTP/1.1" 404' in text, text
    assert token not in text
    assert token.split(".")[2] not in text  # not even the signature alone


def test_the_subprotocol_way_through_a_real_server(server):
    base, log = server
    token = str(RefreshToken.for_user(StaffFactory()).access_token)
    ws_base = base.replace("http://", "ws://")

    with connect(f"{ws_base}/ws/admin/", subprotocols=["fractionax.v1", f"bearer.{token}"], open_timeout=30) as socket:
        assert socket.subprotocol == "fractionax.v1"  # what a browser requires: one it offered, not the token
        assert socket.response is not None
        assert token not in str(socket.response.headers)
        socket.send('{"type": "join-admin"}')
        assert socket.recv(timeout=10) == '{"event": "joined"}'
    text = log.read_text()
    assert '"WebSocket /ws/admin/" [accepted]' in text, text
    assert token not in text


def test_a_ticket_from_one_request_opens_a_socket_once_and_is_not_logged(server):
    """With two workers the socket may reach another process than the one that issued it:
    tickets live in the shared cache (Redis)."""
    base, log = server
    token = str(RefreshToken.for_user(StaffFactory()).access_token)
    ws_base = base.replace("http://", "ws://")
    response = requests.post(f"{base}/api/auth/ws-ticket", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    ticket = response.json()["ticket"]

    with connect(f"{ws_base}/ws/admin/?ticket={ticket}", open_timeout=30) as socket:
        socket.send('{"type": "join-admin"}')
        assert socket.recv(timeout=10) == '{"event": "joined"}'
    with connect(f"{ws_base}/ws/admin/?ticket={ticket}", open_timeout=30) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401

    text = log.read_text()
    assert text.count('"WebSocket /ws/admin/?ticket=[redacted]" [accepted]') == 2, text
    assert ticket not in text
    assert token not in text
