"""The dashboards' WebSocket, through the real ASGI application and Redis channel layer."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from fractionax_support.asgi import application
from tickets import services
from tickets.tests.factories import TEST_ACTOR, StaffFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)


def token_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


async def connect(path: str = "/ws/admin/", headers: list[tuple[bytes, bytes]] | None = None):
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    connected, _ = await communicator.connect()
    return communicator, connected


async def staff_socket():
    staff = await sync_to_async(StaffFactory)()
    communicator, connected = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(staff)}")
    assert connected
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    return communicator


async def assert_closed_with(communicator, code: int) -> None:
    message = await communicator.receive_output(timeout=3)
    assert message == {"type": "websocket.close", "code": code}
    await communicator.disconnect()


async def test_anonymous_is_closed_4401():
    communicator, _ = await connect()
    await assert_closed_with(communicator, 4401)


async def test_bad_token_is_closed_4401():
    communicator, _ = await connect("/ws/admin/?token=not-a-jwt")
    await assert_closed_with(communicator, 4401)


async def test_refresh_token_is_not_an_access_token():
    staff = await sync_to_async(StaffFactory)()
    refresh = await sync_to_async(lambda: str(RefreshToken.for_user(staff)))()
    communicator, _ = await connect(f"/ws/admin/?token={refresh}")
    await assert_closed_with(communicator, 4401)


async def test_non_staff_token_is_closed_4403():
    user = await sync_to_async(UserFactory)()
    communicator, _ = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(user)}")
    await assert_closed_with(communicator, 4403)


async def test_token_of_deactivated_staff_is_refused():
    staff = await sync_to_async(StaffFactory)(is_active=False)
    token = await sync_to_async(lambda: str(AccessToken.for_user(staff)))()
    communicator, _ = await connect(f"/ws/admin/?token={token}")
    await assert_closed_with(communicator, 4401)


async def test_expired_token_of_staff_is_closed_4401():
    staff = await sync_to_async(StaffFactory)()
    token = AccessToken.for_user(staff)
    token.set_exp(from_time=token.current_time - timedelta(days=1))
    communicator, _ = await connect(f"/ws/admin/?token={token}")
    await assert_closed_with(communicator, 4401)


async def session_cookie(user, *, then_deactivate: bool = False) -> list[tuple[bytes, bytes]]:
    client = Client()
    await sync_to_async(client.force_login)(user)
    if then_deactivate:
        user.is_active = False
        await sync_to_async(user.save)(update_fields=["is_active"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]


async def test_non_staff_session_is_closed_4403():
    user = await sync_to_async(UserFactory)()
    communicator, _ = await connect(headers=await session_cookie(user))
    await assert_closed_with(communicator, 4403)


async def test_session_of_staff_deactivated_since_is_closed_4401():
    staff = await sync_to_async(StaffFactory)()
    communicator, _ = await connect(headers=await session_cookie(staff, then_deactivate=True))
    await assert_closed_with(communicator, 4401)


async def test_staff_session_cookie_connects_and_joins():
    staff = await sync_to_async(StaffFactory)()
    communicator, connected = await connect(headers=await session_cookie(staff))
    assert connected
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    await communicator.disconnect()


async def test_the_dashboards_events_reach_a_connected_staff_client_in_order():
    """Which events a change publishes, and what they carry, is tickets/tests/test_events.py's
    to test: the consumer forwards whatever reaches the dashboards' group."""
    communicator = await staff_socket()

    ticket = await sync_to_async(make_ticket)()
    await sync_to_async(services.ticket_change_status)(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)

    new = await communicator.receive_json_from(timeout=3)
    assert new["event"] == "new-ticket"
    assert new["data"]["ticketNumber"] == ticket.ticket_number
    changed = await communicator.receive_json_from(timeout=3)
    assert changed["event"] == "ticket-status-updated"
    assert (changed["data"]["id"], changed["data"]["status"]) == (ticket.pk, "in_progress")
    await communicator.disconnect()


async def test_unknown_client_messages_are_ignored():
    communicator = await staff_socket()
    await communicator.send_json_to({"type": "something-else"})
    await communicator.send_to(text_data="not json at all")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


@pytest.mark.slow
async def test_an_event_published_by_another_process_reaches_the_client():
    """As a Celery worker or a second web process would: its own Python, same Redis."""
    communicator = await staff_socket()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
    }
    script = (
        "import django; django.setup(); from tickets.tests.factories import make_ticket; "
        "print(make_ticket(subject='From another process').ticket_number)"
    )
    result = await sync_to_async(subprocess.run)(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    message = await communicator.receive_json_from(timeout=5)
    assert message["event"] == "new-ticket"
    assert message["data"]["subject"] == "From another process"
    assert message["data"]["ticketNumber"] == result.stdout.strip()
    await communicator.disconnect()


async def viewers_once_settled(communicator) -> list[str]:
    """The viewers in the last presence message once no more arrive. A page may be told the
    same list twice: the pub/sub layer hands a message to the group's members at arrival,
    so a page that joined just after another's announcement also answers it."""
    latest = await communicator.receive_json_from()
    while not await communicator.receive_nothing(timeout=0.3):
        latest = await communicator.receive_json_from()
    assert latest["event"] == "presence" and latest["data"]["ticketId"] == 7, latest
    return list(latest["data"]["viewers"])


async def test_presence_lists_the_other_viewers_of_a_ticket():
    alex = await sync_to_async(StaffFactory)(first_name="Alex", last_name="Agent")
    blair = await sync_to_async(StaffFactory)(first_name="Blair", last_name="Agent")
    first, _ = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(alex)}")
    second, _ = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(blair)}")

    await first.send_json_to({"type": "view-ticket", "ticketId": 7})
    assert await first.receive_json_from() == {"event": "presence", "data": {"ticketId": 7, "viewers": []}}

    await second.send_json_to({"type": "view-ticket", "ticketId": 7})
    assert await viewers_once_settled(first) == ["Blair Agent"]
    assert await viewers_once_settled(second) == ["Alex Agent"]

    await second.disconnect()
    assert await viewers_once_settled(first) == []
    await first.disconnect()


async def test_presence_is_per_ticket():
    alex = await sync_to_async(StaffFactory)()
    blair = await sync_to_async(StaffFactory)()
    first, _ = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(alex)}")
    second, _ = await connect(f"/ws/admin/?token={await sync_to_async(token_for)(blair)}")
    await first.send_json_to({"type": "view-ticket", "ticketId": 1})
    await first.receive_json_from()
    await second.send_json_to({"type": "view-ticket", "ticketId": 2})
    await second.receive_json_from()
    assert await first.receive_nothing(timeout=0.3)
    await first.disconnect()
    await second.disconnect()
