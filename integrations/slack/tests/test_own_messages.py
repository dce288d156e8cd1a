"""Messages from our own bot user are not comments, and Slack's ssl_check is answered
with an empty 200 on both webhook endpoints."""

import pytest

from integrations.models import InboundDelivery
from tickets.models import TicketComment

from .conftest import BOT_USER
from .helpers import COMMANDS_URL, EVENTS_URL, fixture, post_event, post_signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(posted_ticket):
    return posted_ticket


def own_message(ticket, **envelope_changes) -> dict:
    envelope = fixture("own_bot_user_thread_message")
    envelope["event"].update({"thread_ts": ticket.slack_thread_id, "channel": ticket.slack_channel_id})
    envelope.update(envelope_changes)
    return envelope


def person_reply(ticket, event_id: str, ts: str) -> dict:
    envelope = fixture("thread_reply")
    envelope["event"].update({"thread_ts": ticket.slack_thread_id, "channel": ticket.slack_channel_id, "ts": ts})
    return {**envelope, "event_id": event_id}


def test_a_message_of_our_bot_user_without_bot_id_is_not_a_comment(slack, client, ticket):
    assert post_event(client, own_message(ticket)).status_code == 200

    assert not TicketComment.objects.exists()
    assert not InboundDelivery.objects.exists()
    assert slack.calls_to("auth.test") == [{}]
    assert slack.calls_to("users.info") == []


def test_the_bot_user_is_asked_once_for_many_events(slack, client, ticket):
    post_event(client, own_message(ticket))
    post_event(client, own_message(ticket, event_id="Ev0OWNBOT2"))
    post_event(client, person_reply(ticket, "Ev0REPLY01", "1700000300.000300"))
    post_event(client, person_reply(ticket, "Ev0REPLY02", "1700000400.000400"))

    assert TicketComment.objects.filter(ticket=ticket).count() == 2  # the person's replies only
    assert len(slack.calls_to("auth.test")) == 1


def test_another_token_is_another_bot_user(slack, client, ticket, settings):
    post_event(client, own_message(ticket))
    settings.SLACK_BOT_TOKEN = "xoxb-another-token"
    post_event(client, own_message(ticket, event_id="Ev0OWNBOT2"))

    assert [call.headers["Authorization"] for call in slack.calls if call.method == "auth.test"] == [
        "Bearer xoxb-test-token",
        "Bearer xoxb-another-token",
    ]


@pytest.mark.parametrize(
    "failure", [{"status": 200, "error": "invalid_auth"}, {"status": 503, "error": "service_unavailable"}]
)
def test_while_auth_test_fails_the_events_bot_authorization_tells_our_own_messages(slack, client, ticket, failure):
    slack.fail("auth.test", **failure)

    post_event(client, own_message(ticket))
    post_event(client, person_reply(ticket, "Ev0REPLY01", "1700000300.000300"))

    assert list(TicketComment.objects.values_list("external_id", flat=True)) == ["1700000300.000300"]
    # The failure is remembered for a while: not one auth.test per event during an outage.
    assert len(slack.calls_to("auth.test")) == 1


def test_without_auth_test_or_authorizations_a_person_is_still_heard(slack, client, ticket):
    slack.fail("auth.test", error="invalid_auth")
    envelope = person_reply(ticket, "Ev0REPLY01", "1700000300.000300")
    del envelope["authorizations"]

    assert post_event(client, envelope).status_code == 200

    assert TicketComment.objects.filter(ticket=ticket).count() == 1


def test_a_message_from_the_bot_user_auth_test_names_is_ignored_whatever_the_envelope_says(slack, client, ticket):
    envelope = own_message(ticket, authorizations=[{"team_id": "T0TEAM", "user_id": "U0OTHER", "is_bot": True}])
    assert envelope["event"]["user"] == BOT_USER

    post_event(client, envelope)

    assert not TicketComment.objects.exists()


SSL_CHECK = b"token=xyzz0WbapA4vBCDEFasx0q6G&ssl_check=1"


@pytest.mark.parametrize("url", [EVENTS_URL, COMMANDS_URL])
def test_ssl_check_gets_an_empty_200_signed_or_not(slack, client, url):
    unsigned = client.post(url, data=SSL_CHECK, content_type="application/x-www-form-urlencoded")
    signed = post_signed(client, url, SSL_CHECK, "application/x-www-form-urlencoded")

    for response in (unsigned, signed):
        assert (response.status_code, response.content) == (200, b"")
    assert slack.calls == []
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize("url", [EVENTS_URL, COMMANDS_URL])
def test_only_ssl_check_1_skips_the_signature_check(slack, client, url):
    for body in (b"token=x&ssl_check=0", b"token=x&command=%2Fsupport-stats", b"ssl_check=1"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 401, body
    response = client.post(url, data=b"token=x&ssl_check=0", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401
