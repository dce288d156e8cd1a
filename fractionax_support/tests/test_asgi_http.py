"""HTTP through the ASGI application the servers run: the middleware chain and the view run
on one worker thread, and responses, streamed ones included, reach the client whole."""

import csv
import io
import json

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import connections
from rest_framework_simplejwt.tokens import RefreshToken

from fractionax_support.asgi import application
from tickets.tests.factories import StaffFactory, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def connections_closed_after():
    """The factories run on asgiref's thread for sync code, whose connection would outlive
    the test and keep its database from being dropped."""
    yield
    await sync_to_async(connections.close_all)()

API = "/api/admin/support-tickets"


async def get(path: str, query: str = "") -> dict:
    """A GET as uvicorn would make it: the start message, then every body chunk joined."""
    staff = await sync_to_async(StaffFactory)()
    token = await sync_to_async(lambda: str(RefreshToken.for_user(staff).access_token))()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body, more = b"", True
    while more:
        chunk = await communicator.receive_output(timeout=10)
        body += chunk.get("body", b"")
        more = chunk.get("more_body", False)
    await communicator.wait(timeout=10)
    return {"status": start["status"], "headers": start["headers"], "body": body}


async def test_an_api_request_passes_the_whole_middleware_chain():
    ticket = await sync_to_async(make_ticket)(subject="Through ASGI")

    response = await get(f"{API}/{ticket.pk}")

    assert response["status"] == 200
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert headers["x-frame-options"] == "DENY"  # a process_response hook ran
    assert "content-security-policy" in headers
    assert json.loads(response["body"])["subject"] == "Through ASGI"


async def test_the_export_streams_every_row():
    for number in range(3):
        await sync_to_async(make_ticket)(subject=f"Exported {number}")

    response = await get(f"{API}/export")

    assert response["status"] == 200
    rows = list(csv.reader(io.StringIO(response["body"].decode())))
    assert sorted(row[rows[0].index("subject")] for row in rows[1:]) == ["Exported 0", "Exported 1", "Exported 2"]
