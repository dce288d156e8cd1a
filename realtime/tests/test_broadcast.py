"""With Redis down, ticket changes go on; live updates pause and resume."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers

from realtime import broadcast
from tickets.models import SupportTicket

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    broadcast._paused_until = 0.0


def test_the_api_keeps_creating_tickets_while_redis_is_down(
    redis_down, staff_client, django_capture_on_commit_callbacks
):
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                "/api/admin/support-tickets",
                {"subject": f"Redis is down {number}", "description": "d", "customerEmail": "c@example.com"},
                format="json",
            )
        assert response.status_code == 201
    assert SupportTicket.objects.count() == 3
    assert broadcast.paused()  # later changes skip the dead layer instead of waiting on it


def test_live_updates_resume_once_the_pause_is_over(redis_down):
    async_to_sync(broadcast.broadcast)({"event": "ticket-updated", "data": {"id": 1}})
    assert broadcast.paused()
    broadcast._paused_until = 0.0  # the pause has run out
    assert not broadcast.paused()
