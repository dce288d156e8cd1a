"""POST /api/auth/ws-ticket and `?ticket=`: a staff member's single-use, short-lived way to
open the WebSocket without a JWT in the URL."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from fractionax_support.asgi import application
from realtime import connection_tickets
from realtime.tests.test_consumers import assert_closed_with, session_cookie, token_for
from tickets.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/auth/ws-ticket"


def ticket_for(user) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    response = client.post(URL)
    assert response.status_code == 200, response.content
    assert response.json()["expiresIn"] == connection_tickets.TICKET_SECONDS
    assert response["Cache-Control"] == "no-store"
    return str(response.json()["ticket"])


async def open_with(ticket: str, headers=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/admin/?ticket={ticket}", headers=headers or [])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def assert_joins(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}


async def test_a_staff_ticket_opens_the_socket_once():
    ticket = await sync_to_async(ticket_for)(await sync_to_async(StaffFactory)())
    first = await open_with(ticket)
    await assert_joins(first)
    second = await open_with(ticket)
    await assert_closed_with(second, 4401)
    await first.disconnect()


def test_a_staff_session_gets_a_ticket_too():
    client = APIClient()
    client.force_login(StaffFactory())
    response = client.post(URL)
    assert response.status_code == 200
    assert len(response.json()["ticket"]) >= 40


def test_only_staff_get_tickets():
    assert APIClient().post(URL).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(UserFactory())}")
    assert client.post(URL).status_code == 403


@pytest.mark.slow  # waits out a ticket's shortest life, a second
async def test_an_expired_ticket_is_refused(monkeypatch):
    monkeypatch.setattr(connection_tickets, "TICKET_SECONDS", 1)
    ticket = await sync_to_async(connection_tickets.ticket_issue)(user_id=(await sync_to_async(StaffFactory)()).pk)
    await asyncio.sleep(1.5)  # Redis expires keys on its own clock
    await assert_closed_with(await open_with(ticket), 4401)


async def test_the_ticket_of_staff_deactivated_since_is_refused():
    staff = await sync_to_async(StaffFactory)()
    ticket = await sync_to_async(ticket_for)(staff)
    staff.is_active = False
    await sync_to_async(staff.save)(update_fields=["is_active"])
    await assert_closed_with(await open_with(ticket), 4401)


async def test_a_bad_ticket_is_not_made_up_for_by_a_staff_session():
    staff = await sync_to_async(StaffFactory)()
    await assert_closed_with(await open_with("made-up", headers=await session_cookie(staff)), 4401)
