"""The admin frontend's way to authenticate its WebSocket without a token in the URL: the
JWT offered as a subprotocol, `["fractionax.v1", "bearer.<JWT>"]`; the server answers with
`fractionax.v1`, the only answer a browser accepts that does not echo the token."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from fractionax_support.asgi import application
from realtime.tests.test_consumers import assert_closed_with, session_cookie, token_for
from tickets.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(subprotocols: list[str], path: str = "/ws/admin/", headers=None):
    communicator = WebsocketCommunicator(application, path, headers=headers or [], subprotocols=subprotocols)
    connected, subprotocol = await communicator.connect()
    assert connected  # refusals come as a close code on an accepted socket, as browsers need
    return communicator, subprotocol


async def staff_token() -> str:
    return await sync_to_async(token_for)(await sync_to_async(StaffFactory)())


@pytest.mark.parametrize("order", ["app-first", "bearer-first"])
async def test_staff_bearer_subprotocol_connects_with_the_app_protocol(order):
    offered = ["fractionax.v1", f"bearer.{await staff_token()}"]
    communicator, subprotocol = await connect(offered if order == "app-first" else offered[::-1])
    assert subprotocol == "fractionax.v1"
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    await communicator.disconnect()


async def test_bearer_alone_is_accepted_without_echoing_the_token():
    communicator, subprotocol = await connect([f"bearer.{await staff_token()}"])
    assert subprotocol is None
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    await communicator.disconnect()


async def test_non_staff_bearer_is_closed_4403():
    user = await sync_to_async(UserFactory)()
    communicator, subprotocol = await connect(["fractionax.v1", f"bearer.{await sync_to_async(token_for)(user)}"])
    assert subprotocol == "fractionax.v1"
    await assert_closed_with(communicator, 4403)


@pytest.mark.parametrize("bearer", ["bearer.not-a-jwt", "bearer.", "refresh"])
async def test_invalid_bearer_is_closed_4401(bearer):
    if bearer == "refresh":  # a refresh token is not an access token
        staff = await sync_to_async(StaffFactory)()
        bearer = "bearer." + await sync_to_async(lambda: str(RefreshToken.for_user(staff)))()
    communicator, _ = await connect(["fractionax.v1", bearer])
    await assert_closed_with(communicator, 4401)


async def test_a_bad_bearer_is_not_made_up_for_by_a_staff_session():
    staff = await sync_to_async(StaffFactory)()
    communicator, _ = await connect(["fractionax.v1", "bearer.not-a-jwt"], headers=await session_cookie(staff))
    await assert_closed_with(communicator, 4401)


async def test_the_bearer_subprotocol_wins_over_a_query_token():
    user = await sync_to_async(UserFactory)()
    path = f"/ws/admin/?token={await staff_token()}"
    non_staff_bearer = f"bearer.{await sync_to_async(token_for)(user)}"
    communicator, _ = await connect(["fractionax.v1", non_staff_bearer], path=path)
    await assert_closed_with(communicator, 4403)


async def test_app_protocol_alone_with_a_staff_session_connects():
    """The dashboard may offer the protocol too, and authenticate by its cookie."""
    staff = await sync_to_async(StaffFactory)()
    communicator, subprotocol = await connect(["fractionax.v1"], headers=await session_cookie(staff))
    assert subprotocol == "fractionax.v1"
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    await communicator.disconnect()


async def test_query_token_fallback_still_connects_without_a_subprotocol():
    communicator = WebsocketCommunicator(application, f"/ws/admin/?token={await staff_token()}")
    connected, subprotocol = await communicator.connect()
    assert connected and subprotocol is None
    await communicator.send_json_to({"type": "join-admin"})
    assert await communicator.receive_json_from() == {"event": "joined"}
    await communicator.disconnect()
